package io.corc.broker.protocol;

import io.corc.api.Endpoint;
import io.corc.broker.Lease;
import io.corc.broker.LeaseState;
import io.corc.broker.MemberOffer;
import io.corc.broker.ResourceClass;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The bodies of the protocol's messages as plain JSON values, and back. Times are epoch ms, durations ms. */
public final class Bodies {
    private Bodies() {}

    public static Map<String, Object> offer(List<ResourceClass> classes, Instant expires) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (ResourceClass c : classes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("cores", c.cores());
            m.put("memory_gb", c.memoryGb());
            m.put("gpus", c.gpus());
            m.put("gpu_type", c.gpuType());
            m.put("available", c.available());
            m.put("price_per_hour", c.pricePerHour());
            m.put("priority", c.priority());
            m.put("regions", c.regions());
            m.put("max_lease_ms", c.maxLease() == null ? null : c.maxLease().toMillis());
            list.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("expires", expires.toEpochMilli());
        body.put("classes", list);
        return body;
    }

    /** The offer an accepted OFFER envelope carries. */
    @SuppressWarnings("unchecked")
    public static MemberOffer offerOf(Envelope e) {
        List<ResourceClass> classes = new ArrayList<>();
        for (Map<String, Object> m : (List<Map<String, Object>>) e.body().getOrDefault("classes", List.of())) {
            Object maxLease = m.get("max_lease_ms");
            classes.add(new ResourceClass(
                    (String) m.get("name"),
                    ((Number) m.get("cores")).intValue(),
                    ((Number) m.get("memory_gb")).doubleValue(),
                    ((Number) m.get("gpus")).intValue(),
                    (String) m.get("gpu_type"),
                    ((Number) m.get("available")).intValue(),
                    ((Number) m.get("price_per_hour")).doubleValue(),
                    ((Number) m.get("priority")).intValue(),
                    (List<String>) m.get("regions"),
                    maxLease == null ? null : Duration.ofMillis(((Number) maxLease).longValue())));
        }
        return new MemberOffer(
                e.sender(),
                e.keyFingerprint(),
                e.sequence(),
                Instant.ofEpochMilli(e.timestamp()),
                Instant.ofEpochMilli(e.number("expires", 0)),
                classes);
    }

    public static Map<String, Object> lease(Lease l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", l.id());
        m.put("owner", l.owner());
        m.put("requester", l.requester());
        m.put("user", l.user());
        m.put("state", l.state().name());
        m.put("class", l.resourceClass());
        m.put("created", l.created().toEpochMilli());
        m.put("expires", l.expires().toEpochMilli());
        if (l.endpoint() != null) {
            Map<String, Object> endpoint = new LinkedHashMap<>();
            endpoint.put("protocol", l.endpoint().protocol());
            endpoint.put("host", l.endpoint().host());
            endpoint.put("port", l.endpoint().port());
            endpoint.put("user", l.endpoint().user());
            m.put("endpoint", endpoint);
        }
        m.put("resource_id", l.resourceId());
        m.put("reason", l.reason());
        return m;
    }

    @SuppressWarnings("unchecked")
    public static Lease leaseOf(Map<String, Object> m) {
        Map<String, Object> endpoint = (Map<String, Object>) m.get("endpoint");
        return new Lease(
                (String) m.get("id"),
                (String) m.get("owner"),
                (String) m.get("requester"),
                (String) m.get("user"),
                LeaseState.valueOf((String) m.get("state")),
                (String) m.get("class"),
                Instant.ofEpochMilli(((Number) m.get("created")).longValue()),
                Instant.ofEpochMilli(((Number) m.get("expires")).longValue()),
                endpoint == null
                        ? null
                        : new Endpoint(
                                (String) endpoint.get("protocol"),
                                (String) endpoint.get("host"),
                                ((Number) endpoint.get("port")).intValue(),
                                (String) endpoint.get("user")),
                (String) m.get("resource_id"),
                (String) m.get("reason"));
    }

    public static Map<String, Object> refusal(String reason, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reason", reason);
        m.put("message", message);
        return m;
    }
}
