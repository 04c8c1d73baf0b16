package io.corc.scheduler.local;

import io.corc.api.JobSpec;
import io.corc.api.Staging;
import io.corc.api.Storage;
import io.corc.jobio.StorageLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Fills in the {@link Staging} options a spec from core may leave out, and rebuilds the storage from them. */
final class StagingOptions {
    private static final String HOME = Staging.HOME_OPTION;

    private StagingOptions() {}

    /** {@code spec} with {@value #HOME} set to {@code home} unless it is set already. */
    static JobSpec withDefaultHome(JobSpec spec, Path home) {
        if (spec.options().containsKey(HOME)) {
            return spec;
        }
        Map<String, String> options = new LinkedHashMap<>(spec.options());
        options.put(HOME, home.toAbsolutePath().toString());
        return spec.withStaging(spec.staging(), options);
    }

    /** The storage the job stages through, or {@code null} when it has no staging. */
    static Storage storageFor(JobSpec spec) {
        return StorageLoader.forSpec(spec, Path.of(System.getProperty("user.home"), ".corc"));
    }
}
