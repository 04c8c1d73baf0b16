package io.corc.api;

/**
 * The few kinds of failure corc distinguishes. Every plug-in translates its SDK or protocol errors into one of
 * these at its edge; the CLI maps each category to one exit code (see {@code io.corc.cli.ExitCodes}).
 */
public enum ErrorCategory {
    /** The user asked for something malformed or contradictory (bad flag, bad YAML, unknown provider). */
    INVALID_INPUT(false),
    /** The named resource, job, object or file does not exist. */
    NOT_FOUND(false),
    /** Credentials are missing, expired or not allowed to do the operation. */
    AUTHENTICATION(false),
    /** The cloud has no capacity, a quota or limit is reached, or the shape is not offered where asked. */
    CAPACITY(false),
    /** The operation clashes with the current state (name taken, resource busy, lock held). */
    CONFLICT(false),
    /** The remote side asked us to slow down; retrying later is expected to work. */
    THROTTLED(true),
    /** The provider or a remote service is unreachable or answered with a server error. */
    UNAVAILABLE(true),
    /** The operation was cancelled by the user or by shutdown. */
    CANCELLED(false),
    /** A bug or an unexpected state in corc itself. */
    INTERNAL(false);

    private final boolean transientFailure;

    ErrorCategory(boolean transientFailure) {
        this.transientFailure = transientFailure;
    }

    /** Whether an operation that failed this way may succeed when retried unchanged. */
    public boolean isTransient() {
        return transientFailure;
    }
}
