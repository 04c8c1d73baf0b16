package io.corc.spawner;

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
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.api.ResourceState;
import io.corc.ssh.testing.MinaSshServer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test provider whose every instance is the in-JVM SSH server a test set in {@link #server}: start authorises the
 * spec's keys there (as cloud-init would) and reports the host key as a cloud reads it from the console.
 */
public final class MinaProvider implements OrchestratorFactory {
    static final String NAME = "mina";
    static volatile MinaSshServer server;
    /** The instances started and not stopped, by id. */
    static final Map<String, ResourceSpec> running = new ConcurrentHashMap<>();
    /** Every instance ever stopped. */
    static final Set<String> stopped = ConcurrentHashMap.newKeySet();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "test provider: the in-JVM SSH server";
    }

    @Override
    public Set<ResourceKind> kinds() {
        return Set.of(ResourceKind.INSTANCE);
    }

    @Override
    public Orchestrator create(ResourceKind kind, PluginContext context) {
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
                return Features.of(Feature.INSTANCES, Feature.SSH_ACCESS);
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
                spec.sshPublicKeys().forEach(server::authorize);
                String id = NAME + "-" + spec.name();
                running.put(id, spec);
                return resource(id);
            }

            @Override
            public Optional<Resource> get(String id) {
                return running.containsKey(id) ? Optional.of(resource(id)) : Optional.empty();
            }

            @Override
            public List<Resource> list() {
                return running.keySet().stream().map(MinaProvider::resource).toList();
            }

            @Override
            public void stop(String id, ProgressListener progress) {
                if (running.remove(id) != null) {
                    stopped.add(id);
                }
            }
        };
    }

    static Resource resource(String id) {
        return new Resource(
                id,
                NAME,
                ResourceKind.INSTANCE,
                id,
                ResourceState.RUNNING,
                List.of(new Endpoint("ssh", server.host(), server.port(), server.user())),
                List.of(),
                Instant.now(),
                null,
                Map.of(Resource.SSH_HOST_KEYS, server.hostPublicKey()));
    }
}
