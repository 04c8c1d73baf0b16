package io.corc.api;

/** Life-cycle state of a {@link Resource}, normalised across providers. */
public enum ResourceState {
    PENDING,
    STARTING,
    RUNNING,
    STOPPING,
    STOPPED,
    FAILED,
    UNKNOWN;

    /** Whether the resource will not change state again without a new request. */
    public boolean isTerminal() {
        return this == STOPPED || this == FAILED;
    }
}
