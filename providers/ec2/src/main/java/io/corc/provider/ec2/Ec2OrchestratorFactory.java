package io.corc.provider.ec2;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.Orchestrator;
import io.corc.api.OrchestratorFactory;
import io.corc.api.PluginContext;
import io.corc.api.ResourceKind;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * AWS EC2 instances. Configuration {@code corc.providers.ec2} (docs/ec2.md): the AWS profile and region, the
 * network, the SSH source range, spot settings, the price catalog. Clusters (EKS) are not supported.
 */
public final class Ec2OrchestratorFactory implements OrchestratorFactory {
    static final String NAME = "ec2";
    static final String NO_CLUSTERS = "EKS clusters are not implemented: the ec2 provider starts instances only; run"
            + " jobs on an existing cluster with the kubernetes scheduler";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "AWS EC2 instances (AWS SDK v2): a type that fits, a corc security group and key pair, nothing left"
                + " behind.";
    }

    @Override
    public Set<ResourceKind> kinds() {
        return Set.of(ResourceKind.INSTANCE);
    }

    @Override
    public Orchestrator create(ResourceKind kind, PluginContext context) {
        return create(kind, context, System.getenv(), new SecureRandom(), Ec2ClientFactory.BASE_DELAY);
    }

    /** For tests: the environment the AWS chain reads, and the source and base of the retry jitter. */
    static Ec2InstanceOrchestrator create(
            ResourceKind kind, PluginContext context, Map<String, String> env, Random jitter, Duration baseDelay) {
        requireNonNull(kind, "kind is null");
        requireNonNull(context, "context is null");
        if (kind != ResourceKind.INSTANCE) {
            throw CorcException.invalidInput(NO_CLUSTERS).withContext(NAME, kind.cliName() + " create");
        }
        Ec2Settings settings = Ec2Settings.from(context.config(), env);
        return new Ec2InstanceOrchestrator(settings, context.records(), jitter, baseDelay);
    }
}
