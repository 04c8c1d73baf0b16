package io.corc.jobio;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.JobSpec;
import io.corc.api.ProgressListener;
import io.corc.api.SecureFiles;
import io.corc.api.Staging;
import io.corc.api.Storage;
import io.corc.api.TaskReport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Runs one task of a job where it is executed (a local process, a Kubernetes pod, a Slurm node): fetches the
 * inputs, runs the command, writes {@code job.json} into the task's output and uploads the output.
 *
 * <p>Layout of {@code taskDir}: {@code input/} (the staged inputs, {@code CORC_INPUT}), {@code output/} (what the
 * command leaves there is uploaded, {@code CORC_OUTPUT}). With {@code capture} the command's stdout and stderr go to
 * {@code output/stdout.log} and {@code output/stderr.log}, otherwise to {@code stdout.log} and {@code stderr.log}
 * in {@code taskDir} itself, where they are kept but not uploaded. Log files are created with mode 0600.
 *
 * <p>Reserved names: {@code job.json}, and with {@code capture} {@code stdout.log} and {@code stderr.log}, in
 * {@code output/} are the runner's, part of the contract with whoever reads the output. A task must not write them;
 * when it leaves its own file under such a name (writes {@code job.json}, or deletes or replaces a log file), that
 * file is kept as {@code <name>.task} (e.g. {@code job.json.task}) and uploaded with the rest, and the runner's file
 * takes the name. A task that writes into a log file in place, instead of replacing it, mixes its data into the log.
 *
 * <p>Exit codes beyond the command's own: 124 when the time limit was exceeded (the process tree is killed), 125
 * when stage-in failed (the command is not run), 127 when the command could not be started, 128+n when it was
 * killed by signal n. A task succeeded when its exit code is 0 and its error is {@code null}: a failed upload of the
 * outputs keeps the command's exit code and sets the error.
 *
 * <p>{@code job.json} is written before the output tree is uploaded, with a stage-out time of 0, and written again
 * once the tree is up, with the measured stage-out time; the second upload of the tree moves only it and ends with
 * the tree's commit marker ({@link io.corc.api.TreeManifest}), so a reader never takes a cut-off upload for
 * complete outputs.
 */
public final class JobRunner {
    /** Exit code when the inputs could not be fetched and the command was not run. */
    public static final int STAGE_IN_FAILED = 125;

    private final Storage storage;

    /** @param storage where inputs and outputs are; may be {@code null} for specs without staging */
    public JobRunner(Storage storage) {
        this.storage = storage;
    }

    /**
     * Runs task {@code taskIndex} of {@code spec} in {@code taskDir} and blocks until it is done. Never throws
     * because the command or a transfer failed: that is in the report.
     *
     * @throws CorcException {@link io.corc.api.ErrorCategory#INVALID_INPUT} when the task index is out of range or
     *     the spec stages files but this runner has no storage
     */
    public TaskReport run(JobSpec spec, int taskIndex, Path taskDir, TaskListener listener) {
        requireNonNull(spec, "spec is null");
        requireNonNull(taskDir, "taskDir is null");
        requireNonNull(listener, "listener is null");
        if (taskIndex < 0 || taskIndex >= spec.numJobs()) {
            throw CorcException.invalidInput(
                    "task index " + taskIndex + " is out of range for " + spec.numJobs() + " task(s)");
        }
        Staging staging = spec.staging();
        if (staging != null && storage == null) {
            throw CorcException.invalidInput("job " + spec.id() + " stages files but the runner has no storage");
        }
        Instant startedAt = Instant.now();
        Path input = SecureFiles.privateDirectory(taskDir.resolve("input"));
        Path output = SecureFiles.privateDirectory(taskDir.resolve("output"));

        listener.phase("stage-in");
        StageIn stageIn = stageIn(spec, taskDir);

        TaskCommand.Outcome outcome;
        long computeStart = System.nanoTime();
        if (stageIn.error() == null) {
            listener.phase("running");
            outcome = TaskCommand.run(spec, taskIndex, taskDir, input, output, listener);
        } else {
            outcome = new TaskCommand.Outcome(STAGE_IN_FAILED, stageIn.error(), false);
        }
        double computeSeconds = stageIn.error() == null ? secondsSince(computeStart) : 0.0;
        if (staging != null) {
            listener.phase("stage-out");
        }
        TaskReport report = finish(
                spec, taskIndex, taskDir, startedAt, stageIn, outcome.exitCode(), outcome.error(), computeSeconds);
        listener.phase("done");
        if (outcome.interrupted()) {
            Thread.currentThread().interrupt();
        }
        return report;
    }

    /** How fetching the inputs went: its duration and, when it failed, why. */
    public record StageIn(double seconds, String error) {}

    /**
     * The first phase of a task, for runners that run the command elsewhere (another container of a pod): creates
     * {@code input/} and {@code output/} in {@code taskDir} and fetches the inputs into {@code input/}. Never
     * throws because the transfer failed: that is in the result.
     */
    public StageIn stageIn(JobSpec spec, Path taskDir) {
        SecureFiles.privateDirectory(taskDir.resolve("input"));
        SecureFiles.privateDirectory(taskDir.resolve("output"));
        if (spec.staging() == null) {
            return new StageIn(0.0, null);
        }
        long start = System.nanoTime();
        String error = stageIn(spec.staging(), taskDir.resolve("input"));
        return new StageIn(secondsSince(start), error);
    }

    /**
     * The last phase of a task: writes {@code job.json} into {@code output/} (setting aside a file of the task's
     * own under that name) and uploads the output tree. A failed upload is in the report's error.
     *
     * @param startedAt when the task's first phase started
     * @param exitCode the command's exit code (or one of this class's codes)
     * @param error what went wrong outside the command, or {@code null}
     */
    public TaskReport finish(
            JobSpec spec,
            int taskIndex,
            Path taskDir,
            Instant startedAt,
            StageIn stageIn,
            int exitCode,
            String error,
            double computeSeconds) {
        Path output = SecureFiles.privateDirectory(taskDir.resolve("output"));
        Path reportFile = output.resolve(TaskReport.FILE_NAME);
        setAside(reportFile);
        TaskReport report = new TaskReport(
                TaskReport.SCHEMA_VERSION,
                spec.id(),
                taskIndex,
                spec.command(),
                exitCode,
                hostName(),
                startedAt,
                Instant.now(),
                stageIn.seconds(),
                computeSeconds,
                0.0,
                error);
        JobJson.writeReport(report, reportFile);
        return spec.staging() == null ? report : stageOut(spec.staging(), taskIndex, output, report);
    }

    private static void setAside(Path reservedFile) {
        try {
            ReservedNames.setAside(reservedFile);
        } catch (IOException e) {
            throw SecureFiles.ioFailure("set aside the task's own " + reservedFile, e);
        }
    }

    private String stageIn(Staging staging, Path input) {
        try {
            storage.download(staging.bucket(), staging.inputKeyPrefix(), input, ProgressListener.NONE);
            return null;
        } catch (RuntimeException e) {
            return "stage-in failed: " + e.getMessage();
        }
    }

    private TaskReport stageOut(Staging staging, int taskIndex, Path output, TaskReport report) {
        String prefix = staging.outputKeyPrefix(taskIndex);
        long start = System.nanoTime();
        String error = report.error();
        try {
            storage.upload(output, staging.bucket(), prefix, ProgressListener.NONE);
        } catch (RuntimeException e) {
            error = join(error, "stage-out failed: " + e.getMessage());
        }
        TaskReport done = new TaskReport(
                report.schemaVersion(),
                report.jobId(),
                report.taskIndex(),
                report.command(),
                report.exitCode(),
                report.host(),
                report.startedAt(),
                Instant.now(),
                report.stageInSeconds(),
                report.computeSeconds(),
                secondsSince(start),
                error);
        Path reportFile = output.resolve(TaskReport.FILE_NAME);
        JobJson.writeReport(done, reportFile);
        try {
            // only job.json changed: this moves it alone, then writes the tree's commit marker anew
            storage.upload(output, staging.bucket(), prefix, ProgressListener.NONE);
        } catch (RuntimeException e) {
            // the first job.json is already uploaded with the tree; this one only adds the stage-out time
            done = withError(done, join(error, "upload of " + TaskReport.FILE_NAME + " failed: " + e.getMessage()));
            JobJson.writeReport(done, reportFile);
        }
        return done;
    }

    private static TaskReport withError(TaskReport r, String error) {
        return new TaskReport(
                r.schemaVersion(),
                r.jobId(),
                r.taskIndex(),
                r.command(),
                r.exitCode(),
                r.host(),
                r.startedAt(),
                r.endedAt(),
                r.stageInSeconds(),
                r.computeSeconds(),
                r.stageOutSeconds(),
                error);
    }

    private static String join(String first, String second) {
        return first == null ? second : first + "; " + second;
    }

    private static double secondsSince(long nanoStart) {
        return (System.nanoTime() - nanoStart) / 1e9;
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException | SecurityException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "localhost" : env;
        }
    }
}
