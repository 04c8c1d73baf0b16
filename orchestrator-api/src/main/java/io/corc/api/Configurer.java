package io.corc.api;

/** Brings a running resource into the configured state (packages, users, files). */
public interface Configurer {

    String name();

    /**
     * Applies the configuration. Safe to run again on the same resource where the underlying tasks are
     * idempotent; a failure names the failing step and leaves the resource as the failed step left it.
     */
    void apply(Resource resource, ConfigurerSpec spec, ProgressListener progress);
}
