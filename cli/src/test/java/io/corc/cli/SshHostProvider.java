package io.corc.cli;

import io.corc.api.CheckResult;
import io.corc.api.CorcException;
import io.corc.api.Endpoint;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A provider for the CLI tests whose "instances" are SSH servers a test recorded in the state store (type {@code
 * ssh-host}: host, port, user), e.g. the OpenSSH fixture. It cannot start anything.
 */
public final class SshHostProvider implements OrchestratorFactory {
    static final String NAME = "sshhost";
    static final String RECORD_TYPE = "ssh-host";

    /** Records an SSH server as an instance of this provider. */
    static void record(RecordStore records, String id, String host, int port, String user) {
        records.put(StateRecord.create(RECORD_TYPE, id, "running", Map.of("host", host, "port", port, "user", user)));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "test provider: SSH servers recorded by the tests";
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
                return ResourceKind.INSTANCE;
            }

            @Override
            public Features features() {
                return Features.of(Feature.INSTANCES);
            }

            @Override
            public CheckResult check() {
                return CheckResult.notConfigured(NAME, "test provider");
            }

            @Override
            public Plan plan(ResourceSpec spec) {
                throw CorcException.invalidInput("the test provider cannot plan");
            }

            @Override
            public Resource start(ResourceSpec spec, ProgressListener progress) {
                throw CorcException.invalidInput("the test provider cannot start");
            }

            @Override
            public Optional<Resource> get(String id) {
                return id.matches("[A-Za-z0-9][A-Za-z0-9._-]*")
                        ? records.get(RECORD_TYPE, id).map(r -> resource(r))
                        : Optional.empty();
            }

            @Override
            public List<Resource> list() {
                return records.list(RECORD_TYPE).stream().map(r -> resource(r)).toList();
            }

            @Override
            public void stop(String id, ProgressListener progress) {
                records.delete(RECORD_TYPE, id);
            }
        };
    }

    private static Resource resource(StateRecord record) {
        Endpoint ssh = new Endpoint(
                "ssh", record.string("host"), Integer.parseInt(record.string("port")), record.string("user"));
        return new Resource(
                record.id(),
                NAME,
                ResourceKind.INSTANCE,
                record.id(),
                ResourceState.RUNNING,
                List.of(ssh),
                List.of(),
                record.createdAt(),
                null,
                Map.of());
    }
}
