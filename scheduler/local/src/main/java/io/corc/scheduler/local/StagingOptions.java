package io.corc.scheduler.local;

import io.corc.api.JobSpec;
import io.corc.api.Storage;
import io.corc.jobio.StorageLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The entries of {@link JobSpec#options()} from which the supervisor, a process of its own, rebuilds the storage
 * the job stages through. Core sets them when it submits a job with staging:
 *
 * <ul>
 *   <li>{@value #STORAGE_NAME}: the storage plug-in name (default: {@code staging.storage()});
 *   <li>{@value #STORAGE_CONFIG_PREFIX}{@code <key>}: each scalar key of that plug-in's configuration section;
 *   <li>{@value #HOME}: corc's home directory (default: the submitting scheduler's home).
 * </ul>
 */
final class StagingOptions {
    static final String STORAGE_NAME = "corc.storage.name";
    static final String STORAGE_CONFIG_PREFIX = "corc.storage.config.";
    static final String HOME = "corc.home";

    private StagingOptions() {}

    /** {@code spec} with {@value #HOME} set to {@code home} unless it is set already. */
    static JobSpec withDefaultHome(JobSpec spec, Path home) {
        if (spec.options().containsKey(HOME)) {
            return spec;
        }
        Map<String, String> options = new LinkedHashMap<>(spec.options());
        options.put(HOME, home.toAbsolutePath().toString());
        return new JobSpec(
                spec.id(),
                spec.name(),
                spec.command(),
                spec.image(),
                spec.env(),
                spec.workingDir(),
                spec.numJobs(),
                spec.numParallel(),
                spec.resources(),
                spec.timeLimit(),
                spec.capture(),
                spec.staging(),
                options);
    }

    /** The storage the job stages through, or {@code null} when it has no staging. */
    static Storage storageFor(JobSpec spec) {
        if (spec.staging() == null) {
            return null;
        }
        Map<String, String> options = spec.options();
        String name = options.getOrDefault(STORAGE_NAME, spec.staging().storage());
        Map<String, Object> config = new LinkedHashMap<>();
        options.forEach((key, value) -> {
            if (key.startsWith(STORAGE_CONFIG_PREFIX)) {
                config.put(key.substring(STORAGE_CONFIG_PREFIX.length()), value);
            }
        });
        Path home = Path.of(options.getOrDefault(
                HOME, Path.of(System.getProperty("user.home"), ".corc").toString()));
        return StorageLoader.load(name, Map.copyOf(config), home);
    }
}
