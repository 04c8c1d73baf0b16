package io.corc.api;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One record of corc's state: what corc intends or did (ids, names, progress), never a secret.
 *
 * @param type record family, e.g. {@code resource}, {@code job}, {@code local-instance}
 * @param id unique within the type; letters, digits, {@code - _ .} only
 * @param status free-form life-cycle word of the owner, e.g. {@code creating}, {@code running}, {@code stopped}
 * @param data JSON-compatible values only (strings, numbers, booleans, lists, maps)
 * @param createdAt when the record was first written
 * @param updatedAt when it was last written
 */
public record StateRecord(
        String type, String id, String status, Map<String, Object> data, Instant createdAt, Instant updatedAt) {

    public StateRecord {
        requireNonNull(type, "type is null");
        requireNonNull(id, "id is null");
        requireNonNull(status, "status is null");
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,199}")) {
            throw CorcException.invalidInput("invalid state record id '" + id + "'");
        }
        data = data == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    /** A new record created now. */
    public static StateRecord create(String type, String id, String status, Map<String, Object> data) {
        Instant now = Instant.now();
        return new StateRecord(type, id, status, data, now, now);
    }

    public StateRecord withStatus(String newStatus) {
        return new StateRecord(type, id, newStatus, data, createdAt, Instant.now());
    }

    /** A copy with {@code key} set to {@code value} in data. */
    public StateRecord with(String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(data);
        copy.put(key, value);
        return new StateRecord(type, id, status, copy, createdAt, Instant.now());
    }

    public String string(String key) {
        Object value = data.get(key);
        return value == null ? null : String.valueOf(value);
    }
}
