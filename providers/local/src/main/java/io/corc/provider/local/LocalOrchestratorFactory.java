package io.corc.provider.local;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.LocalMachine;
import io.corc.api.Orchestrator;
import io.corc.api.OrchestratorFactory;
import io.corc.api.PluginContext;
import io.corc.api.ResourceKind;
import java.nio.file.Path;
import java.util.Set;

/**
 * The embedded default provider: instances are sandbox directories on this machine. Configuration
 * {@code corc.providers.local}: {@code root} is where sandboxes live (default {@code <corc home>/local}).
 */
public final class LocalOrchestratorFactory implements OrchestratorFactory {
    static final String NAME = "local";
    static final String NO_CLUSTERS = "the local provider has no container cluster; use kubernetes";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Sandboxes on this machine: a directory and the processes started in it (the embedded default).";
    }

    @Override
    public Set<ResourceKind> kinds() {
        return Set.of(ResourceKind.INSTANCE);
    }

    @Override
    public Orchestrator create(ResourceKind kind, PluginContext context) {
        requireNonNull(kind, "kind is null");
        requireNonNull(context, "context is null");
        if (kind != ResourceKind.INSTANCE) {
            throw CorcException.invalidInput(NO_CLUSTERS).withContext(NAME, kind.cliName() + " create");
        }
        String configured = context.config().string("root", "");
        Path root = configured.isBlank() ? context.home().resolve(NAME) : Path.of(configured);
        return new LocalInstanceOrchestrator(root, context.records(), LocalMachine.detect());
    }
}
