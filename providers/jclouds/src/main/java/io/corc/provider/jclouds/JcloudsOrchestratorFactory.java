package io.corc.provider.jclouds;

import io.corc.api.CorcException;
import io.corc.api.Orchestrator;
import io.corc.api.OrchestratorFactory;
import io.corc.api.PluginContext;
import io.corc.api.ResourceKind;
import java.util.Set;

/**
 * Instances through Apache jclouds' portable ComputeService, for the jclouds provider or API named in {@code
 * corc.providers.jclouds.provider} (e.g. {@code openstack-nova}, {@code aws-ec2}, {@code stub}). Apache jclouds was
 * retired to the Apache Attic in 2025 (2.7.0 is its last release); its types stay inside this module, so a cloud
 * can move to its vendor's SDK later without touching the rest of corc.
 */
public final class JcloudsOrchestratorFactory implements OrchestratorFactory {
    static final String NAME = "jclouds";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Instances at any jclouds compute provider or API (Apache jclouds 2.7.0, retired to the Attic).";
    }

    @Override
    public Set<ResourceKind> kinds() {
        return Set.of(ResourceKind.INSTANCE);
    }

    @Override
    public Orchestrator create(ResourceKind kind, PluginContext context) {
        if (kind != ResourceKind.INSTANCE) {
            throw CorcException.invalidInput("the jclouds provider starts instances only, not " + kind.cliName() + "s")
                    .withHint("use the oci provider for clusters, or the kubernetes scheduler on an existing one");
        }
        return new JcloudsOrchestrator(JcloudsSettings.from(context.config(), System.getenv()), context.records());
    }
}
