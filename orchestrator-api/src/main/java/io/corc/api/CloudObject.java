package io.corc.api;

import static java.util.Objects.requireNonNull;

/**
 * One object a provider created for a resource (an instance, a VCN, a security group ...), recorded so that
 * {@code stop} and {@code corc gc} remove exactly what corc created.
 *
 * @param type provider-specific type, e.g. {@code vcn}, {@code instance}
 * @param id provider id of the object
 * @param createdByCorc false when corc reused an existing object it must never delete
 */
public record CloudObject(String type, String id, boolean createdByCorc) {
    public CloudObject {
        requireNonNull(type, "type is null");
        requireNonNull(id, "id is null");
    }
}
