package io.corc.api;

/** What an orchestrator creates: a single machine or a container cluster. */
public enum ResourceKind {
    INSTANCE,
    CLUSTER;

    /** The lower-case name used on the command line and in state records. */
    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
