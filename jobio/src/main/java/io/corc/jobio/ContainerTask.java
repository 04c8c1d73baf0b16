package io.corc.jobio;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.JobSpec;
import io.corc.api.ProcessTrees;
import io.corc.api.SecureFiles;
import io.corc.api.TaskReport;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A task whose command runs in a container the runner does not control, such as the user's image in a Kubernetes
 * pod: the runner stages in from one container, a POSIX shell wrapper ({@link #wrapperScript}) runs the command in
 * the user's image, and the runner stages out from a third container once the wrapper reports the exit code. The
 * containers share {@code taskDir} and a control directory, and a process namespace so the runner can tell a
 * killed command from a slow one and enforce the time limit.
 *
 * <p>Control files (each written once, by one party):
 *
 * <pre>
 *   stage-in.json     {seconds, error, started_at}          by {@link #stageIn}
 *   stage-in.failed   present when stage-in failed          by {@link #stageIn}
 *   task.pid          the wrapper's pid, when it started    by the wrapper
 *   task.exit         the command's exit code               by the wrapper
 * </pre>
 *
 * The user's image needs nothing but {@code /bin/sh}: the wrapper uses shell built-ins only.
 */
public final class ContainerTask {
    public static final String STAGE_IN_FILE = "stage-in.json";
    public static final String STAGE_IN_FAILED_FILE = "stage-in.failed";
    public static final String PID_FILE = "task.pid";
    public static final String EXIT_FILE = "task.exit";

    /** Environment variable naming the control directory, for the wrapper. */
    public static final String CONTROL_DIR_VARIABLE = "CORC_CONTROL";

    /** Exit code when the command's container ended without the wrapper reporting: killed, e.g. out of memory. */
    public static final int KILLED = 137;

    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);
    private static final int TERMINATION_MESSAGE_LIMIT = 4096;

    private final JobRunner runner;
    private final Path taskDir;
    private final Path controlDir;
    private final Clock clock;

    public ContainerTask(JobRunner runner, Path taskDir, Path controlDir) {
        this(runner, taskDir, controlDir, Clock.systemUTC());
    }

    ContainerTask(JobRunner runner, Path taskDir, Path controlDir, Clock clock) {
        this.runner = requireNonNull(runner, "runner is null");
        this.taskDir = requireNonNull(taskDir, "taskDir is null");
        this.controlDir = requireNonNull(controlDir, "controlDir is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * The wrapper that runs the command in the user's container: {@code sh -c <script> corc-task <argv...>}, with
     * {@link #CONTROL_DIR_VARIABLE} and {@code CORC_OUTPUT} in its environment. Records its pid, skips the command
     * when stage-in failed (exit 125), runs it (stdin from /dev/null; with {@code capture} stdout and stderr into
     * the output's log files), and records the exit code; a command that cannot be found exits 127 as in any shell.
     */
    public static String wrapperScript(boolean capture) {
        String redirects = capture ? " >\"$CORC_OUTPUT/stdout.log\" 2>\"$CORC_OUTPUT/stderr.log\"" : "";
        return String.join(
                "\n",
                "c=\"$" + CONTROL_DIR_VARIABLE + "\"",
                "echo $$ >\"$c/" + PID_FILE + "\"",
                "if [ -e \"$c/" + STAGE_IN_FAILED_FILE + "\" ]; then echo " + JobRunner.STAGE_IN_FAILED + " >\"$c/"
                        + EXIT_FILE + "\"; exit " + JobRunner.STAGE_IN_FAILED + "; fi",
                "\"$@\" </dev/null" + redirects,
                "rc=$?",
                "echo $rc >\"$c/" + EXIT_FILE + "\"",
                "exit $rc");
    }

    /** Stages the inputs in and leaves the outcome in the control directory for the wrapper and {@link #stageOut}. */
    public JobRunner.StageIn stageIn(JobSpec spec) {
        Instant startedAt = clock.instant();
        SecureFiles.privateDirectory(controlDir);
        JobRunner.StageIn result = runner.stageIn(spec, taskDir);
        writeControl(
                STAGE_IN_FILE,
                JobJson.toJson(Map.of(
                        "seconds", result.seconds(),
                        "started_at", startedAt.toString(),
                        "error", result.error() == null ? "" : result.error())));
        if (result.error() != null) {
            writeControl(STAGE_IN_FAILED_FILE, result.error());
        }
        openToPod(taskDir);
        openToPod(controlDir);
        return result;
    }

    /**
     * Lets the user's container write the output and control files and read the inputs whatever user it runs as.
     * The directories live on a volume only this pod's containers see, so the permissive modes expose nothing.
     */
    private static void openToPod(Path root) {
        if (!root.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        try (java.util.stream.Stream<Path> tree = Files.walk(root)) {
            for (Path path : (Iterable<Path>) tree::iterator) {
                Files.setPosixFilePermissions(
                        path,
                        java.nio.file.attribute.PosixFilePermissions.fromString(
                                Files.isDirectory(path) ? "rwxrwxrwx" : "rw-rw-rw-"));
            }
        } catch (IOException e) {
            throw SecureFiles.ioFailure("share " + root + " with the task's container", e);
        }
    }

    /**
     * Waits for the wrapper to finish the command, copying captured logs to {@code stdout}/{@code stderr} as they
     * grow, enforcing the spec's time limit, then writes job.json and uploads the outputs.
     *
     * @param startTimeout how long to wait for the command to start before giving up (image pulls can be slow)
     * @param terminationLog where Kubernetes reads a container's termination message, or {@code null}: gets the
     *     report as JSON, so the scheduler learns the task's timings without reading storage
     */
    public TaskReport stageOut(
            JobSpec spec,
            int taskIndex,
            Duration startTimeout,
            Path terminationLog,
            OutputStream stdout,
            OutputStream stderr) {
        SecureFiles.privateDirectory(controlDir);
        List<LogCopy> logs = spec.capture()
                ? List.of(
                        new LogCopy(taskDir.resolve("output").resolve(ReservedNames.STDOUT), stdout),
                        new LogCopy(taskDir.resolve("output").resolve(ReservedNames.STDERR), stderr))
                : List.of();
        Outcome outcome = awaitCommand(spec.timeLimit(), startTimeout, logs);
        logs.forEach(LogCopy::copyNew);
        StageInRecord stageIn = readStageIn();
        TaskReport report = runner.finish(
                spec,
                taskIndex,
                taskDir,
                stageIn.startedAt(),
                new JobRunner.StageIn(stageIn.seconds(), stageIn.error()),
                outcome.exitCode(),
                outcome.error() != null ? outcome.error() : stageIn.error(),
                outcome.computeSeconds());
        if (terminationLog != null) {
            writeTerminationMessage(report, terminationLog);
        }
        return report;
    }

    /** The exit code a runner container reports for the task: the command's, or 1 when only staging failed. */
    public static int exitCodeOf(TaskReport report) {
        if (report.exitCode() != 0) {
            return report.exitCode() > 0 && report.exitCode() < 256 ? report.exitCode() : 1;
        }
        return report.error() == null ? 0 : 1;
    }

    private record Outcome(int exitCode, String error, double computeSeconds) {}

    private record StageInRecord(Instant startedAt, double seconds, String error) {}

    private Outcome awaitCommand(Duration timeLimit, Duration startTimeout, List<LogCopy> logs) {
        Instant waitingSince = clock.instant();
        boolean killedForTime = false;
        while (true) {
            logs.forEach(LogCopy::copyNew);
            Optional<Integer> exit = readInt(EXIT_FILE);
            Optional<Integer> pid = readInt(PID_FILE);
            if (exit.isPresent()) {
                double seconds = secondsBetween(modified(PID_FILE), modified(EXIT_FILE));
                if (killedForTime) {
                    return new Outcome(
                            TaskCommand.TIMED_OUT,
                            "time limit of " + TaskCommand.describe(timeLimit) + " exceeded",
                            seconds);
                }
                return new Outcome(exit.get(), null, exit.get() == JobRunner.STAGE_IN_FAILED ? 0.0 : seconds);
            }
            if (pid.isEmpty()) {
                if (clock.instant().isAfter(waitingSince.plus(startTimeout))) {
                    return new Outcome(
                            TaskCommand.CANNOT_RUN,
                            "the command did not start within " + TaskCommand.describe(startTimeout)
                                    + " (does the image exist and have /bin/sh?)",
                            0.0);
                }
            } else if (ProcessHandle.of(pid.get()).isEmpty()) {
                // gone without writing its exit code; look once more in case it wrote it just now
                if (readInt(EXIT_FILE).isEmpty()) {
                    return new Outcome(
                            KILLED,
                            "the command was killed before it finished (out of memory, or its container was"
                                    + " stopped)",
                            secondsBetween(modified(PID_FILE), clock.instant()));
                }
                continue;
            } else if (!killedForTime
                    && timeLimit != null
                    && clock.instant().isAfter(modified(PID_FILE).plus(timeLimit))) {
                killedForTime = true;
                ProcessHandle.of(pid.get()).ifPresent(wrapper -> killCommand(wrapper));
            }
            sleep();
        }
    }

    /** Kills the command's tree but not the wrapper, so the wrapper still records the exit code. */
    private static void killCommand(ProcessHandle wrapper) {
        List<ProcessHandle> tree = new ArrayList<>(wrapper.descendants().toList());
        if (tree.isEmpty()) {
            tree.add(wrapper);
        }
        ProcessTrees.terminate(tree, KILL_GRACE);
    }

    private StageInRecord readStageIn() {
        Path file = controlDir.resolve(STAGE_IN_FILE);
        try {
            Map<?, ?> values = JobJson.mapper().readValue(file.toFile(), Map.class);
            String error = (String) values.get("error");
            return new StageInRecord(
                    Instant.parse((String) values.get("started_at")),
                    ((Number) values.get("seconds")).doubleValue(),
                    error == null || error.isEmpty() ? null : error);
        } catch (IOException | RuntimeException e) {
            return new StageInRecord(clock.instant(), 0.0, "stage-in left no record in " + file);
        }
    }

    private Optional<Integer> readInt(String name) {
        try {
            String text = Files.readString(controlDir.resolve(name), StandardCharsets.US_ASCII)
                    .strip();
            return text.isEmpty() ? Optional.empty() : Optional.of(Integer.parseInt(text));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty(); // being written: read again next round
        }
    }

    private Instant modified(String name) {
        try {
            return Files.getLastModifiedTime(controlDir.resolve(name)).toInstant();
        } catch (IOException e) {
            return clock.instant();
        }
    }

    private void writeControl(String name, String content) {
        Path file = controlDir.resolve(name);
        try {
            Path temporary = controlDir.resolve(name + ".tmp");
            Files.writeString(temporary, content, StandardCharsets.UTF_8);
            Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw SecureFiles.ioFailure("write " + file, e);
        }
    }

    /** The report as a termination message: at most 4 KiB, so the command line goes first when it is too long. */
    private static void writeTerminationMessage(TaskReport report, Path file) {
        String json = JobJson.toJson(report);
        if (json.getBytes(StandardCharsets.UTF_8).length > TERMINATION_MESSAGE_LIMIT) {
            json = JobJson.toJson(new TaskReport(
                    report.schemaVersion(),
                    report.jobId(),
                    report.taskIndex(),
                    List.of(),
                    report.exitCode(),
                    report.host(),
                    report.startedAt(),
                    report.endedAt(),
                    report.stageInSeconds(),
                    report.computeSeconds(),
                    report.stageOutSeconds(),
                    truncate(report.error(), 1024)));
        }
        try {
            Files.writeString(file, json, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // the report is in storage anyway; the message only saves the scheduler a download
        }
    }

    private static String truncate(String text, int limit) {
        return text == null || text.length() <= limit ? text : text.substring(0, limit) + "...";
    }

    private static double secondsBetween(Instant start, Instant end) {
        return Math.max(0, Duration.between(start, end).toNanos() / 1e9);
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CorcException(io.corc.api.ErrorCategory.CANCELLED, "interrupted while waiting for the command");
        }
    }

    /** Copies what a growing log file gained since the last call. */
    private static final class LogCopy {
        private final Path file;
        private final OutputStream sink;
        private long position;

        LogCopy(Path file, OutputStream sink) {
            this.file = file;
            this.sink = sink;
        }

        void copyNew() {
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                long length = in.length();
                if (length < position) {
                    position = 0; // replaced by the task: start over
                }
                in.seek(position);
                byte[] buffer = new byte[64 * 1024];
                while (position < length) {
                    int read = in.read(buffer, 0, (int) Math.min(buffer.length, length - position));
                    if (read < 0) {
                        break;
                    }
                    sink.write(buffer, 0, read);
                    position += read;
                }
                sink.flush();
            } catch (IOException e) {
                // not there yet, or the sink is gone: the file is uploaded with the outputs either way
            }
        }
    }
}
