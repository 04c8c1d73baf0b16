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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A provider for the CLI tests whose "instances" are SSH servers a test recorded in the state store (type {@code
 * ssh-host}: host, port, user), e.g. the OpenSSH fixture. It declares {@link Feature#SSH_ACCESS}: {@code start}
 * hands out the server a test {@linkplain #offer offered}, appending the spec's SSH keys to its authorized_keys
 * file (as cloud-init would) and reporting its host key the way a cloud provider reads it from the console.
 */
public final class SshHostProvider implements OrchestratorFactory {
    static final String NAME = "sshhost";
    static final String RECORD_TYPE = "ssh-host";
    private static final String OFFER_TYPE = "ssh-host-offer";

    /** Records an SSH server as an instance of this provider. */
    static void record(RecordStore records, String id, String host, int port, String user) {
        records.put(StateRecord.create(RECORD_TYPE, id, "running", Map.of("host", host, "port", port, "user", user)));
    }

    /**
     * Offers an SSH server for the next {@code start}: its keys go to {@code authorizedKeys}, its host key ({@code
     * "ssh-ed25519 AAAA..."}) is reported in the resource's {@link Resource#SSH_HOST_KEYS}.
     */
    static void offer(RecordStore records, String host, int port, String user, Path authorizedKeys, String hostKey) {
        records.put(StateRecord.create(
                OFFER_TYPE,
                "next",
                "offered",
                Map.of(
                        "host", host,
                        "port", port,
                        "user", user,
                        "authorized_keys", authorizedKeys.toString(),
                        "host_keys", hostKey)));
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
                StateRecord offer = records.get(OFFER_TYPE, "next")
                        .orElseThrow(() -> CorcException.invalidInput("the test provider has no server on offer"));
                Path authorizedKeys = Path.of(offer.string("authorized_keys"));
                try {
                    Files.createDirectories(authorizedKeys.getParent());
                    for (String key : spec.sshPublicKeys()) {
                        Files.writeString(
                                authorizedKeys, key + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                StateRecord started = StateRecord.create(
                        RECORD_TYPE,
                        NAME + "-" + spec.name(),
                        "running",
                        Map.of(
                                "host", offer.string("host"),
                                "port", offer.data().get("port"),
                                "user", offer.string("user"),
                                "host_keys", offer.string("host_keys")));
                records.put(started);
                return resource(started);
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
                record.string("host_keys") == null
                        ? Map.of()
                        : Map.of(Resource.SSH_HOST_KEYS, record.string("host_keys")));
    }
}
