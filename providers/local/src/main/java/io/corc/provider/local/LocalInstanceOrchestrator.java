package io.corc.provider.local;

import static java.util.Objects.requireNonNull;

import io.corc.api.CheckResult;
import io.corc.api.CloudObject;
import io.corc.api.CorcException;
import io.corc.api.Endpoint;
import io.corc.api.Feature;
import io.corc.api.Features;
import io.corc.api.LocalMachine;
import io.corc.api.Orchestrator;
import io.corc.api.Plan;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.api.ResourceState;
import io.corc.api.SecureFiles;
import io.corc.api.StateRecord;
import io.corc.api.TestPause;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Local "instances": each is a sandbox directory {@code <root>/instances/<id>/} with a {@code home/} work directory,
 * recorded in the state store as type {@code local-instance} (status starting, running, stopping, stopped).
 * Stopping kills the processes started through {@link LocalSandbox} and deletes the directory.
 */
public final class LocalInstanceOrchestrator implements Orchestrator {
    static final String RECORD_TYPE = "local-instance";
    static final Features FEATURES = Features.of(Feature.INSTANCES, Feature.SHAPE_SELECTION, Feature.PRICING)
            .without(Feature.CLUSTERS, LocalOrchestratorFactory.NO_CLUSTERS)
            .without(Feature.GPUS, "GPU detection is not implemented for local sandboxes")
            .without(Feature.SPOT, "not applicable to the local machine")
            .without(Feature.SSH_ACCESS, "local sandboxes are reached through the file system, not SSH");
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    private final Path root;
    private final RecordStore records;
    private final LocalPlanner planner;

    LocalInstanceOrchestrator(Path root, RecordStore records, LocalMachine machine) {
        this.root = requireNonNull(root, "root is null").toAbsolutePath().normalize();
        this.records = requireNonNull(records, "records is null");
        this.planner = new LocalPlanner(requireNonNull(machine, "machine is null"));
    }

    @Override
    public String provider() {
        return LocalOrchestratorFactory.NAME;
    }

    @Override
    public ResourceKind kind() {
        return ResourceKind.INSTANCE;
    }

    @Override
    public Features features() {
        return FEATURES;
    }

    @Override
    public CheckResult check() {
        Path existing = root;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing != null && Files.isDirectory(existing) && Files.isWritable(existing)) {
            return CheckResult.ok(provider(), "local sandboxes under " + root);
        }
        return CheckResult.failed(provider(), root + " is not a writable directory (checked " + existing + ")");
    }

    @Override
    public Plan plan(ResourceSpec spec) {
        requireNonNull(spec, "spec is null");
        return planner.plan(spec, "sandbox directory under " + instancesDir());
    }

    @Override
    public Resource start(ResourceSpec spec, ProgressListener progress) {
        requireNonNull(spec, "spec is null");
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        Plan plan = plan(spec);
        String id = "local-" + UUID.randomUUID().toString().substring(0, 8);
        LocalSandbox sandbox = LocalSandbox.at(instancesDir().resolve(id));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", spec.name());
        data.put("path", sandbox.directory().toString());
        data.put("cores", plan.cores());
        data.put("memory_gb", plan.memoryGb());
        if (spec.ttl() != null) {
            data.put("expires_at", Instant.now().plus(spec.ttl()).toString());
        }
        records.put(StateRecord.create(RECORD_TYPE, id, "starting", data));
        TestPause.at("local:record");
        listener.onProgress("creating sandbox " + sandbox.directory(), 0, 1);
        try {
            SecureFiles.privateDirectory(root);
            SecureFiles.privateDirectory(instancesDir());
            SecureFiles.privateDirectory(sandbox.directory());
            SecureFiles.privateDirectory(sandbox.home());
        } catch (RuntimeException e) {
            SandboxFiles.deleteTree(sandbox.directory());
            records.delete(RECORD_TYPE, id);
            throw e instanceof CorcException corc ? corc.withContext(provider(), "instance start") : e;
        }
        TestPause.at("local:sandbox");
        StateRecord running = records.update(RECORD_TYPE, id, r -> r.withStatus("running"));
        listener.onProgress("creating sandbox " + sandbox.directory(), 1, 1);
        return toResource(running);
    }

    @Override
    public Optional<Resource> get(String id) {
        requireNonNull(id, "id is null");
        return isSafeId(id) ? records.get(RECORD_TYPE, id).map(this::toResource) : Optional.empty();
    }

    @Override
    public List<Resource> list() {
        return records.list(RECORD_TYPE).stream().map(this::toResource).toList();
    }

    @Override
    public void stop(String id, ProgressListener progress) {
        requireNonNull(id, "id is null");
        if (!isSafeId(id)) {
            return;
        }
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        Optional<StateRecord> record = records.get(RECORD_TYPE, id);
        LocalSandbox sandbox = LocalSandbox.at(instancesDir().resolve(id));
        if (record.isEmpty() && !Files.exists(sandbox.directory())) {
            return;
        }
        record.ifPresent(r -> records.put(r.withStatus("stopping")));
        listener.onProgress("stopping processes of " + id, 0, 2);
        sandbox.killAll(KILL_GRACE);
        listener.onProgress("deleting " + sandbox.directory(), 1, 2);
        SandboxFiles.deleteTree(sandbox.directory());
        record.ifPresent(r -> records.put(r.withStatus("stopped")));
        records.delete(RECORD_TYPE, id);
        listener.onProgress("stopped " + id, 2, 2);
    }

    private Resource toResource(StateRecord record) {
        Path directory = Path.of(record.string("path"));
        Path home = LocalSandbox.at(directory).home();
        ResourceState state = stateOf(record.status());
        Map<String, String> details = new java.util.LinkedHashMap<>();
        details.put("cores", String.valueOf(record.data().get("cores")));
        details.put("memory_gb", String.valueOf(record.data().get("memory_gb")));
        details.put("path", directory.toString());
        if (state == ResourceState.RUNNING && !Files.isDirectory(home)) {
            state = ResourceState.FAILED;
            details.put("reason", "its directory " + home + " no longer exists");
        }
        String expires = record.string("expires_at");
        return new Resource(
                record.id(),
                provider(),
                ResourceKind.INSTANCE,
                record.string("name") == null ? record.id() : record.string("name"),
                state,
                List.of(new Endpoint("file", home.toString(), 0, System.getProperty("user.name"))),
                List.of(new CloudObject("directory", directory.toString(), true)),
                record.createdAt(),
                expires == null ? null : Instant.parse(expires),
                details);
    }

    private static ResourceState stateOf(String status) {
        return switch (status) {
            case "starting" -> ResourceState.STARTING;
            case "running" -> ResourceState.RUNNING;
            case "stopping" -> ResourceState.STOPPING;
            case "stopped" -> ResourceState.STOPPED;
            default -> ResourceState.UNKNOWN;
        };
    }

    /** Only ids that cannot leave the instances directory are looked at; any other id is simply unknown. */
    private static boolean isSafeId(String id) {
        return id.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,99}");
    }

    private Path instancesDir() {
        return root.resolve("instances");
    }
}
