package io.corc.scheduler.local;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.PluginContext;
import java.nio.file.Path;

/**
 * The settings of {@code corc.schedulers.local}.
 *
 * @param maxParallel at most this many tasks of one job at once on this machine; caps a job's {@code num_parallel}
 * @param workDir where job directories live
 */
record LocalSchedulerConfig(int maxParallel, Path workDir) {

    LocalSchedulerConfig {
        requireNonNull(workDir, "workDir is null");
        if (maxParallel < 1) {
            throw CorcException.invalidInput("max_parallel must be at least 1, got " + maxParallel);
        }
    }

    /**
     * Reads {@code max_parallel} (default 0, meaning the number of processors) and {@code work_dir} (default
     * {@code <home>/local/jobs}; a leading {@code ~/} is the user's home directory).
     */
    static LocalSchedulerConfig from(PluginContext context) {
        int maxParallel = context.config().integer("max_parallel", 0);
        if (maxParallel < 0) {
            throw CorcException.invalidInput(
                            context.config().path() + ".max_parallel must be 0 or more, got " + maxParallel)
                    .withHint("use 0 for the number of processors of this machine");
        }
        if (maxParallel == 0) {
            maxParallel = Runtime.getRuntime().availableProcessors();
        }
        Path workDir = context.config()
                .optionalString("work_dir")
                .map(LocalSchedulerConfig::expandHome)
                .orElseGet(() -> context.home().resolve("local").resolve("jobs"));
        return new LocalSchedulerConfig(maxParallel, workDir.toAbsolutePath().normalize());
    }

    /** Worker threads for a job asking for {@code numParallel} of its {@code numJobs} tasks at once. */
    int threadsFor(int numJobs, int numParallel) {
        return Math.max(1, Math.min(numJobs, Math.min(numParallel, maxParallel)));
    }

    private static Path expandHome(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + path.substring(1));
        }
        return Path.of(path);
    }
}
