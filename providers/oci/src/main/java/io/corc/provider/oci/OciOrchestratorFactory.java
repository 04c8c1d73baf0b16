package io.corc.provider.oci;

import static java.util.Objects.requireNonNull;

import io.corc.api.Orchestrator;
import io.corc.api.OrchestratorFactory;
import io.corc.api.PluginContext;
import io.corc.api.ResourceKind;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Oracle Cloud Infrastructure instances with their network. Configuration {@code corc.providers.oci} (docs/oci.md):
 * the profile of the OCI config file and the compartment, the instance's shape and image, the VCN stack to reuse or
 * create, and the OKE cluster and node pool.
 */
public final class OciOrchestratorFactory implements OrchestratorFactory {
    static final String NAME = "oci";
    static final Duration BASE_DELAY = Duration.ofMillis(500);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Oracle Cloud Infrastructure instances and OKE clusters (OCI SDK): the smallest shape that fits, a VCN"
                + " stack reused or created, nothing left behind.";
    }

    @Override
    public Set<ResourceKind> kinds() {
        return Set.of(ResourceKind.INSTANCE, ResourceKind.CLUSTER);
    }

    @Override
    public Orchestrator create(ResourceKind kind, PluginContext context) {
        return create(kind, context, System.getenv(), new SecureRandom(), BASE_DELAY);
    }

    /** For tests: the environment (HOME, OCI_CONFIG_FILE, OCI_CLI_PROFILE) and the retry jitter and base delay. */
    static OciInstanceOrchestrator create(
            ResourceKind kind, PluginContext context, Map<String, String> env, Random jitter, Duration baseDelay) {
        requireNonNull(kind, "kind is null");
        requireNonNull(context, "context is null");
        OciSettings settings = OciSettings.from(context.config(), env);
        Path home = Path.of(env.getOrDefault("HOME", System.getProperty("user.home")));
        return new OciInstanceOrchestrator(kind, settings, context.records(), home, context.home(), jitter, baseDelay);
    }
}
