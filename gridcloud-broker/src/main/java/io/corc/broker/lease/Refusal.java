package io.corc.broker.lease;

/** An owner's refusal, with a short reason label (metric label, wire field) and a message for the user. */
public final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;

    /** No unit of the class is free (reserved or leased, or kept for local users). */
    public static final String NO_CAPACITY = "no_capacity";
    /** The class is not shared with the requester, or does not exist. */
    public static final String NOT_SHARED = "not_shared";
    /** The requester's quota at this owner is used up. */
    public static final String QUOTA = "quota";
    /** The TTL exceeds the class's maximum lease. */
    public static final String MAX_LEASE = "max_lease";
    /** The class does not meet the request's minimums. */
    public static final String NO_FIT = "no_fit";
    /** No such lease, or it is no longer in a state that allows the operation (e.g. an expired reservation). */
    public static final String UNKNOWN_LEASE = "unknown_lease";
    /** The lease belongs to another organisation. */
    public static final String NOT_YOURS = "not_yours";
    /** The owner's provider failed to start the resource. */
    public static final String ORCHESTRATION_FAILED = "orchestration_failed";
    /** The owner is shutting down. */
    public static final String STOPPING = "stopping";

    private final String reason;

    public Refusal(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
