package io.corc.broker.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.SecureFiles;
import io.corc.broker.BrokerStatus;
import io.corc.broker.control.ControlClient;
import io.corc.broker.control.ControlFiles;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The daemon seen from outside: {@link #startDetached} runs {@code BrokerDaemonMain} in a child JVM (this JVM's
 * java and class path, in a session of its own, output appended to {@value #LOG_FILE} in the state directory) and
 * returns once its control API answers; {@link #stop} asks the control API to shut down and falls back to SIGTERM,
 * then SIGKILL, on the pid; {@link #status} tells running from stopped, removing a stale pid file.
 */
public final class DaemonLauncher {
    /** The daemon's output, in its state directory. */
    public static final String LOG_FILE = "broker.log";
    /** Where a daemon that could not start writes why (category, message, hint), for the command that started it. */
    static final String START_FAILURE_FILE = "start-failure.json";
    /** The daemon's main class (named, not referenced, so this class loads without the protocol's). */
    static final String MAIN_CLASS = "io.corc.broker.daemon.BrokerDaemonMain";

    private static final ObjectMapper JSON = new ObjectMapper();

    private DaemonLauncher() {}

    /** A running (or not) daemon: its pid file's pid, and the broker's own status when its control API answered. */
    public record DaemonState(boolean running, long pid, boolean stalePidRemoved, BrokerStatus broker) {}

    /** What {@link #stop} did: {@code control} (graceful), {@code sigterm}, {@code sigkill}, or {@code none}. */
    public record StopResult(boolean wasRunning, long pid, String how) {}

    /**
     * Starts the broker of {@code brokerYaml} in a detached child JVM and waits until its control API answers.
     *
     * @param environment variables for the child, over this process's own ({@code CORC_HOME}, ...)
     * @throws CorcException CONFLICT when one already runs; the daemon's own error when it could not start
     */
    public static DaemonState startDetached(
            Path brokerYaml, Path corcConfig, Map<String, String> environment, Path stateDir, Duration timeout) {
        DaemonState before = status(stateDir);
        if (before.running()) {
            throw new CorcException(
                            ErrorCategory.CONFLICT,
                            "a broker already runs with the state directory " + stateDir + " (pid " + before.pid()
                                    + ")")
                    .withContext("broker", "start")
                    .withHint("'corc broker stop' stops it");
        }
        SecureFiles.privateDirectory(stateDir);
        Path failure = stateDir.resolve(START_FAILURE_FILE);
        Path log = stateDir.resolve(LOG_FILE);
        ControlFiles.deleteQuietly(failure);
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid"); // its own session: closing the terminal does not hang it up
        }
        command.add(ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(
                "-XX:+UseSerialGC",
                "-Xmx256m",
                "-Djava.net.preferIPv4Stack=true",
                "-cp",
                System.getProperty("java.class.path"),
                MAIN_CLASS,
                "--config",
                brokerYaml.toAbsolutePath().toString()));
        if (corcConfig != null) {
            command.addAll(List.of("--corc-config", corcConfig.toAbsolutePath().toString()));
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process;
        try {
            Files.writeString(
                    log,
                    "--- corc broker starting: " + String.join(" ", command.subList(command.size() - 2, command.size()))
                            + "\n",
                    StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            SecureFiles.makePrivate(log);
            process = builder.start();
        } catch (IOException e) {
            throw new CorcException(ErrorCategory.INTERNAL, "could not start the broker process: " + e.getMessage())
                    .withCause(e);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw startFailure(failure, log, process.exitValue());
            }
            Optional<ControlFiles.ControlInfo> info = ControlFiles.readControl(stateDir);
            if (info.isPresent() && info.get().pid() == process.pid()) {
                try {
                    BrokerStatus status = ControlClient.connect(stateDir).status();
                    return new DaemonState(true, process.pid(), before.stalePidRemoved(), status);
                } catch (CorcException notYet) {
                    // the control file is written just after the server starts answering; try again
                }
            }
            sleep(50);
        }
        process.destroy();
        throw new CorcException(
                        ErrorCategory.UNAVAILABLE,
                        "the broker did not answer within " + timeout.toSeconds() + " s of starting")
                .withContext("broker", "start")
                .withHint("see " + log);
    }

    /** Whether a broker runs with {@code stateDir}; removes a pid file whose process is gone. */
    public static DaemonState status(Path stateDir) {
        Optional<PidFile> pid = PidFile.read(stateDir);
        if (pid.isEmpty()) {
            return new DaemonState(false, -1, false, null);
        }
        if (pid.get().stale()) {
            pid.get().remove();
            ControlFiles.removeControl(stateDir, pid.get().pid());
            return new DaemonState(false, pid.get().pid(), true, null);
        }
        BrokerStatus broker = null;
        try {
            Optional<ControlClient> client = ControlClient.find(stateDir);
            if (client.isPresent() && client.get().pid() == pid.get().pid()) {
                broker = client.get().status();
            }
        } catch (CorcException e) {
            // running but not answering (starting, or stuck): the pid tells it runs
        }
        return new DaemonState(true, pid.get().pid(), false, broker);
    }

    /**
     * Stops the broker with {@code stateDir}: through its control API (graceful: it leaves the grid and releases
     * what it can), then SIGTERM (its shutdown hook does the same), then SIGKILL, each given {@code timeout}.
     */
    public static StopResult stop(Path stateDir, Duration timeout) {
        DaemonState state = status(stateDir);
        if (!state.running()) {
            return new StopResult(false, state.pid(), "none");
        }
        ProcessHandle process = PidFile.read(stateDir).flatMap(PidFile::process).orElse(null);
        if (process == null) {
            return new StopResult(false, state.pid(), "none");
        }
        try {
            Optional<ControlClient> client = ControlClient.find(stateDir);
            if (client.isPresent() && client.get().pid() == process.pid()) {
                client.get().shutdown();
                if (waitFor(process, stateDir, timeout)) {
                    return new StopResult(true, process.pid(), "control");
                }
            }
        } catch (CorcException e) {
            // not answering: signals below
        }
        if (process.pid() == ProcessHandle.current().pid()) {
            // a broker in this very JVM (embedded, tests) that did not stop: never signal ourselves
            throw new CorcException(ErrorCategory.UNAVAILABLE, "the broker in this process did not stop in time");
        }
        process.destroy();
        if (waitFor(process, stateDir, timeout)) {
            cleanUp(stateDir, process.pid());
            return new StopResult(true, process.pid(), "sigterm");
        }
        process.destroyForcibly();
        if (!waitFor(process, stateDir, Duration.ofSeconds(10))) {
            throw new CorcException(
                            ErrorCategory.INTERNAL, "the broker process " + process.pid() + " did not end on SIGKILL")
                    .withHint("check the process with 'ps -p " + process.pid() + "'");
        }
        cleanUp(stateDir, process.pid());
        return new StopResult(true, process.pid(), "sigkill");
    }

    private static void cleanUp(Path stateDir, long pid) {
        PidFile.read(stateDir).filter(p -> p.pid() == pid).ifPresent(PidFile::remove);
        ControlFiles.removeControl(stateDir, pid);
    }

    /**
     * Waits until the broker has stopped: its process ended, or (a broker embedded in a process that goes on) its
     * pid file no longer names it, which {@link BrokerDaemon#close} does last.
     */
    private static boolean waitFor(ProcessHandle process, Path stateDir, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            boolean named =
                    PidFile.read(stateDir).filter(p -> p.pid() == process.pid()).isPresent();
            if (!process.isAlive() || !named) {
                return true;
            }
            sleep(50);
        }
        return false;
    }

    /** The daemon's own error when it wrote one, else its exit code and the end of its log. */
    private static CorcException startFailure(Path failure, Path log, int exitCode) {
        try {
            Map<?, ?> body = JSON.readValue(failure.toFile(), Map.class);
            ErrorCategory category =
                    ErrorCategory.valueOf(String.valueOf(body.get("category")).toUpperCase(Locale.ROOT));
            Object hint = body.get("hint");
            return new CorcException(
                    category,
                    String.valueOf(body.get("message")),
                    "broker",
                    "start",
                    hint == null ? "see " + log : hint.toString(),
                    null);
        } catch (IOException | RuntimeException noReport) {
            return new CorcException(
                            ErrorCategory.INTERNAL,
                            "the broker process ended with exit code " + exitCode + " while starting: " + tail(log))
                    .withContext("broker", "start")
                    .withHint("see " + log);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CorcException(ErrorCategory.CANCELLED, "interrupted while waiting for the broker");
        }
    }
}
