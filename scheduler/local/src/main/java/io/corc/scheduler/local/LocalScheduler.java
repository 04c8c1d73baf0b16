package io.corc.scheduler.local;

import static java.util.Objects.requireNonNull;

import io.corc.api.CheckResult;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Feature;
import io.corc.api.Features;
import io.corc.api.Job;
import io.corc.api.JobSpec;
import io.corc.api.LocalMachine;
import io.corc.api.LogLine;
import io.corc.api.ProgressListener;
import io.corc.api.Scheduler;
import io.corc.api.SecureFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs jobs as processes on this machine. Jobs outlive the command that submitted them: {@link #submit} starts a
 * detached {@link LocalJobSupervisor} JVM per job, and every other call, from any process, reads the job's files.
 *
 * <p>Layout of {@code <work_dir>/<jobId>/} (directories 0700, files 0600, each replaced atomically):
 *
 * <pre>
 *   spec.json               the submitted spec (its time is the submission time)
 *   supervisor.json         {pid, started_at} of the supervisor process
 *   supervisor.log          the supervisor's own output
 *   cancel                  marker: cancellation was asked for; no further task starts
 *   finished.json           {finished_at, cancelled, supervisor_died}: written when every task is over, by the
 *                           supervisor, by cancel, or by a reader that found the supervisor killed
 *   tasks/&lt;i&gt;/status.json   {state, phase, pid, pid_started_at, started_at, ended_at, exit_code, error}
 *   tasks/&lt;i&gt;/output/       the task's output: job.json, and stdout.log/stderr.log when captured
 *   tasks/&lt;i&gt;/stdout.log    stdout (stderr.log: stderr) when not captured
 * </pre>
 *
 * <p>Staging contract: the supervisor rebuilds the storage from the spec's options {@code corc.storage.name},
 * {@code corc.storage.config.<key>} (each scalar key of the storage's configuration) and {@code corc.home}, which
 * core sets when it submits a job with staging; when {@code corc.home} is absent this scheduler's home is used.
 *
 * <p>The supervisor is started with this JVM's {@code java} and {@code java.class.path}, so the class path must
 * hold this module, jobio and the storage plug-ins (as the corc jar does). {@code CORC_JVM_OPTIONS} (space
 * separated) adds options to its command line; the launcher passes its CDS archive that way. Container images are
 * not supported ({@link #features()} says why, and core refuses such jobs before submitting them).
 */
public final class LocalScheduler implements Scheduler {
    private final String name;
    private final LocalSchedulerConfig config;
    private final Path home;

    LocalScheduler(String name, LocalSchedulerConfig config, Path home) {
        this.name = requireNonNull(name, "name is null");
        this.config = requireNonNull(config, "config is null");
        this.home = requireNonNull(home, "home is null");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Features features() {
        return Features.of(Feature.PARALLEL_TASKS, Feature.LOG_FOLLOW)
                .without(
                        Feature.CONTAINER_IMAGES,
                        "the local scheduler runs commands directly on this machine; use kubernetes for images");
    }

    @Override
    public CheckResult check() {
        try {
            FileTrees.privateDirectories(config.workDir());
        } catch (CorcException e) {
            return CheckResult.failed(name, "cannot use work_dir " + config.workDir() + ": " + e.getMessage());
        }
        if (!Files.isWritable(config.workDir())) {
            return CheckResult.failed(name, "work_dir " + config.workDir() + " is not writable");
        }
        return CheckResult.ok(
                name, "runs processes under " + config.workDir() + ", up to " + config.maxParallel() + " at once");
    }

    /**
     * Creates the job directory, writes the spec and starts the supervisor; returns at once. Fails with
     * {@code CAPACITY} when a task asks for more cores or memory than this machine has, with {@code CONFLICT} when
     * a job with the spec's id exists, with {@code INTERNAL} (and nothing left behind) when
     * the supervisor cannot be started.
     */
    @Override
    public Job submit(JobSpec spec, ProgressListener progress) {
        requireNonNull(spec, "spec is null");
        requireNonNull(progress, "progress is null");
        MachineFit.require(spec, LocalMachine.detect(), name);
        progress.onProgress("starting supervisor", 0, 1);
        JobDirectory dir = SupervisorLauncher.submit(
                config.workDir(),
                StagingOptions.withDefaultHome(spec, home),
                config.threadsFor(spec.numJobs(), spec.numParallel()),
                name);
        progress.onProgress("starting supervisor", 1, 1);
        return JobStatusReader.read(name, dir);
    }

    @Override
    public List<Job> list() {
        if (!Files.isDirectory(config.workDir())) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(config.workDir())) {
            return dirs.filter(dir -> JobDirectory.isValidId(dir.getFileName().toString()))
                    .map(JobDirectory::new)
                    .flatMap(dir -> readIfPresent(dir).stream())
                    .sorted(Comparator.comparing(Job::submittedAt)
                            .thenComparing(Job::id)
                            .reversed())
                    .toList();
        } catch (IOException e) {
            throw SecureFiles.ioFailure("list " + config.workDir(), e);
        }
    }

    @Override
    public Optional<Job> get(String jobId) {
        return find(jobId).flatMap(this::readIfPresent);
    }

    @Override
    public void logs(String jobId, Integer taskIndex, boolean follow, Consumer<LogLine> sink) {
        requireNonNull(sink, "sink is null");
        JobLogs.send(require(jobId), taskIndex, follow, sink);
    }

    /** Fails with {@code NOT_FOUND} also when the job is removed by another process while being cancelled. */
    @Override
    public Job cancel(String jobId) {
        JobDirectory dir = require(jobId);
        try {
            JobCanceller.cancel(dir);
            return JobStatusReader.read(name, dir);
        } catch (CorcException e) {
            if (e.category() == ErrorCategory.NOT_FOUND && !Files.exists(dir.specFile())) {
                throw notFound(jobId);
            }
            throw e;
        }
    }

    /** Idempotent: deletes the job's directory, even one left without its spec, and tolerates a concurrent remove. */
    @Override
    public void remove(String jobId) {
        if (!JobDirectory.isValidId(jobId)) {
            return;
        }
        JobDirectory dir = new JobDirectory(config.workDir().resolve(jobId));
        if (Files.isDirectory(dir.path(), LinkOption.NOFOLLOW_LINKS)) {
            JobCanceller.remove(dir);
        }
    }

    /** Waits for the supervisor process to exit (or the timeout), reporting finished tasks about twice a second. */
    @Override
    public Job await(String jobId, Duration timeout, ProgressListener progress) {
        JobDirectory dir = require(jobId);
        Optional<ProcessHandle> supervisor = dir.readSupervisor().flatMap(SupervisorRecord::liveProcess);
        if (supervisor.isEmpty()) {
            return Scheduler.super.await(jobId, timeout, progress);
        }
        return SupervisorWait.await(dir, supervisor.get(), () -> JobStatusReader.read(name, dir), timeout, progress);
    }

    private Optional<JobDirectory> find(String jobId) {
        if (!JobDirectory.isValidId(jobId)) {
            return Optional.empty();
        }
        JobDirectory dir = new JobDirectory(config.workDir().resolve(jobId));
        return Files.isRegularFile(dir.specFile()) ? Optional.of(dir) : Optional.empty();
    }

    private JobDirectory require(String jobId) {
        return find(jobId).orElseThrow(() -> notFound(jobId));
    }

    private CorcException notFound(String jobId) {
        return CorcException.notFound("job '" + jobId + "' not found")
                .withContext(name, null)
                .withHint("corc job list shows the jobs of this scheduler");
    }

    /** The job, or empty when its directory vanished while being read (removed by another process). */
    private Optional<Job> readIfPresent(JobDirectory dir) {
        try {
            return Optional.of(JobStatusReader.read(name, dir));
        } catch (RuntimeException e) {
            if (Files.exists(dir.specFile())) {
                throw e;
            }
            return Optional.empty();
        }
    }
}
