package io.corc.scheduler.slurm;

import io.corc.api.InMemoryRecordStore;
import io.corc.api.JobSpec;
import io.corc.api.PluginConfig;
import io.corc.api.PluginContext;
import io.corc.api.RecordStore;
import io.corc.api.Scheduler;
import io.corc.api.SchedulerFactory;
import io.corc.api.Staging;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Schedulers and specs for the tests. */
final class SlurmTestJobs {
    static final Duration TIMEOUT = Duration.ofSeconds(40);

    private SlurmTestJobs() {}

    /** The {@code slurm} scheduler as core finds it: through {@link ServiceLoader}. */
    static Scheduler scheduler(Path home, RecordStore records, Map<String, Object> config) {
        SchedulerFactory factory = ServiceLoader.load(SchedulerFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(candidate -> candidate.name().equals("slurm"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no SchedulerFactory named slurm is registered"));
        return factory.create(
                new PluginContext("slurm", new PluginConfig("corc.schedulers.slurm", config), home, records));
    }

    static Scheduler scheduler(Path home, RecordStore records) {
        return scheduler(home, records, Map.of("poll_interval", 0.5));
    }

    static Scheduler scheduler(Path home) {
        return scheduler(home, new InMemoryRecordStore());
    }

    static JobSpec spec(String id, int numJobs, int numParallel, String script, Duration timeLimit) {
        return new JobSpec(
                id,
                id,
                List.of("sh", "-c", script),
                null,
                Map.of(),
                null,
                numJobs,
                numParallel,
                null,
                timeLimit,
                true,
                null,
                null);
    }

    /** {@code spec} staging through the local storage rooted at {@code storageRoot}, as core would submit it. */
    static JobSpec staged(JobSpec spec, String bucket, Path storageRoot, Path home) {
        Map<String, String> options = new LinkedHashMap<>(spec.options());
        options.put("corc.storage.name", "local");
        options.put("corc.storage.config.path", storageRoot.toString());
        options.put("corc.home", home.toString());
        return spec.withStaging(new Staging("local", bucket, spec.id(), null, null), options);
    }

    /** A job id unique across runs: Slurm and the work dirs outlive a test JVM. */
    static String id(String name) {
        return "job-" + name + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    }
}
