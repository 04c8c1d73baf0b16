package io.corc.api;

import java.util.Set;

/** Builds {@link Orchestrator}s of one provider. Registered in {@code META-INF/services/io.corc.api.OrchestratorFactory}. */
public interface OrchestratorFactory extends PluginFactory {

    /** The resource kinds this provider can orchestrate. */
    Set<ResourceKind> kinds();

    /**
     * @throws CorcException {@link ErrorCategory#INVALID_INPUT} when {@code kind} is not in {@link #kinds()} or the
     *     configuration is invalid
     */
    Orchestrator create(ResourceKind kind, PluginContext context);
}
