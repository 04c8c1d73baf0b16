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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The job's side of storage: the staging layout ({@link Staging}) and the transfers of inputs and outputs. The
 * storage itself is created lazily, so commands that never touch storage do not initialise it.
 */
public final class StagingArea {
    private final String storageName;
    private final PluginConfig storageConfig;
    private final Supplier<Storage> storage;
    private final Path home;

    public StagingArea(String storageName, PluginConfig storageConfig, Supplier<Storage> storage, Path home) {
        this.storageName = requireNonNull(storageName, "storageName is null");
        this.storageConfig = requireNonNull(storageConfig, "storageConfig is null");
        this.storage = requireNonNull(storage, "storage is null");
        this.home = requireNonNull(home, "home is null");
    }

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
        storageConfig.asMap().forEach((key, value) -> {
            if (value != null && !(value instanceof Map<?, ?>) && !(value instanceof List<?>)) {
                options.put(Staging.STORAGE_CONFIG_OPTION_PREFIX + key, String.valueOf(value));
            }
        });
        return options;
    }

    void stageInputs(Staging layout, List<Path> inputs, ProgressListener progress) {
        Storage target = storage.get();
        target.ensureBucket(layout.bucket());
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

    TransferReport downloadOutputs(Staging layout, Path targetDir, ProgressListener progress) {
        List<StoredObject> outputs = listOutputs(layout);
        if (outputs.isEmpty()) {
            throw CorcException.notFound("job '" + layout.jobId() + "' has no results yet")
                    .withHint("corc job show " + layout.jobId() + " tells whether it has finished");
        }
        return storage.get().download(layout.bucket(), layout.outputKeyPrefix(), targetDir, progress);
    }

    /** The tasks' output files; the commit markers of their uploads are corc's bookkeeping and left out. */
    List<StoredObject> listOutputs(Staging layout) {
        return storage.get().list(layout.bucket(), layout.outputKeyPrefix()).stream()
                .filter(o -> !TreeManifest.isManifestKey(o.key()))
                .toList();
    }

    int deleteOutputs(Staging layout) {
        return storage.get().delete(layout.bucket(), layout.outputKeyPrefix());
    }

    void deleteInputs(Staging layout) {
        storage.get().delete(layout.bucket(), layout.inputKeyPrefix());
    }

    void deleteJobFiles(Staging layout) {
        storage.get().delete(layout.bucket(), layout.jobId() + "/");
    }

    String locate(Staging layout, String keyPrefix) {
        return storage.get().locate(layout.bucket(), keyPrefix);
    }
}
