package io.corc.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.yaml.snakeyaml.Yaml;

/** Runs the CLI in-process with its own corc home, capturing stdout, stderr and the exit code. */
final class CliRunner {
    private final Map<String, String> env = new HashMap<>();

    CliRunner(Path home) {
        env.put("CORC_HOME", home.toString());
        env.put("PATH", System.getenv("PATH"));
    }

    CliRunner env(String key, String value) {
        env.put(key, value);
        return this;
    }

    /**
     * A corc CLI in a child JVM (this test's class path, C1 only for a quick start) with {@code CORC_HOME} = {@code
     * home}, {@code --config config} and {@code args}, stdout and stderr to {@code output}: for tests that kill corc
     * or run two at once. The caller adds environment entries and starts it.
     */
    static ProcessBuilder childProcess(Path home, Path config, Path output, String... args) {
        String javaBin = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(
                javaBin,
                "-cp",
                System.getProperty("java.class.path"),
                "-XX:TieredStopAtLevel=1",
                Main.class.getName(),
                "--config",
                config.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("CORC_HOME", home.toString());
        return builder;
    }

    Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(outStream, errStream, env, false, args);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Starts a command that blocks (such as {@code storage serve}) on a thread of its own; {@link Background#stop}
     * interrupts it.
     */
    Background start(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AtomicInteger code = new AtomicInteger(-1);
        Thread thread = new Thread(
                () -> code.set(Main.run(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        env,
                        false,
                        args)),
                "corc-" + String.join("-", args));
        thread.start();
        return new Background(thread, out, err, code);
    }

    record Background(Thread thread, ByteArrayOutputStream out, ByteArrayOutputStream err, AtomicInteger code) {
        /** Waits until stdout holds one whole JSON document and returns it. */
        @SuppressWarnings("unchecked")
        Map<String, Object> awaitJson(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    return new ObjectMapper().readValue(out.toString(StandardCharsets.UTF_8), Map.class);
                } catch (java.io.IOException notYet) {
                    if (!thread.isAlive()) {
                        throw new AssertionError("ended without a JSON document: " + result());
                    }
                    Thread.sleep(20);
                }
            }
            throw new AssertionError("no JSON document after " + timeout + ": " + result());
        }

        /** Waits until stdout contains {@code text} and returns stdout. */
        String awaitOutput(String text, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                String now = out.toString(StandardCharsets.UTF_8);
                if (now.contains(text)) {
                    return now;
                }
                if (!thread.isAlive()) {
                    throw new AssertionError("ended without printing '" + text + "': " + result());
                }
                Thread.sleep(20);
            }
            throw new AssertionError("'" + text + "' not printed after " + timeout + ": " + result());
        }

        /** Waits for the command to return by itself (such as {@code job run --wait}). */
        Result join(Duration timeout) throws InterruptedException {
            thread.join(Math.max(1, timeout.toMillis()));
            if (thread.isAlive()) {
                throw new AssertionError("still running after " + timeout + ": " + result());
            }
            return result();
        }

        /** Interrupts the command and waits for it to return. */
        Result stop() throws InterruptedException {
            thread.interrupt();
            thread.join(Duration.ofSeconds(30).toMillis());
            if (thread.isAlive()) {
                throw new AssertionError("still running after interrupt: " + result());
            }
            return result();
        }

        private Result result() {
            return new Result(code.get(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    record Result(int code, String out, String err) {
        @SuppressWarnings("unchecked")
        Map<String, Object> json() {
            try {
                return new ObjectMapper().readValue(out, Map.class);
            } catch (java.io.IOException e) {
                throw new AssertionError("stdout is not JSON: " + out + "\nstderr: " + err, e);
            }
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> errorJson() {
            try {
                return new ObjectMapper().readValue(err, Map.class);
            } catch (java.io.IOException e) {
                throw new AssertionError("stderr is not JSON: " + err, e);
            }
        }

        Map<String, Object> yaml() {
            return new Yaml().load(out);
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }
}
