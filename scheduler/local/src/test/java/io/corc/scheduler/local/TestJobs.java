package io.corc.scheduler.local;

import io.corc.api.InMemoryRecordStore;
import io.corc.api.JobSpec;
import io.corc.api.PluginConfig;
import io.corc.api.PluginContext;
import io.corc.api.Scheduler;
import io.corc.api.SchedulerFactory;
import io.corc.api.Staging;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Supplier;

/** Builds schedulers and specs for the tests, and waits for conditions with a deadline. */
final class TestJobs {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private TestJobs() {}

    /** The {@code local} scheduler as core finds it: through {@link ServiceLoader}. */
    static Scheduler scheduler(Path home, Map<String, Object> config) {
        SchedulerFactory factory = ServiceLoader.load(SchedulerFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(candidate -> candidate.name().equals("local"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no SchedulerFactory named local is registered"));
        PluginContext context = new PluginContext(
                "local", new PluginConfig("corc.schedulers.local", config), home, new InMemoryRecordStore());
        return factory.create(context);
    }

    static Scheduler scheduler(Path home) {
        return scheduler(home, Map.of("max_parallel", 4));
    }

    static JobSpec spec(String id, int numJobs, int numParallel, String script, Map<String, String> env) {
        return new JobSpec(
                id,
                id,
                List.of("sh", "-c", script),
                null,
                env,
                null,
                numJobs,
                numParallel,
                null,
                null,
                true,
                null,
                null);
    }

    /** {@code spec} staging through the local storage rooted at {@code storageRoot}, as core would submit it. */
    static JobSpec staged(JobSpec spec, String bucket, Path storageRoot, Path home) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("corc.storage.name", "local");
        options.put("corc.storage.config.path", storageRoot.toString());
        options.put("corc.home", home.toString());
        Staging staging = new Staging("local", bucket, spec.id(), null, null);
        return spec.withStaging(staging, options);
    }

    static Path jobDir(Path home, String id) {
        return home.resolve("local").resolve("jobs").resolve(id);
    }

    /** Polls {@code condition} until it yields a value, failing after {@link #TIMEOUT}. */
    static <T> T await(String what, Supplier<Optional<T>> condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            Optional<T> value = condition.get();
            if (value.isPresent()) {
                return value.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out waiting for " + what);
    }
}
