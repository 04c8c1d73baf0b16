package io.corc.broker.control;

import io.corc.api.Endpoint;
import io.corc.broker.BrokerStatus;
import io.corc.broker.Lease;
import io.corc.broker.LeaseRequest;
import io.corc.broker.LeaseState;
import io.corc.broker.MemberOffer;
import io.corc.broker.MemberUsage;
import io.corc.broker.Peer;
import io.corc.broker.ResourceClass;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The broker's records as plain maps and back: the JSON of the control API, which is also what {@code corc broker
 * ... -o json} prints (docs/cli-output.md). snake_case keys, lower-case states, ISO-8601 UTC times ending in
 * {@code _at}, durations in seconds; renaming a key is a breaking change.
 */
public final class ControlCodec {
    private ControlCodec() {}

    public static Map<String, Object> status(BrokerStatus status) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("organisation", status.organisation());
        map.put("grid", status.grid());
        map.put("key_fingerprint", status.keyFingerprint());
        map.put("address", status.address());
        map.put("state", status.state());
        map.put("members", status.members());
        map.put("leases_owned", status.leasesOwned());
        map.put("leases_held", status.leasesHeld());
        map.put("started_at", time(status.started()));
        return map;
    }

    public static BrokerStatus status(Map<?, ?> map) {
        return new BrokerStatus(
                string(map, "organisation"),
                string(map, "grid"),
                string(map, "key_fingerprint"),
                string(map, "address"),
                string(map, "state"),
                strings(map, "members"),
                integer(map, "leases_owned"),
                integer(map, "leases_held"),
                instant(map, "started_at"));
    }

    public static Map<String, Object> peer(Peer peer) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("organisation", peer.organisation());
        map.put("key_fingerprint", peer.keyFingerprint());
        map.put("address", peer.address());
        map.put("trusted", peer.trusted());
        map.put("self", peer.self());
        map.put("last_message_at", time(peer.lastMessage()));
        return map;
    }

    public static Peer peer(Map<?, ?> map) {
        return new Peer(
                string(map, "organisation"),
                string(map, "key_fingerprint"),
                string(map, "address"),
                Boolean.TRUE.equals(map.get("trusted")),
                Boolean.TRUE.equals(map.get("self")),
                instant(map, "last_message_at"));
    }

    public static Map<String, Object> offer(MemberOffer offer) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("organisation", offer.organisation());
        map.put("key_fingerprint", offer.keyFingerprint());
        map.put("sequence", offer.sequence());
        map.put("issued_at", time(offer.issued()));
        map.put("expires_at", time(offer.expires()));
        map.put(
                "classes",
                offer.classes().stream().map(ControlCodec::resourceClass).toList());
        return map;
    }

    public static MemberOffer offer(Map<?, ?> map) {
        return new MemberOffer(
                string(map, "organisation"),
                string(map, "key_fingerprint"),
                number(map, "sequence").longValue(),
                instant(map, "issued_at"),
                instant(map, "expires_at"),
                maps(map, "classes").stream().map(ControlCodec::resourceClass).toList());
    }

    public static Map<String, Object> resourceClass(ResourceClass c) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", c.name());
        map.put("cores", c.cores());
        map.put("memory_gb", c.memoryGb());
        map.put("gpus", c.gpus());
        map.put("gpu_type", c.gpuType());
        map.put("available", c.available());
        map.put("price_per_hour", c.pricePerHour());
        map.put("priority", c.priority());
        map.put("regions", c.regions());
        map.put("max_lease_seconds", c.maxLease() == null ? null : c.maxLease().toSeconds());
        return map;
    }

    public static ResourceClass resourceClass(Map<?, ?> map) {
        Number maxLease = number(map, "max_lease_seconds");
        return new ResourceClass(
                string(map, "name"),
                integer(map, "cores"),
                decimal(map, "memory_gb"),
                integer(map, "gpus"),
                string(map, "gpu_type"),
                integer(map, "available"),
                decimal(map, "price_per_hour"),
                integer(map, "priority"),
                strings(map, "regions"),
                maxLease == null ? null : Duration.ofSeconds(maxLease.longValue()));
    }

    public static Map<String, Object> lease(Lease lease) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", lease.id());
        map.put("owner", lease.owner());
        map.put("requester", lease.requester());
        map.put("user", lease.user());
        map.put("state", lease.state() == null ? null : lease.state().name().toLowerCase(Locale.ROOT));
        map.put("resource_class", lease.resourceClass());
        map.put("created_at", time(lease.created()));
        map.put("expires_at", time(lease.expires()));
        map.put("endpoint", lease.endpoint() == null ? null : endpoint(lease.endpoint()));
        map.put("resource_id", lease.resourceId());
        map.put("reason", lease.reason());
        map.put("local", lease.owner() != null && lease.owner().equals(lease.requester()));
        return map;
    }

    public static Lease lease(Map<?, ?> map) {
        String state = string(map, "state");
        return new Lease(
                string(map, "id"),
                string(map, "owner"),
                string(map, "requester"),
                string(map, "user"),
                state == null ? null : LeaseState.valueOf(state.toUpperCase(Locale.ROOT)),
                string(map, "resource_class"),
                instant(map, "created_at"),
                instant(map, "expires_at"),
                map.get("endpoint") instanceof Map<?, ?> e ? endpoint(e) : null,
                string(map, "resource_id"),
                string(map, "reason"));
    }

    public static Map<String, Object> endpoint(Endpoint endpoint) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("protocol", endpoint.protocol());
        map.put("host", endpoint.host());
        map.put("port", endpoint.port());
        map.put("user", endpoint.user());
        return map;
    }

    public static Endpoint endpoint(Map<?, ?> map) {
        return new Endpoint(string(map, "protocol"), string(map, "host"), integer(map, "port"), string(map, "user"));
    }

    public static Map<String, Object> usage(MemberUsage usage) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("organisation", usage.organisation());
        map.put("leases_granted", usage.leasesGranted());
        map.put("active_leases", usage.activeLeases());
        map.put("core_hours", usage.coreHours());
        map.put("gpu_hours", usage.gpuHours());
        map.put("cost", usage.cost());
        return map;
    }

    public static MemberUsage usage(Map<?, ?> map) {
        return new MemberUsage(
                string(map, "organisation"),
                number(map, "leases_granted").longValue(),
                integer(map, "active_leases"),
                decimal(map, "core_hours"),
                decimal(map, "gpu_hours"),
                decimal(map, "cost"));
    }

    /** A lease request as the CLI sends it; the SSH public key is not a secret, so it travels as it is. */
    public static Map<String, Object> request(LeaseRequest request) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("min_cores", request.minCores());
        map.put("min_memory_gb", request.minMemoryGb());
        map.put("gpus", request.gpus());
        map.put("gpu_type", request.gpuType());
        map.put("ttl_seconds", request.ttl().toSeconds());
        map.put("ssh_public_key", request.sshPublicKey());
        map.put("user", request.user());
        map.put("options", request.options());
        return map;
    }

    /** Reads a lease request; {@link LeaseRequest}'s own checks reject bad values as invalid input. */
    public static LeaseRequest request(Map<?, ?> map) {
        Number ttl = number(map, "ttl_seconds");
        Map<String, String> options = new LinkedHashMap<>();
        if (map.get("options") instanceof Map<?, ?> given) {
            given.forEach((k, v) -> options.put(String.valueOf(k), String.valueOf(v)));
        }
        return new LeaseRequest(
                integer(map, "min_cores"),
                decimal(map, "min_memory_gb"),
                integer(map, "gpus"),
                string(map, "gpu_type"),
                ttl == null ? null : Duration.ofSeconds(ttl.longValue()),
                string(map, "ssh_public_key"),
                string(map, "user"),
                options);
    }

    static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static String string(Map<?, ?> map, String key) {
        Object value = map.get(key);
        return value == null ? null : value.toString();
    }

    private static Number number(Map<?, ?> map, String key) {
        Object value = map.get(key);
        if (value == null || value instanceof Number) {
            return (Number) value;
        }
        try {
            return Double.valueOf(value.toString());
        } catch (NumberFormatException e) {
            throw io.corc.api.CorcException.invalidInput("'" + key + "' must be a number, got '" + value + "'");
        }
    }

    private static int integer(Map<?, ?> map, String key) {
        Number value = number(map, key);
        return value == null ? 0 : value.intValue();
    }

    private static double decimal(Map<?, ?> map, String key) {
        Number value = number(map, key);
        return value == null ? 0 : value.doubleValue();
    }

    private static Instant instant(Map<?, ?> map, String key) {
        String value = string(map, key);
        return value == null ? null : Instant.parse(value);
    }

    private static List<String> strings(Map<?, ?> map, String key) {
        return map.get(key) instanceof List<?> list
                ? list.stream().map(String::valueOf).toList()
                : List.of();
    }

    private static List<Map<?, ?>> maps(Map<?, ?> map, String key) {
        return map.get(key) instanceof List<?> list
                ? list.stream().<Map<?, ?>>map(e -> (Map<?, ?>) e).toList()
                : List.of();
    }
}
