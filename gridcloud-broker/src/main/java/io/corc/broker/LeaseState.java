package io.corc.broker;

/** A lease's life: RESERVED (capacity held, expiring) -> ACTIVE (resource up) -> RELEASED or EXPIRED; FAILED. */
public enum LeaseState {
    RESERVED,
    ACTIVE,
    RELEASED,
    EXPIRED,
    FAILED;

    /** Whether the lease still holds capacity at its owner. */
    public boolean holdsCapacity() {
        return this == RESERVED || this == ACTIVE;
    }
}
