package io.corc.core.job;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.PluginConfig;
import io.corc.api.ProgressListener;
import io.corc.api.Staging;
import io.corc.api.Storage;
import io.corc.api.StoredObject;
import io.corc.api.TransferReport;
import io.corc.api.TreeManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The job's side of storage: the staging layout ({@link Staging}) and the transfers of inputs and outputs. The
 * storage itself is created lazily, so commands that never touch storage do not initialise it.
 *
 * <p>A new job is staged to the configured storage; everything later (results, deletion) goes to the storage the
 * job was staged to, as its record names it ({@link #recorded}), whatever the configuration says now. Settings given
 * explicitly for that backend (command-line flags, {@code Corc.Builder.override}) win over the recorded ones, for a
 * store that moved or a bucket that was copied.
 */
public final class StagingArea {
    /** Opens storage backends other than the configured one: those jobs were staged to. */
    public interface Backends {
        /** The section of backend {@code name} as configured now (file, environment, flags). */
        PluginConfig configured(String name);

        /** A storage of backend {@code name} with {@code config}; reused for the same name and configuration. */
        Storage open(String name, PluginConfig config);
    }

    /** The shared keys of {@code corc.storage} that fill a backend's section where it does not set them. */
    private static final List<String> SHARED_KEYS = List.of("endpoint", "credentials_path");

    private final String storageName;
    private final PluginConfig storageConfig;
    private final Supplier<Storage> storage;
    private final Backends backends;
    private final Map<String, Object> explicit;
    private final Path home;

    /**
     * @param explicit settings given explicitly, by dotted key ({@code corc.storage.s3.bucket_name}): they win over
     *     what a job's record says
     */
    public StagingArea(
            String storageName,
            PluginConfig storageConfig,
            Supplier<Storage> storage,
            Backends backends,
            Map<String, Object> explicit,
            Path home) {
        this.storageName = requireNonNull(storageName, "storageName is null");
        this.storageConfig = requireNonNull(storageConfig, "storageConfig is null");
        this.storage = requireNonNull(storage, "storage is null");
        this.backends = requireNonNull(backends, "backends is null");
        this.explicit = new LinkedHashMap<>(requireNonNull(explicit, "explicit is null"));
        this.home = requireNonNull(home, "home is null");
    }

    /** Where a job's files are: its layout and the storage that holds them. */
    record Located(Storage storage, Staging layout) {}

    Staging layoutFor(String jobId) {
        String bucket = storageConfig.string("bucket_name", "");
        if (bucket.isBlank()) {
            throw CorcException.invalidInput(storageConfig.path() + ".bucket_name is not set")
                    .withHint("set it in your corc configuration or with --storage-bucket");
        }
        return new Staging(
                storageName,
                bucket,
                jobId,
                storageConfig.string("bucket_input_prefix", "input"),
                storageConfig.string("bucket_output_prefix", "output"));
    }

    /** The credentials a runner elsewhere needs to reach the storage ({@link Storage#runnerSecrets()}); secret. */
    public java.util.Map<String, String> runnerSecrets() {
        return storage.get().runnerSecrets();
    }

    /** The {@link Staging} options that let the job runner, in another process, build the same storage. */
    Map<String, String> runnerOptions() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put(Staging.STORAGE_NAME_OPTION, storageName);
        options.put(Staging.HOME_OPTION, home.toAbsolutePath().toString());
        recordedSettings()
                .forEach(
                        (key, value) -> options.put(Staging.STORAGE_CONFIG_OPTION_PREFIX + key, String.valueOf(value)));
        // what this machine resolved from its environment (a profile's region), which a pod cannot look up
        storage.get()
                .runnerSettings()
                .forEach((key, value) -> options.putIfAbsent(Staging.STORAGE_CONFIG_OPTION_PREFIX + key, value));
        return options;
    }

    /**
     * The configured storage's plain settings (no nested sections), as a job's record keeps them: the same the job
     * runner gets, none secret.
     */
    Map<String, Object> recordedSettings() {
        return plain(storageConfig.asMap());
    }

    private static Map<String, Object> plain(Map<String, ?> settings) {
        Map<String, Object> plain = new LinkedHashMap<>();
        settings.forEach((key, value) -> {
            if (value != null && !(value instanceof Map<?, ?>) && !(value instanceof List<?>)) {
                plain.put(key, value);
            }
        });
        return plain;
    }

    /**
     * The storage a job was staged to: the backend and bucket of its record, with the settings recorded then (the
     * backend's configured section for records that have none), under the settings of that backend given
     * explicitly now.
     *
     * @param settings the recorded settings, or {@code null}
     * @throws CorcException naming the backend when it cannot be opened here (its plug-in is missing, say)
     */
    Located recorded(Staging recorded, Map<String, ?> settings) {
        String name = recorded.storage();
        if (name == null || name.isBlank()) {
            throw CorcException.internal("the record of job '" + recorded.jobId() + "' names no storage", null);
        }
        Map<String, Object> given = explicitSettings(name);
        PluginConfig config;
        try {
            config = settings == null || settings.isEmpty() ? backends.configured(name) : null;
        } catch (CorcException e) {
            throw cannotOpen(recorded, e);
        }
        Map<String, Object> merged = new LinkedHashMap<>();
        if (config != null) {
            merged.putAll(config.asMap());
        } else {
            merged.putAll(settings);
        }
        merged.putAll(given);
        Staging layout = new Staging(
                name,
                String.valueOf(given.getOrDefault("bucket_name", recorded.bucket())),
                recorded.jobId(),
                String.valueOf(given.getOrDefault("bucket_input_prefix", recorded.inputPrefix())),
                String.valueOf(given.getOrDefault("bucket_output_prefix", recorded.outputPrefix())));
        if (name.equals(storageName) && plain(merged).equals(recordedSettings())) {
            return new Located(storage.get(), layout); // the configured storage: no second client
        }
        try {
            return new Located(backends.open(name, new PluginConfig("corc.storage." + name, merged)), layout);
        } catch (CorcException e) {
            throw cannotOpen(recorded, e);
        }
    }

    /** The settings of backend {@code name} given explicitly, by their key in its section. */
    private Map<String, Object> explicitSettings(String name) {
        Map<String, Object> given = new LinkedHashMap<>();
        for (String key : SHARED_KEYS) {
            Object value = explicit.get("corc.storage." + key);
            if (value != null && !String.valueOf(value).isBlank()) {
                given.put(key, value);
            }
        }
        String section = "corc.storage." + name + ".";
        explicit.forEach((key, value) -> {
            String rest = key.startsWith(section) ? key.substring(section.length()) : "";
            if (!rest.isEmpty() && !rest.contains(".") && value != null) {
                given.put(rest, value);
            }
        });
        return given;
    }

    private static CorcException cannotOpen(Staging recorded, CorcException e) {
        return new CorcException(
                        e.category(),
                        "job '" + recorded.jobId() + "' was staged to storage '" + recorded.storage() + "' (bucket '"
                                + recorded.bucket() + "'), which cannot be opened here: " + e.getMessage())
                .withHint("its files are there: install the '" + recorded.storage() + "' storage plug-in and set it"
                        + " up (corc check lists what is installed)")
                .withCause(e);
    }

    /** Creates the bucket when it is missing; stores nothing of the job. */
    void prepare(Staging layout) {
        storage.get().ensureBucket(layout.bucket());
    }

    void stageInputs(Staging layout, List<Path> inputs, ProgressListener progress) {
        Storage target = storage.get();
        for (Path input : inputs) {
            String key =
                    layout.inputKeyPrefix() + input.toAbsolutePath().normalize().getFileName();
            if (Files.isDirectory(input)) {
                target.upload(input, layout.bucket(), key + "/", progress);
            } else {
                target.put(layout.bucket(), key, input);
            }
        }
    }

    /**
     * Downloads the tasks' outputs. Each task's output must carry its commit marker: a task folder without one is
     * an upload cut off or still running, left out and reported as incomplete, even when no task has a marker
     * (where a plain tree download would take the tree for one another tool stored and fetch it whole). Files a
     * marker lists that were deleted since come back in the report's {@code missing}, which this keeps.
     */
    TransferReport downloadOutputs(Located job, Path targetDir, ProgressListener progress) {
        Staging layout = job.layout();
        List<StoredObject> listing = job.storage().list(layout.bucket(), layout.outputKeyPrefix());
        if (listing.stream().allMatch(o -> TreeManifest.isManifestKey(o.key()))) {
            throw CorcException.notFound("job '" + layout.jobId() + "' has no results yet")
                    .withHint("corc job show " + layout.jobId() + " tells whether it has finished");
        }
        List<String> uncommitted = TreeManifest.uncommittedTrees(listing, layout.outputKeyPrefix());
        boolean anyCommitted = listing.stream().anyMatch(o -> TreeManifest.isManifestKey(o.key()));
        TransferReport report = anyCommitted
                ? job.storage().download(layout.bucket(), layout.outputKeyPrefix(), targetDir, progress)
                : new TransferReport(0, 0, 0, 0);
        List<String> incomplete = new ArrayList<>(report.incomplete());
        uncommitted.stream().filter(p -> !incomplete.contains(p)).forEach(incomplete::add);
        return report.withIncomplete(incomplete);
    }

    /** The tasks' output files; the commit markers of their uploads are corc's bookkeeping and left out. */
    List<StoredObject> listOutputs(Located job) {
        Staging layout = job.layout();
        return job.storage().list(layout.bucket(), layout.outputKeyPrefix()).stream()
                .filter(o -> !TreeManifest.isManifestKey(o.key()))
                .toList();
    }

    int deleteOutputs(Located job) {
        return job.storage().delete(job.layout().bucket(), job.layout().outputKeyPrefix());
    }

    void deleteInputs(Located job) {
        job.storage().delete(job.layout().bucket(), job.layout().inputKeyPrefix());
    }

    /** Removes every file of a job being submitted, from the configured storage it is being staged to. */
    void deleteJobFiles(Staging layout) {
        deleteJobFiles(new Located(storage.get(), layout));
    }

    void deleteJobFiles(Located job) {
        job.storage().delete(job.layout().bucket(), job.layout().jobId() + "/");
    }

    String locate(Located job, String keyPrefix) {
        return job.storage().locate(job.layout().bucket(), keyPrefix);
    }
}
