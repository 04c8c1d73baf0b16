package io.corc.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the user asks for. Providers choose the smallest (then cheapest) shape meeting every minimum.
 *
 * @param name display name; the provider makes it unique where it must
 * @param kind instance or cluster
 * @param minCores at least this many CPU cores (0 = any)
 * @param minMemoryGb at least this much memory in GiB (0 = any)
 * @param gpus GPUs required
 * @param architecture e.g. {@code x86_64}, {@code arm64}, or {@code null} for any
 * @param image the image to boot
 * @param region region, or {@code null} for the configured default
 * @param zone availability zone or domain, or {@code null} to let the provider choose
 * @param spot whether a pre-emptible/spot capacity is acceptable
 * @param ttl how long the resource may live before corc stops it, or {@code null} for no limit
 * @param tags extra tags; corc adds {@code corc-owner} and {@code corc-resource} itself
 * @param sshPublicKeys OpenSSH public key lines to authorise on the resource
 * @param options provider-specific settings (shape name, node count, ...), never secrets
 */
public record ResourceSpec(
        String name,
        ResourceKind kind,
        int minCores,
        double minMemoryGb,
        GpuSpec gpus,
        String architecture,
        ImageSpec image,
        String region,
        String zone,
        boolean spot,
        Duration ttl,
        Map<String, String> tags,
        List<String> sshPublicKeys,
        Map<String, String> options) {

    public ResourceSpec {
        requireNonNull(name, "name is null");
        requireNonNull(kind, "kind is null");
        if (minCores < 0) {
            throw CorcException.invalidInput("--min-cores must be 0 or more, got " + minCores);
        }
        if (minMemoryGb < 0) {
            throw CorcException.invalidInput("--min-memory must be 0 or more, got " + minMemoryGb);
        }
        gpus = gpus == null ? GpuSpec.NONE : gpus;
        image = image == null ? ImageSpec.ANY : image;
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        sshPublicKeys = sshPublicKeys == null ? List.of() : List.copyOf(sshPublicKeys);
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    /** A copy that asks for {@code keys} to be authorised instead of {@link #sshPublicKeys()}. */
    public ResourceSpec withSshPublicKeys(List<String> keys) {
        return new ResourceSpec(
                name,
                kind,
                minCores,
                minMemoryGb,
                gpus,
                architecture,
                image,
                region,
                zone,
                spot,
                ttl,
                tags,
                keys,
                options);
    }

    /** A copy in {@code newRegion} instead of {@link #region()}. */
    public ResourceSpec withRegion(String newRegion) {
        return new ResourceSpec(
                name,
                kind,
                minCores,
                minMemoryGb,
                gpus,
                architecture,
                image,
                newRegion,
                zone,
                spot,
                ttl,
                tags,
                sshPublicKeys,
                options);
    }

    /** A copy whose options are these ones plus {@code extra} (which wins on equal keys). */
    public ResourceSpec withOptions(Map<String, String> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        Map<String, String> merged = new java.util.LinkedHashMap<>(options);
        merged.putAll(extra);
        return new ResourceSpec(
                name,
                kind,
                minCores,
                minMemoryGb,
                gpus,
                architecture,
                image,
                region,
                zone,
                spot,
                ttl,
                tags,
                sshPublicKeys,
                merged);
    }

    /** A spec with only a name and kind; everything else defaults to "any". */
    public static ResourceSpec of(String name, ResourceKind kind) {
        return new ResourceSpec(name, kind, 0, 0, null, null, null, null, null, false, null, null, null, null);
    }
}
