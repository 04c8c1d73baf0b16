package io.corc.scheduler.slurm;

import static java.util.Objects.requireNonNull;

import io.corc.api.CheckResult;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Feature;
import io.corc.api.Features;
import io.corc.api.Job;
import io.corc.api.JobSpec;
import io.corc.api.LogLine;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.Scheduler;
import io.corc.api.Staging;
import io.corc.api.StateRecord;
import io.corc.api.TaskStatus;
import io.corc.jobio.JobJson;
import io.corc.ssh.Shell;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Runs a corc job as one Slurm job array, submitted with {@code sbatch} on this machine or on a login node over
 * SSH. Each array task runs corc's job runner, which stages inputs in, runs the command, writes job.json and stages
 * outputs out; the job's files live in a work dir the compute nodes share ({@link JobLayout}). State comes from
 * {@code squeue} (and {@code sacct} where accounting exists) and from the runner's files, so a job stays readable
 * after Slurm has forgotten it. What {@link #remove} needs is in corc's state store ({@link SlurmJobRecord}).
 */
public final class SlurmScheduler implements Scheduler {
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    private static final Pattern SLURM_JOB_ID = Pattern.compile("[0-9]+");
    private static final Duration REMOVE_WAIT = Duration.ofSeconds(30);
    /** The runner on a login node's cluster when none is configured: corc installed there, on the PATH. */
    static final String LOGIN_NODE_RUNNER = "corc jobio run";

    private final String name;
    private final SlurmSettings settings;
    private final Path home;
    private final RecordStore records;
    private final Supplier<SlurmHost> hosts;

    SlurmScheduler(String name, SlurmSettings settings, Path home, RecordStore records, Supplier<SlurmHost> hosts) {
        this.name = requireNonNull(name, "name is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.home = requireNonNull(home, "home is null");
        this.records = requireNonNull(records, "records is null");
        this.hosts = requireNonNull(hosts, "hosts is null");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Features features() {
        return Features.of(Feature.PARALLEL_TASKS, Feature.LOG_FOLLOW, Feature.GPUS)
                .without(
                        Feature.CONTAINER_IMAGES,
                        "Slurm runs commands on its nodes directly; use kubernetes for container images");
    }

    @Override
    public CheckResult check() {
        try (SlurmHost host = hosts.get()) {
            CommandOutput sinfo = host.run(List.of("sinfo", "-h", "-o", "%P %a"), settings.commandTimeout());
            if (sinfo.exitCode() == CommandOutput.NOT_FOUND && settings.login() == null) {
                return CheckResult.notConfigured(
                        name,
                        "Slurm's commands (sinfo, sbatch) are not installed on this machine; install slurm-client or"
                                + " set corc.schedulers.slurm.login to submit on a login node");
            }
            if (!sinfo.ok()) {
                return CheckResult.failed(name, "sinfo on " + host.describe() + " failed: " + sinfo.errorText());
            }
            CommandOutput sbatch = host.run(List.of("sbatch", "--version"), settings.commandTimeout());
            if (!sbatch.ok()) {
                return CheckResult.failed(
                        name, "sbatch on " + host.describe() + " does not run: " + sbatch.errorText());
            }
            String partitions = String.join(", ", sinfo.stdout().strip().lines().toList());
            return CheckResult.ok(
                    name, sbatch.stdout().strip() + " on " + host.describe() + "; partitions (state): " + partitions);
        } catch (CorcException e) {
            return CheckResult.failed(
                    name,
                    e.getMessage() + e.hint().map(h -> " (hint: " + h + ")").orElse(""));
        }
    }

    /**
     * Writes the spec and batch script into the job's directory and submits the array. The record is written first
     * and names the directory; on failure the directory, any Slurm job and the record are removed again, and what
     * cannot be removed is attached as a suppressed exception with the record left as {@code rollback-pending}.
     */
    @Override
    public Job submit(JobSpec spec, ProgressListener progress) {
        return submit(spec, Map.of(), progress);
    }

    /** Storage credentials for the runner go into the job directory's {@code secrets/} (0600 files, 0700). */
    @Override
    public Job submit(JobSpec spec, Map<String, String> runnerSecrets, ProgressListener progress) {
        requireNonNull(spec, "spec is null");
        requireNonNull(progress, "progress is null");
        if (spec.image() != null) {
            features().require(Feature.CONTAINER_IMAGES, name);
        }
        if (!JOB_ID.matcher(spec.id()).matches()) {
            throw CorcException.invalidInput("job id '" + spec.id() + "' cannot name a directory");
        }
        try (SlurmHost host = hosts.get()) {
            JobLayout layout = JobLayout.in(workDir(host), spec.id());
            if (host.readFile(layout.specFile()).isPresent()) {
                throw new CorcException(
                        ErrorCategory.CONFLICT,
                        "job '" + spec.id() + "' exists in " + layout.dir() + " on " + host.describe());
            }
            JobSpec runnerSpec = runnerSpec(spec);
            SlurmJobRecord record = new SlurmJobRecord(
                    spec.id(),
                    spec.name(),
                    spec.numJobs(),
                    spec.capture(),
                    null,
                    layout.dir(),
                    host.describe(),
                    false,
                    Instant.now());
            records.put(record.toState("submitting"));
            progress.onProgress("submitting to Slurm", 0, 1);
            String slurmJobId = null;
            boolean unanswered = false;
            try {
                writeJobFiles(host, layout, runnerSpec, runnerSecrets);
                unanswered = true; // until sbatch answers, Slurm may or may not have the job
                CommandOutput sbatch =
                        host.run(SbatchArguments.build(spec, settings, layout), settings.commandTimeout());
                unanswered = false;
                if (!sbatch.ok()) {
                    throw SbatchErrors.refused(spec.id(), sbatch, host, name);
                }
                slurmJobId = parseJobId(sbatch.stdout());
                String id = slurmJobId;
                records.update(
                        SlurmJobRecord.TYPE,
                        spec.id(),
                        r -> r == null ? null : r.with("slurm_job_id", id).withStatus("submitted"));
                progress.onProgress("submitting to Slurm", 1, 1);
                List<TaskStatus> tasks = IntStream.range(0, spec.numJobs())
                        .mapToObj(TaskStatus::pending)
                        .toList();
                Map<String, String> details = new LinkedHashMap<>();
                details.put("slurm_job_id", slurmJobId);
                details.put("work_dir", layout.dir());
                details.put("submitted_on", host.describe());
                return new Job(
                        spec.id(),
                        spec.name(),
                        name,
                        io.corc.api.JobState.PENDING,
                        tasks,
                        record.submittedAt(),
                        null,
                        details);
            } catch (RuntimeException e) {
                CorcException error = e instanceof CorcException c
                        ? c
                        : CorcException.internal("could not submit job " + spec.id() + ": " + e.getMessage(), e);
                rollBack(host, layout, spec.id(), slurmJobId, unanswered, error);
                throw error;
            }
        }
    }

    private void writeJobFiles(SlurmHost host, JobLayout layout, JobSpec spec, Map<String, String> secrets) {
        host.createPrivateDirectory(layout.dir());
        host.createPrivateDirectory(layout.slurmDir());
        host.createPrivateDirectory(layout.tasksDir());
        host.writeFile(layout.specFile(), JobJson.toJson(spec).getBytes(StandardCharsets.UTF_8), 0600);
        if (!secrets.isEmpty()) {
            host.createPrivateDirectory(layout.secretsDir());
            for (Map.Entry<String, String> secret : secrets.entrySet()) {
                if (!JOB_ID.matcher(secret.getKey()).matches()) {
                    throw CorcException.internal("storage secret name '" + secret.getKey() + "' is no file name", null);
                }
                host.writeFile(
                        layout.secretsDir() + "/" + secret.getKey(),
                        secret.getValue().getBytes(StandardCharsets.UTF_8),
                        0600);
            }
        }
        String script = BatchScript.render(spec.id(), layout, runner(), !secrets.isEmpty());
        host.writeFile(layout.script(), script.getBytes(StandardCharsets.UTF_8), 0700);
    }

    /**
     * @param unanswered whether sbatch never answered (its connection dropped, or it timed out): the array may
     *     exist without its id known, so it is cancelled by name
     */
    private void rollBack(
            SlurmHost host,
            JobLayout layout,
            String jobId,
            String slurmJobId,
            boolean unanswered,
            CorcException error) {
        try {
            if (slurmJobId != null) {
                scancel(host, slurmJobId);
            } else if (unanswered) {
                scancelByName(host, jobId);
            }
            host.deleteTree(layout.dir());
            records.delete(SlurmJobRecord.TYPE, jobId);
        } catch (RuntimeException cleanup) {
            // the record stays and names the directory (and the Slurm job), so corc gc can finish the clean-up
            error.addSuppressed(cleanup);
            records.update(SlurmJobRecord.TYPE, jobId, r -> r == null ? null : r.withStatus("rollback-pending"));
        }
    }

    /** {@code sbatch --parsable} prints {@code <id>} or {@code <id>;<cluster>}. */
    static String parseJobId(String stdout) {
        String first = stdout.strip().lines().reduce((a, b) -> b).orElse("");
        String id = first.split(";")[0].strip();
        if (!SLURM_JOB_ID.matcher(id).matches()) {
            throw CorcException.internal("sbatch printed no job id but '" + stdout.strip() + "'", null);
        }
        return id;
    }

    @Override
    public List<Job> list() {
        List<StateRecord> all = new ArrayList<>(records.list(SlurmJobRecord.TYPE));
        if (all.isEmpty()) {
            return List.of();
        }
        try (SlurmHost host = hosts.get()) {
            SlurmJobReader reader = reader(host);
            return all.stream()
                    .map(SlurmJobRecord::from)
                    .map(reader::read)
                    .sorted(Comparator.comparing(Job::submittedAt)
                            .thenComparing(Job::id)
                            .reversed())
                    .toList();
        }
    }

    @Override
    public Optional<Job> get(String jobId) {
        Optional<SlurmJobRecord> record = find(jobId);
        if (record.isEmpty()) {
            return Optional.empty();
        }
        try (SlurmHost host = hosts.get()) {
            return Optional.of(reader(host).read(record.get()));
        }
    }

    @Override
    public void logs(String jobId, Integer taskIndex, boolean follow, Consumer<LogLine> sink) {
        requireNonNull(sink, "sink is null");
        SlurmJobRecord record = require(jobId);
        try (SlurmHost host = hosts.get()) {
            SlurmJobReader reader = reader(host);
            Duration pause = min(settings.pollInterval(), Duration.ofMillis(500));
            new SlurmLogs(host)
                    .send(
                            record,
                            taskIndex,
                            follow,
                            pause,
                            () -> reader.read(record).state().isFinished(),
                            sink);
        }
    }

    /** {@code scancel} of the whole array; finished tasks keep their state. Idempotent. */
    @Override
    public Job cancel(String jobId) {
        SlurmJobRecord record = require(jobId);
        try (SlurmHost host = hosts.get()) {
            if (record.slurmJobId() != null) {
                scancel(host, record.slurmJobId());
            }
            // after scancel succeeded: tasks that leave no trace once Slurm forgets them read as cancelled, not lost
            records.update(SlurmJobRecord.TYPE, jobId, r -> r == null ? null : r.with("cancelled", true));
            return reader(host).read(require(jobId));
        }
    }

    /**
     * Cancels the array (found by its job name when the submission died before its id was recorded), waits until
     * Slurm has stopped its tasks, so that none writes into the directory after it is gone, then deletes the job's
     * directory and record.
     */
    @Override
    public void remove(String jobId) {
        Optional<SlurmJobRecord> found = find(jobId);
        if (found.isEmpty()) {
            return;
        }
        SlurmJobRecord record = found.get();
        try (SlurmHost host = hosts.get()) {
            if (record.slurmJobId() != null) {
                scancel(host, record.slurmJobId());
                awaitStopped(host, record.slurmJobId());
            } else {
                scancelByName(host, jobId);
            }
            host.deleteTree(record.jobDir());
        }
        records.delete(SlurmJobRecord.TYPE, jobId);
    }

    /** Polls the job, from 200 ms up to {@code poll_interval} between looks, reporting finished tasks. */
    @Override
    public Job await(String jobId, Duration timeout, ProgressListener progress) {
        SlurmJobRecord record = require(jobId);
        Instant deadline = Instant.now().plus(timeout);
        Duration pause = Duration.ofMillis(200);
        try (SlurmHost host = hosts.get()) {
            SlurmJobReader reader = reader(host);
            while (true) {
                Job job = reader.read(record);
                progress.onProgress(
                        "tasks finished",
                        job.tasks().stream().filter(t -> t.state().isFinished()).count(),
                        job.tasks().size());
                if (job.state().isFinished() || !Instant.now().isBefore(deadline)) {
                    return job;
                }
                sleep(min(pause, Duration.between(Instant.now(), deadline)), jobId);
                pause = min(pause.multipliedBy(2), settings.pollInterval());
                record = require(jobId); // cancel() in another process marks the record
            }
        }
    }

    private void scancel(SlurmHost host, String slurmJobId) {
        CommandOutput scancel = host.run(List.of("scancel", slurmJobId), settings.commandTimeout());
        // scancel of a job Slurm has already forgotten says "Invalid job id": nothing left to cancel
        if (!scancel.ok() && !scancel.errorText().contains("Invalid job id")) {
            throw unavailable("scancel " + slurmJobId, host, scancel);
        }
    }

    /** For a submission whose Slurm id was never learnt: its array, if any, by its job name. */
    private void scancelByName(SlurmHost host, String jobId) {
        CommandOutput byName = host.run(List.of("scancel", "--name=corc-" + jobId), settings.commandTimeout());
        if (!byName.ok() && byName.exitCode() != CommandOutput.NOT_FOUND) {
            throw unavailable("scancel --name=corc-" + jobId, host, byName);
        }
    }

    private void awaitStopped(SlurmHost host, String slurmJobId) {
        SlurmQueue queue = new SlurmQueue(host, settings.commandTimeout());
        Instant deadline = Instant.now().plus(REMOVE_WAIT);
        Duration pause = Duration.ofMillis(100);
        while (Instant.now().isBefore(deadline)) {
            boolean active = queue.tasks(slurmJobId).values().stream()
                    .anyMatch(e -> List.of("RUNNING", "COMPLETING", "CONFIGURING", "SIGNALING", "STAGE_OUT")
                            .contains(e.state()));
            if (!active) {
                return;
            }
            sleep(pause, slurmJobId);
            pause = min(pause.multipliedBy(2), Duration.ofSeconds(1));
        }
        throw new CorcException(
                        ErrorCategory.CONFLICT,
                        "Slurm job " + slurmJobId + " still runs " + REMOVE_WAIT.toSeconds() + " s after scancel")
                .withContext(name, "job delete")
                .withHint("try again later; squeue -j " + slurmJobId + " shows what Slurm does with it");
    }

    private CorcException unavailable(String command, SlurmHost host, CommandOutput output) {
        return new CorcException(
                ErrorCategory.UNAVAILABLE,
                command + " on " + host.describe() + " failed: " + output.errorText(),
                name,
                null,
                "check that the Slurm controller is up: sinfo",
                null);
    }

    private SlurmJobReader reader(SlurmHost host) {
        return new SlurmJobReader(host, new SlurmQueue(host, settings.commandTimeout()), name);
    }

    private String workDir(SlurmHost host) {
        if (settings.workDir() != null) {
            String dir = settings.workDir();
            return dir.equals("~") || dir.startsWith("~/") ? host.homeDirectory() + dir.substring(1) : dir;
        }
        return settings.login() == null
                ? home.resolve("slurm").resolve("jobs").toAbsolutePath().toString()
                : host.homeDirectory() + "/.corc/slurm/jobs";
    }

    /**
     * The default runner: on a login node {@link #LOGIN_NODE_RUNNER}, here this JVM's java and class path, valid
     * where the nodes see this machine's files.
     */
    private String runner() {
        if (settings.runner() != null) {
            return settings.runner();
        }
        if (settings.login() != null) {
            return LOGIN_NODE_RUNNER;
        }
        String java = ProcessHandle.current()
                .info()
                .command()
                .filter(command -> Path.of(command).getFileName().toString().startsWith("java"))
                .orElseGet(() ->
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return Shell.join(List.of(
                java,
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                SlurmTaskRunner.class.getName()));
    }

    /**
     * The spec the runner reads. Here its corc home defaults to this scheduler's; this machine's corc home means
     * nothing on a login node's cluster, so there the runner uses its own ({@code ~/.corc}).
     */
    private JobSpec runnerSpec(JobSpec spec) {
        Map<String, String> options = new LinkedHashMap<>(spec.options());
        if (settings.login() != null) {
            options.remove(Staging.HOME_OPTION);
        } else {
            options.putIfAbsent(Staging.HOME_OPTION, home.toAbsolutePath().toString());
        }
        return options.equals(spec.options()) ? spec : spec.withStaging(spec.staging(), options);
    }

    private Optional<SlurmJobRecord> find(String jobId) {
        if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
            return Optional.empty();
        }
        return records.get(SlurmJobRecord.TYPE, jobId).map(SlurmJobRecord::from);
    }

    private SlurmJobRecord require(String jobId) {
        return find(jobId).orElseThrow(() -> CorcException.notFound("job '" + jobId + "' not found")
                .withContext(name, null)
                .withHint("corc job list shows the jobs of this scheduler"));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void sleep(Duration pause, String jobId) {
        try {
            Thread.sleep(Math.max(0, pause.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CorcException(ErrorCategory.CANCELLED, "interrupted while waiting for job " + jobId);
        }
    }

    /** This machine, or with {@code login} the login node over SSH, logging in as corc does ({@code ResourceLogin}). */
    static Function<SlurmSettings, Supplier<SlurmHost>> defaultHosts(Path home) {
        return settings -> {
            SlurmSettings.LoginSettings login = settings.login();
            if (login == null) {
                return LocalSlurmHost::new;
            }
            return () -> new SshSlurmHost(login.target(home), login.knownHosts(home), SshSlurmHost.CONNECT_TIMEOUT);
        };
    }
}
