package io.corc.broker.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.broker.BrokerConfig;
import io.corc.broker.control.ControlClient;
import io.corc.broker.control.ControlFiles;
import io.corc.broker.control.TestBrokers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's lifecycle in this JVM, with an in-memory broker; separate processes: BrokerProcessesTest. */
class BrokerDaemonTest {
    @TempDir
    Path dir;

    private BrokerConfig config() {
        return BrokerConfig.builder("org-a", "grid-1", dir.resolve("broker")).build();
    }

    @Test
    void runsWithAPidFileAndAControlApiAndStopsThroughIt() throws Exception {
        var broker = TestBrokers.inMemory(1);
        BrokerDaemon daemon = BrokerDaemon.start(config(), null, (c, corc) -> broker);
        Path state = dir.resolve("broker");
        assertThat(PidFile.read(state)).hasValueSatisfying(p -> {
            assertThat(p.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(p.stale()).isFalse();
        });
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve(PidFile.NAME))))
                .isEqualTo("rw-------");
        DaemonLauncher.DaemonState state1 = DaemonLauncher.status(state);
        assertThat(state1.running()).isTrue();
        assertThat(state1.broker().organisation()).isEqualTo("org-a");

        assertThat(ControlClient.connect(state).pid()).isEqualTo(daemon.pid());
        DaemonLauncher.StopResult stop = DaemonLauncher.stop(state, Duration.ofSeconds(10));
        assertThat(stop.how()).as("stopped through the control API, no signal").isEqualTo("control");
        assertThat(daemon.await(Duration.ofSeconds(10))).isTrue();
        assertThat(TestBrokers.closed(broker)).as("the broker left its grid").isTrue();
        assertThat(state.resolve(PidFile.NAME)).doesNotExist();
        assertThat(state.resolve(ControlFiles.CONTROL_FILE)).doesNotExist();
        assertThat(state.resolve(ControlFiles.TOKEN_FILE)).doesNotExist();
        assertThat(DaemonLauncher.status(state).running()).isFalse();
        assertThat(DaemonLauncher.stop(state, Duration.ofSeconds(1)).how()).isEqualTo("none");
    }

    @Test
    void aSecondBrokerInTheSameStateDirectoryIsAConflict() {
        try (BrokerDaemon first = BrokerDaemon.start(config(), null, (c, corc) -> TestBrokers.inMemory(1))) {
            // the same pid is allowed to restart; another process's live pid is not: simulate with our parent's
            Path state = dir.resolve("broker");
            long parent = ProcessHandle.current().parent().orElseThrow().pid();
            String start = ProcessHandle.current()
                    .parent()
                    .orElseThrow()
                    .info()
                    .startInstant()
                    .map(Object::toString)
                    .orElse("");
            io.corc.api.SecureFiles.writeAtomically(
                    state.resolve(PidFile.NAME), (parent + "\n" + start + "\n").getBytes());
            assertThatThrownBy(() -> BrokerDaemon.start(config(), null, (c, corc) -> TestBrokers.inMemory(1)))
                    .isInstanceOfSatisfying(CorcException.class, e -> {
                        assertThat(e.category()).isEqualTo(ErrorCategory.CONFLICT);
                        assertThat(e.getMessage()).contains("pid " + parent);
                    });
            io.corc.api.SecureFiles.writeAtomically(state.resolve(PidFile.NAME), (first.pid() + "\n").getBytes());
        }
    }

    @Test
    void aStalePidFileIsRemovedByStatusAndByStart() throws Exception {
        Path state = dir.resolve("broker");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        io.corc.api.SecureFiles.writeAtomically(state.resolve(PidFile.NAME), (gone.pid() + "\n").getBytes());
        DaemonLauncher.DaemonState status = DaemonLauncher.status(state);
        assertThat(status.running()).isFalse();
        assertThat(status.stalePidRemoved()).isTrue();
        assertThat(state.resolve(PidFile.NAME)).doesNotExist();

        io.corc.api.SecureFiles.writeAtomically(state.resolve(PidFile.NAME), (gone.pid() + "\n").getBytes());
        try (BrokerDaemon daemon = BrokerDaemon.start(config(), null, (c, corc) -> TestBrokers.inMemory(1))) {
            assertThat(PidFile.read(state).orElseThrow().pid()).isEqualTo(daemon.pid());
        }
    }

    @Test
    void aBrokerThatFailsToStartLeavesNoPidFile() {
        assertThatThrownBy(() -> BrokerDaemon.start(config(), null, (c, corc) -> {
                    throw new CorcException(ErrorCategory.UNAVAILABLE, "cannot join grid-1");
                }))
                .hasMessage("cannot join grid-1");
        assertThat(dir.resolve("broker").resolve(PidFile.NAME)).doesNotExist();
    }
}
