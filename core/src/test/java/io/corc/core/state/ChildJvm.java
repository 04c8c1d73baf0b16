package io.corc.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts {@link StateStoreStressMain} in a separate JVM with this JVM's java binary and class path. */
final class ChildJvm {
    private final Process process;
    private final Path errors;

    private ChildJvm(Process process, Path errors) {
        this.process = process;
        this.errors = errors;
    }

    /** Starts the child; its stderr goes to {@code errors} so failures can be shown. */
    static ChildJvm start(Path errors, String... args) throws IOException {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "-XX:TieredStopAtLevel=1",
                "-Xshare:auto",
                StateStoreStressMain.class.getName()));
        command.addAll(List.of(args));
        Process process =
                new ProcessBuilder(command).redirectError(errors.toFile()).start();
        return new ChildJvm(process, errors);
    }

    Process process() {
        return process;
    }

    /** Waits for the child to exit and asserts it succeeded. */
    void assertExitsNormally(long timeoutSeconds) throws IOException, InterruptedException {
        boolean exited = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        assertThat(exited)
                .as("child exited within %d s; stderr: %s", timeoutSeconds, stderr())
                .isTrue();
        assertThat(process.exitValue()).as("exit code; stderr: %s", stderr()).isZero();
    }

    /** Kills the child with SIGKILL and waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(10, TimeUnit.SECONDS))
                .as("killed child exited")
                .isTrue();
    }

    String stderr() throws IOException {
        return Files.exists(errors) ? Files.readString(errors) : "";
    }
}
