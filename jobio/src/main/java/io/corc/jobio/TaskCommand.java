package io.corc.jobio;

import io.corc.api.JobSpec;
import io.corc.api.ProcessTrees;
import io.corc.api.SecureFiles;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a task's command as a child process with the task's environment, time limit and log files. */
final class TaskCommand {
    /** Exit code when the time limit was exceeded, as GNU timeout reports it. */
    static final int TIMED_OUT = 124;
    /** Exit code when the command could not be started, as shells report it. */
    static final int CANNOT_RUN = 127;

    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    /** What happened to the command; {@code error} is {@code null} unless something outside the command failed. */
    record Outcome(int exitCode, String error, boolean interrupted) {}

    private TaskCommand() {}

    /** Runs the command with its logs in {@code output} (when captured) or {@code taskDir}; see {@link TaskLogFiles}. */
    static Outcome run(JobSpec spec, int taskIndex, Path taskDir, Path input, Path output, TaskListener listener) {
        try (TaskLogFiles logs = TaskLogFiles.create(spec.capture() ? output : taskDir)) {
            return run(spec, taskIndex, taskDir, input, output, logs, listener);
        } catch (IOException e) {
            throw SecureFiles.ioFailure("keep the logs of task " + taskIndex + " in " + taskDir, e);
        }
    }

    private static Outcome run(
            JobSpec spec,
            int taskIndex,
            Path taskDir,
            Path input,
            Path output,
            TaskLogFiles logs,
            TaskListener listener) {
        ProcessBuilder builder = new ProcessBuilder(spec.command())
                .directory((spec.workingDir() == null ? taskDir : Path.of(spec.workingDir())).toFile())
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.stdout().toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(logs.stderr().toFile()));
        Map<String, String> env = builder.environment();
        env.putAll(spec.env());
        env.put("CORC_JOB_ID", spec.id());
        env.put("CORC_TASK_INDEX", Integer.toString(taskIndex));
        env.put("CORC_NUM_JOBS", Integer.toString(spec.numJobs()));
        env.put("CORC_INPUT", input.toAbsolutePath().toString());
        env.put("CORC_OUTPUT", output.toAbsolutePath().toString());
        Process process;
        try {
            process = builder.start();
        } catch (IOException | RuntimeException e) {
            return new Outcome(CANNOT_RUN, "cannot run '" + spec.command().get(0) + "': " + reason(e), false);
        }
        listener.started(process.toHandle());
        return await(process, spec.timeLimit());
    }

    private static Outcome await(Process process, Duration timeLimit) {
        try {
            if (timeLimit == null) {
                return new Outcome(process.waitFor(), null, false);
            }
            if (process.waitFor(Math.max(0, timeLimit.toNanos()), TimeUnit.NANOSECONDS)) {
                return new Outcome(process.exitValue(), null, false);
            }
            ProcessTrees.kill(process.toHandle(), KILL_GRACE);
            process.waitFor();
            return new Outcome(TIMED_OUT, "time limit of " + describe(timeLimit) + " exceeded", false);
        } catch (InterruptedException e) {
            ProcessTrees.kill(process.toHandle(), KILL_GRACE);
            return new Outcome(exitAfterKill(process), "interrupted: the command was killed", true);
        }
    }

    private static int exitAfterKill(Process process) {
        try {
            return process.onExit()
                    .get(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS)
                    .exitValue();
        } catch (Exception e) {
            return process.isAlive() ? -1 : process.exitValue();
        }
    }

    /** "error=2, No such file or directory" rather than Java's whole "Cannot run program ..." sentence. */
    private static String reason(Exception e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    /** A duration as people write it: 500ms, 30s, 1h30m. */
    static String describe(Duration duration) {
        if (duration.toMillisPart() != 0 || duration.isZero()) {
            return duration.toMillis() + "ms";
        }
        StringBuilder text = new StringBuilder();
        appendPart(text, duration.toHours(), "h");
        appendPart(text, duration.toMinutesPart(), "m");
        appendPart(text, duration.toSecondsPart(), "s");
        return text.toString();
    }

    private static void appendPart(StringBuilder text, long value, String unit) {
        if (value != 0) {
            text.append(value).append(unit);
        }
    }

    private static File nullDevice() {
        return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
