package io.corc.api;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A resource corc orchestrated, as a provider reports it.
 *
 * @param id corc's id for the resource (stable across providers' renames)
 * @param provider provider name, e.g. {@code local}, {@code oci}
 * @param kind instance or cluster
 * @param name display name
 * @param state normalised state
 * @param endpoints how to reach it
 * @param objects the cloud objects it owns, in creation order
 * @param createdAt when it was started
 * @param expiresAt when corc will stop it, or {@code null}
 * @param details provider facts worth showing (shape, region, cores, memory ...), never secrets; see {@link
 *     #SSH_HOST_KEYS}
 */
public record Resource(
        String id,
        String provider,
        ResourceKind kind,
        String name,
        ResourceState state,
        List<Endpoint> endpoints,
        List<CloudObject> objects,
        Instant createdAt,
        Instant expiresAt,
        Map<String, String> details) {

    /**
     * Key in {@link #details()}: the resource's SSH host public keys as its provider learnt them out of band (the
     * console output, where cloud-init prints them), one OpenSSH line per key ({@code "ssh-ed25519 AAAA...
     * [comment]"}), separated by newlines. corc pins them in its known_hosts before its first connection, so that
     * connection is verified instead of trusted on first use; a provider that cannot read them leaves the key out.
     */
    public static final String SSH_HOST_KEYS = "ssh_host_keys";

    public Resource {
        requireNonNull(id, "id is null");
        requireNonNull(provider, "provider is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(name, "name is null");
        requireNonNull(state, "state is null");
        endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
        objects = objects == null ? List.of() : List.copyOf(objects);
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    public Resource withState(ResourceState newState) {
        return new Resource(id, provider, kind, name, newState, endpoints, objects, createdAt, expiresAt, details);
    }
}
