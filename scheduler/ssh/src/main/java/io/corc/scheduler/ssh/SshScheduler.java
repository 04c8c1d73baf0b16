package io.corc.scheduler.ssh;

import static java.util.Objects.requireNonNull;

import io.corc.api.CheckResult;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Feature;
import io.corc.api.Features;
import io.corc.api.Job;
import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.LogLine;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.Resource;
import io.corc.api.Scheduler;
import io.corc.api.StateRecord;
import io.corc.api.TaskStatus;
import io.corc.jobio.StorageLoader;
import io.corc.ssh.CommandResult;
import io.corc.ssh.KnownHosts;
import io.corc.ssh.ResourceLogin;
import io.corc.ssh.Shell;
import io.corc.ssh.SshSession;
import io.corc.ssh.SshTarget;
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
import java.util.stream.IntStream;

/**
 * Runs jobs on an SSH host: an orchestrated instance ({@link #prepare}) or the host in {@code
 * corc.schedulers.ssh}. {@link #submit} creates the job directory (see {@link RemoteJobLayout}), stages the inputs
 * and starts one detached driver ({@link JobScripts}) that runs the tasks at most {@code num_parallel} at once, so
 * the job does not depend on corc's connection: every later call, from any corc process, logs in again and reads
 * the job's files with one command. In sftp staging corc copies a finished task's outputs into storage when it
 * first sees the task finished ({@link StageOut}); in runner staging corc's job runner on the host does it.
 *
 * <p>The {@code ssh-job} record names the login and the job directory before the first remote call, so {@link
 * #remove} (and {@code corc gc}) can clean up whatever a failed submission left.
 */
public final class SshScheduler implements Scheduler {
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);
    private static final java.util.regex.Pattern JOB_ID = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

    private final String name;
    private final SshSchedulerSettings settings;
    private final Path home;
    private final RecordStore records;
    private final ResourceLogin resourceLogin;
    private Login bound;

    /** Where and how to log in. */
    record Login(SshTarget target, KnownHosts knownHosts) {}

    SshScheduler(
            String name, SshSchedulerSettings settings, ResourceLogin resourceLogin, Path home, RecordStore records) {
        this.name = requireNonNull(name, "name is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.resourceLogin = requireNonNull(resourceLogin, "resourceLogin is null");
        this.home = requireNonNull(home, "home is null");
        this.records = requireNonNull(records, "records is null");
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
                        "the ssh scheduler runs commands directly on the host; use kubernetes for images");
    }

    /** Binds the scheduler to {@code target}'s SSH endpoint, logging in as corc does ({@link ResourceLogin}). */
    @Override
    public void prepare(Resource target) {
        ResourceLogin.Login login = resourceLogin.login(target);
        bound = new Login(login.target(), login.knownHosts());
    }

    @Override
    public CheckResult check() {
        if (bound == null && settings.host() == null) {
            return CheckResult.notConfigured(
                    name,
                    "no host: set corc.schedulers.ssh.host (and user, key), or bind the scheduler to an instance");
        }
        Login login = login();
        try (HostConnection connection = connect(login)) {
            CommandResult result = connection
                    .session()
                    .run(
                            "command -v setsid >/dev/null 2>&1 || { echo 'setsid is missing' >&2; exit 1; }; "
                                    + "mkdir -p " + Shell.quote(settings.workDir()) + " && test -w "
                                    + Shell.quote(settings.workDir()),
                            COMMAND_TIMEOUT);
            if (!result.succeeded()) {
                return CheckResult.failed(
                        name,
                        login.target().login() + ": cannot use work_dir " + settings.workDir() + ": "
                                + result.stderr().strip());
            }
            return CheckResult.ok(
                    name,
                    "runs jobs on " + login.target().login() + " in " + settings.workDir() + " (staging "
                            + settings.staging().name().toLowerCase(java.util.Locale.ROOT) + ")");
        } catch (CorcException e) {
            return CheckResult.failed(
                    name, e.getMessage() + e.hint().map(h -> " (" + h + ")").orElse(""));
        }
    }

    @Override
    public Job submit(JobSpec spec, ProgressListener progress) {
        return submit(spec, Map.of(), progress);
    }

    /** The runner secrets are written 0600 into the job directory on the host in runner staging only. */
    @Override
    public Job submit(JobSpec spec, Map<String, String> runnerSecrets, ProgressListener progress) {
        requireNonNull(spec, "spec is null");
        requireNonNull(progress, "progress is null");
        if (spec.image() != null) {
            features().require(Feature.CONTAINER_IMAGES, name);
        }
        if (!JOB_ID.matcher(spec.id()).matches()) {
            throw CorcException.invalidInput("job id '" + spec.id() + "' is not a safe directory name")
                    .withHint("use letters, digits, - and _ only");
        }
        Login login = login();
        RemoteJobLayout layout = RemoteJobLayout.in(settings.workDir(), spec.id());
        boolean runner = settings.staging() == SshSchedulerSettings.Staging.RUNNER;
        Map<String, String> secrets = runner && runnerSecrets != null ? runnerSecrets : Map.of();
        String taskScript = runner
                ? JobScripts.runnerTask(spec.id(), settings.runner(), !secrets.isEmpty())
                : JobScripts.sftpTask(spec);
        claimRecord(spec, login, layout);
        return new Submission(this, spec, login, layout, runner ? settings.runner() : null, secrets, taskScript)
                .run(progress);
    }

    private void claimRecord(JobSpec spec, Login login, RemoteJobLayout layout) {
        StateRecord fresh = SshJobRecord.create(
                spec,
                login.target(),
                login.knownHosts(),
                layout,
                settings.staging().name().toLowerCase(java.util.Locale.ROOT));
        boolean[] claimed = {false};
        records.update(SshJobRecord.TYPE, spec.id(), existing -> {
            claimed[0] = existing == null;
            return existing == null ? fresh : existing;
        });
        if (!claimed[0]) {
            throw new CorcException(ErrorCategory.CONFLICT, "job '" + spec.id() + "' already exists on " + name)
                    .withHint("corc job delete " + spec.id() + " removes it");
        }
    }

    @Override
    public List<Job> list() {
        List<StateRecord> all = new ArrayList<>(records.list(SshJobRecord.TYPE));
        all.sort(Comparator.comparing(StateRecord::createdAt)
                .thenComparing(StateRecord::id)
                .reversed());
        Map<SshTarget, HostConnection> connections = new LinkedHashMap<>();
        try {
            List<Job> jobs = new ArrayList<>();
            for (StateRecord record : all) {
                SshJobRecord job = new SshJobRecord(record);
                HostConnection connection = connections.computeIfAbsent(
                        job.target(), t -> new HostConnection(t, job.knownHosts(), settings.connectTimeout()));
                try {
                    jobs.add(read(job, connection));
                } catch (CorcException e) {
                    jobs.add(unknown(job, e.getMessage()));
                }
            }
            return jobs;
        } finally {
            connections.values().forEach(HostConnection::close);
        }
    }

    @Override
    public Optional<Job> get(String jobId) {
        Optional<SshJobRecord> job = find(jobId);
        if (job.isEmpty()) {
            return Optional.empty();
        }
        try (HostConnection connection = connect(job.get())) {
            return Optional.of(read(job.get(), connection));
        }
    }

    @Override
    public void logs(String jobId, Integer taskIndex, boolean follow, Consumer<LogLine> sink) {
        requireNonNull(sink, "sink is null");
        SshJobRecord job = require(jobId);
        JobSpec spec = job.spec();
        if (taskIndex != null && (taskIndex < 0 || taskIndex >= spec.numJobs())) {
            throw CorcException.invalidInput("job " + jobId + " has no task " + taskIndex)
                    .withHint("task indexes run from 0 to " + (spec.numJobs() - 1));
        }
        List<Integer> tasks =
                taskIndex == null ? IntStream.range(0, spec.numJobs()).boxed().toList() : List.of(taskIndex);
        RemoteLogs logs = new RemoteLogs(job.layout(), spec.capture(), tasks);
        try (HostConnection connection = connect(job)) {
            if (!follow) {
                logs.round(connection.session(), sink);
                logs.flush(sink);
                return;
            }
            Backoff backoff = new Backoff(settings.pollInterval());
            while (true) {
                try {
                    boolean over = read(require(jobId), connection).state().isFinished();
                    int sent = logs.round(connection.session(), sink);
                    if (over) {
                        logs.flush(sink);
                        return;
                    }
                    backoff.pause(sent > 0);
                } catch (CorcException e) {
                    if (e.category() != ErrorCategory.UNAVAILABLE) {
                        throw e;
                    }
                    connection.reset(); // the connection dropped: log in again on the next round
                    backoff.pause(false);
                }
            }
        }
    }

    /** Kills the driver's and the tasks' process groups on the host; finished tasks keep their state. */
    @Override
    public Job cancel(String jobId) {
        SshJobRecord job = require(jobId);
        try (HostConnection connection = connect(job)) {
            if (job.done().size() < job.spec().numJobs()) {
                connection.session().run(JobScripts.cancel(job.layout()), COMMAND_TIMEOUT);
                records.update(SshJobRecord.TYPE, jobId, r -> r == null ? null : r.with("cancelled", true));
            }
            return read(require(jobId), connection);
        }
    }

    /** Cancels, deletes the job directory on the host, then the record; the record stays when the host cannot be reached. */
    @Override
    public void remove(String jobId) {
        Optional<SshJobRecord> job = find(jobId);
        if (job.isEmpty()) {
            return;
        }
        RemoteJobLayout layout = job.get().layout();
        try (HostConnection connection = connect(job.get())) {
            SshSession session = connection.session();
            session.run(JobScripts.cancel(layout), COMMAND_TIMEOUT);
            CommandResult removed = session.run("rm -rf " + layout.quoted(), COMMAND_TIMEOUT);
            if (!removed.succeeded()) {
                throw new CorcException(
                                ErrorCategory.INTERNAL,
                                "cannot delete " + layout.dir() + " on "
                                        + connection.target().login() + ": "
                                        + removed.stderr().strip())
                        .withHint("delete it by hand, then run corc job delete " + jobId + " again");
            }
        }
        records.delete(SshJobRecord.TYPE, jobId);
    }

    /** Polls with backoff over one connection, logging in again when it drops, until the job ends or time is up. */
    @Override
    public Job await(String jobId, Duration timeout, ProgressListener progress) {
        Instant deadline = Instant.now().plus(timeout);
        SshJobRecord first = require(jobId);
        Backoff backoff = new Backoff(settings.pollInterval());
        Job last = null;
        try (HostConnection connection = connect(first)) {
            while (true) {
                try {
                    last = read(require(jobId), connection);
                    progress.onProgress(
                            "tasks finished",
                            last.tasks().stream()
                                    .filter(t -> t.state().isFinished())
                                    .count(),
                            last.tasks().size());
                    if (last.state().isFinished()) {
                        return last;
                    }
                } catch (CorcException e) {
                    if (e.category() != ErrorCategory.UNAVAILABLE) {
                        throw e;
                    }
                    connection.reset();
                    progress.onProgress(
                            "lost the connection to " + connection.target().login()
                                    + "; the job keeps running, reconnecting",
                            0,
                            -1);
                }
                if (Instant.now().isAfter(deadline)) {
                    return last != null ? last : unknown(first, "the host could not be reached");
                }
                backoff.pause(false);
            }
        }
    }

    // --- reading a job --------------------------------------------------------------------------------------

    /** The job as the host and the record say, staging out tasks seen finished for the first time. */
    private Job read(SshJobRecord job, HostConnection connection) {
        JobSpec spec = job.spec();
        Map<Integer, TaskStatus> done = job.done();
        RemoteStatus status = null;
        if (done.size() < spec.numJobs()) {
            List<String> lines = new ArrayList<>();
            StringBuilder errors = new StringBuilder();
            int code = connection
                    .session()
                    .exec(
                            JobScripts.status(job.layout(), spec.numJobs(), job.runnerStaging()),
                            lines::add,
                            line -> errors.append(line).append('\n'),
                            COMMAND_TIMEOUT);
            if (code != 0) {
                throw new CorcException(
                                ErrorCategory.INTERNAL,
                                "reading job " + job.jobId() + " on "
                                        + connection.target().login() + " failed with exit code " + code + ": "
                                        + errors.toString().strip())
                        .withHint("check that the login shell of "
                                + connection.target().user() + " is a POSIX sh");
            }
            status = RemoteStatus.parse(lines);
        }
        List<TaskStatus> tasks = new ArrayList<>();
        for (int index = 0; index < spec.numJobs(); index++) {
            TaskStatus task = done.get(index);
            if (task == null) {
                task = status.gone()
                        ? unknownTask(index, "its directory " + job.layout().dir() + " is gone from the host")
                        : observe(job, spec, status, index, connection);
            }
            tasks.add(task);
        }
        return view(job, spec, tasks);
    }

    private TaskStatus observe(
            SshJobRecord job, JobSpec spec, RemoteStatus status, int index, HostConnection connection) {
        RemoteStatus.Task remote = status.tasks().get(index);
        TaskStatus task = TaskStates.of(
                index,
                status,
                remote,
                job.cancelled(),
                job.uploadSeconds(),
                spec.timeLimit(),
                job.runnerStaging() ? settings.runner() : null);
        if (!task.state().isFinished()) {
            return task;
        }
        if (!job.runnerStaging() && spec.staging() != null && remote != null && remote.exitCode() != null) {
            String error = task.exitCode() != 0
                            && (remote.timedOut()
                                    || task.exitCode() == JobScripts.STAGE_IN_FAILED
                                    || task.exitCode() == JobScripts.CANNOT_RUN)
                    ? task.message()
                    : null;
            return stageOutFor(spec).stage(job.jobId(), spec, job.layout(), connection.session(), task, error);
        }
        TaskStatus finalTask = task;
        records.update(SshJobRecord.TYPE, job.jobId(), r -> r == null ? null : SshJobRecord.withDone(r, finalTask));
        return task;
    }

    private StageOut stageOutFor(JobSpec spec) {
        return new StageOut(records, () -> StorageLoader.forSpec(spec, home));
    }

    private Job view(SshJobRecord job, JobSpec spec, List<TaskStatus> tasks) {
        JobState state = Job.stateOf(tasks);
        Instant finishedAt = state.isFinished()
                ? tasks.stream()
                        .map(TaskStatus::endedAt)
                        .filter(java.util.Objects::nonNull)
                        .max(Comparator.naturalOrder())
                        .orElse(Instant.now())
                : null;
        return new Job(job.jobId(), spec.name(), name, state, tasks, job.submittedAt(), finishedAt, details(job));
    }

    private Job unknown(SshJobRecord job, String why) {
        JobSpec spec = job.spec();
        List<TaskStatus> tasks = new ArrayList<>();
        Map<Integer, TaskStatus> done = job.done();
        for (int index = 0; index < spec.numJobs(); index++) {
            tasks.add(done.getOrDefault(index, unknownTask(index, why)));
        }
        return new Job(
                job.jobId(), spec.name(), name, Job.stateOf(tasks), tasks, job.submittedAt(), null, details(job));
    }

    private static TaskStatus unknownTask(int index, String why) {
        return new TaskStatus(index, JobState.UNKNOWN, null, null, null, null, null, null, null, why);
    }

    private static Map<String, String> details(SshJobRecord job) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("host", job.target().login());
        details.put("work_dir", job.layout().dir());
        details.put("staging", job.runnerStaging() ? "runner" : "sftp");
        return details;
    }

    // --- logins and records ---------------------------------------------------------------------------------

    private Login login() {
        if (bound != null) {
            return bound;
        }
        if (settings.host() == null) {
            throw CorcException.invalidInput("the ssh scheduler has no host to run on")
                    .withContext(name, "submit")
                    .withHint("set corc.schedulers.ssh.host (with user and key), or run the job on an instance");
        }
        Path key = settings.key() != null ? settings.key() : resourceLogin.privateKey();
        return new Login(
                new SshTarget(settings.host(), settings.port(), settings.user(), key), resourceLogin.knownHosts());
    }

    HostConnection connect(Login login) {
        return new HostConnection(login.target(), login.knownHosts(), settings.connectTimeout());
    }

    private HostConnection connect(SshJobRecord job) {
        return new HostConnection(job.target(), job.knownHosts(), settings.connectTimeout());
    }

    private Optional<SshJobRecord> find(String jobId) {
        if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
            return Optional.empty();
        }
        return records.get(SshJobRecord.TYPE, jobId).map(SshJobRecord::new);
    }

    private SshJobRecord require(String jobId) {
        return find(jobId).orElseThrow(() -> CorcException.notFound("job '" + jobId + "' not found")
                .withContext(name, null)
                .withHint("corc job list shows the jobs of this scheduler"));
    }

    RecordStore records() {
        return records;
    }

    Path home() {
        return home;
    }

    Duration commandTimeout() {
        return COMMAND_TIMEOUT;
    }

    /** Pauses between two looks: short after news, doubling up to the poll interval otherwise. */
    static final class Backoff {
        private static final long MIN_MILLIS = 100;
        private final long maxMillis;
        private long millis = MIN_MILLIS;

        Backoff(Duration max) {
            this.maxMillis = Math.max(MIN_MILLIS, max.toMillis());
        }

        void pause(boolean news) {
            millis = news ? MIN_MILLIS : millis;
            try {
                Thread.sleep(millis); // waiting on a remote host: there is nothing local to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CorcException(ErrorCategory.CANCELLED, "interrupted while waiting for the job");
            }
            millis = Math.min(millis * 2, maxMillis);
        }
    }
}
