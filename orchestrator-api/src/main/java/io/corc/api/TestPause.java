package io.corc.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * <b>Test only.</b> Named steps of an orchestration (intent recorded, each cloud object created, waiting for SSH,
 * auto-stop installed, final record) where a crash test can stop corc deterministically: when the environment
 * variable {@value #ENV} (or the system property {@value #PROPERTY}) names the step being reached, the process writes
 * its pid into the file named by {@value #MARKER_ENV} (or {@value #MARKER_PROPERTY}) and sleeps until it is killed,
 * so the test can {@code kill -9} it exactly there. Without both settings this is a no-op (one environment look-up);
 * nothing outside tests sets them. Steps are {@code <component>:<step>}, e.g. {@code corc:intent}, {@code
 * ec2:key-pair}; they are listed in docs/placement.md.
 */
public final class TestPause {
    public static final String ENV = "CORC_TEST_PAUSE_AT";
    public static final String PROPERTY = "corc.test.pause_at";
    public static final String MARKER_ENV = "CORC_TEST_PAUSE_MARKER";
    public static final String MARKER_PROPERTY = "corc.test.pause_marker";

    private TestPause() {}

    /** Pauses here for good when a test asked to stop at {@code step}; returns at once otherwise. */
    public static void at(String step) {
        String wanted = setting(PROPERTY, ENV);
        if (wanted == null || !wanted.equals(step)) {
            return;
        }
        String marker = setting(MARKER_PROPERTY, MARKER_ENV);
        if (marker == null) {
            return;
        }
        try {
            Path file = Path.of(marker);
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temp, ProcessHandle.current().pid() + " " + step + "\n", StandardCharsets.UTF_8);
            Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException("test pause at " + step + ": cannot write " + marker, e);
        }
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // keep waiting: only the test's kill ends this process
            }
        }
    }

    private static String setting(String property, String env) {
        String value = System.getProperty(property);
        return value != null ? value : System.getenv(env);
    }
}
