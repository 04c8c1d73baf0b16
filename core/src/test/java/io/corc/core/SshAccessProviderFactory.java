package io.corc.core;

import io.corc.api.CheckResult;
import io.corc.api.CorcException;
import io.corc.api.Feature;
import io.corc.api.Features;
import io.corc.api.Orchestrator;
import io.corc.api.OrchestratorFactory;
import io.corc.api.Plan;
import io.corc.api.PluginContext;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.api.ResourceState;
import io.corc.api.StateRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A provider for core's tests that declares {@link Feature#SSH_ACCESS} and starts nothing: it records the SSH
 * public keys each start was given (record type {@link #RECORD_TYPE}, id = the spec's name), as a cloud would pass
 * them to cloud-init.
 */
public final class SshAccessProviderFactory implements OrchestratorFactory {
    static final String NAME = "sshaccess";
    static final String RECORD_TYPE = "sshaccess-start";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "test provider that records the SSH keys it was asked to authorise";
    }

    @Override
    public Set<ResourceKind> kinds() {
        return Set.of(ResourceKind.INSTANCE);
    }

    @Override
    public Orchestrator create(ResourceKind kind, PluginContext context) {
        RecordStore records = context.records();
        return new Orchestrator() {
            @Override
            public String provider() {
                return NAME;
            }

            @Override
            public ResourceKind kind() {
                return kind;
            }

            @Override
            public Features features() {
                return Features.of(Feature.INSTANCES, Feature.SSH_ACCESS);
            }

            @Override
            public CheckResult check() {
                return CheckResult.ok(NAME, "test provider");
            }

            @Override
            public Plan plan(ResourceSpec spec) {
                throw CorcException.invalidInput("the test provider cannot plan");
            }

            @Override
            public Resource start(ResourceSpec spec, ProgressListener progress) {
                records.put(StateRecord.create(
                        RECORD_TYPE, spec.name(), "running", Map.of("ssh_public_keys", spec.sshPublicKeys())));
                return new Resource(
                        spec.name(),
                        NAME,
                        kind,
                        spec.name(),
                        ResourceState.RUNNING,
                        List.of(),
                        List.of(),
                        Instant.now(),
                        null,
                        Map.of());
            }

            @Override
            public Optional<Resource> get(String id) {
                return Optional.empty();
            }

            @Override
            public List<Resource> list() {
                return List.of();
            }

            @Override
            public void stop(String id, ProgressListener progress) {
                records.delete(RECORD_TYPE, id);
            }
        };
    }
}
