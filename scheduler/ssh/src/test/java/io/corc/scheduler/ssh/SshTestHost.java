package io.corc.scheduler.ssh;

import io.corc.api.InMemoryRecordStore;
import io.corc.api.JobSpec;
import io.corc.api.KeyType;
import io.corc.api.PluginConfig;
import io.corc.api.PluginContext;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.Scheduler;
import io.corc.api.SchedulerFactory;
import io.corc.api.Staging;
import io.corc.api.Storage;
import io.corc.jobio.StorageLoader;
import io.corc.ssh.SshKeys;
import io.corc.ssh.testing.MinaSshServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.BooleanSupplier;

/**
 * A test world: an SSH host (MINA in this JVM, real shell and SFTP on this machine), corc's home with its key, a
 * local storage and the {@code ssh} scheduler as core finds it.
 */
final class SshTestHost implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String BUCKET = "jobs";

    final Path home;
    final Path storageRoot;
    final MinaSshServer server;
    final RecordStore records = new InMemoryRecordStore();
    final Storage storage;

    SshTestHost(Path tmp) {
        home = tmp.resolve("corc-home");
        storageRoot = tmp.resolve("storage");
        server = MinaSshServer.start(tmp.resolve("remote-home"));
        server.authorize(new SshKeys(home, PluginConfig.empty("corc.configurers.ssh"))
                .create("id_ed25519", KeyType.ED25519)
                .publicKey());
        storage = StorageLoader.load("local", Map.of("path", storageRoot.toString()), home);
        storage.ensureBucket(BUCKET);
    }

    /** The {@code ssh} scheduler configured for this host, with {@code extra} settings. */
    Scheduler scheduler(Map<String, Object> extra) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("host", server.host());
        config.put("port", server.port());
        config.put("user", server.user());
        config.put("poll_interval", 0.2);
        config.putAll(extra);
        return schedulerWith(config);
    }

    Scheduler scheduler() {
        return scheduler(Map.of());
    }

    Scheduler schedulerWith(Map<String, Object> config) {
        SchedulerFactory factory = ServiceLoader.load(SchedulerFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(candidate -> candidate.name().equals("ssh"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no SchedulerFactory named ssh is registered"));
        return factory.create(new PluginContext("ssh", new PluginConfig("corc.schedulers.ssh", config), home, records));
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

    /** {@code spec} staging through this world's local storage, its inputs stored first, as core submits it. */
    JobSpec staged(JobSpec spec, Map<String, String> inputs) {
        Map<String, String> options = new LinkedHashMap<>(spec.options());
        options.put(Staging.STORAGE_NAME_OPTION, "local");
        options.put(Staging.STORAGE_CONFIG_OPTION_PREFIX + "path", storageRoot.toString());
        options.put(Staging.HOME_OPTION, home.toString());
        Staging staging = new Staging("local", BUCKET, spec.id(), null, null);
        try {
            Path dir = Files.createTempDirectory(home.getParent(), "inputs");
            for (Map.Entry<String, String> input : inputs.entrySet()) {
                Path file = dir.resolve(input.getKey());
                Files.createDirectories(file.getParent());
                Files.writeString(file, input.getValue());
            }
            storage.upload(dir, BUCKET, staging.inputKeyPrefix(), ProgressListener.NONE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return spec.withStaging(staging, options);
    }

    /** The job's directory on the host, as a local path (the host is this machine). */
    Path jobDir(String jobId) {
        return server.home().resolve(".corc/jobs").resolve(jobId);
    }

    /** Waits for {@code condition} until the deadline; fails saying {@code what} otherwise. */
    static void await(String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(TIMEOUT);
        long pause = 20;
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(pause); // polling a condition with a deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
            pause = Math.min(pause * 2, 200);
        }
    }

    /** Whether a process with this pid runs (a zombie does not: this machine's init may not reap orphans). */
    static boolean running(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static long pidIn(Path file) {
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
