package io.corc.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSandboxTest {
    @TempDir
    Path temp;

    @Test
    void startsInTheSandboxHomeAndRecordsThePid() throws IOException {
        LocalSandbox sandbox = LocalSandbox.at(temp.resolve("box"));

        Process process = sandbox.start(new ProcessBuilder("sh", "-c", "pwd; exec sleep 60"));
        try {
            assertThat(process.inputReader().readLine())
                    .isEqualTo(sandbox.home().toString());
            Path record = sandbox.directory().resolve("pids").resolve(Long.toString(process.pid()));
            assertThat(Instant.parse(Files.readString(record)))
                    .isEqualTo(process.info().startInstant().orElseThrow());

            sandbox.killAll(Duration.ofSeconds(5));

            assertThat(process.onExit()).succeedsWithin(Duration.ofSeconds(10));
            assertThat(record).doesNotExist();
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void aReusedPidIsLeftAlone() throws IOException {
        LocalSandbox sandbox = LocalSandbox.at(temp.resolve("box"));
        Process stranger = new ProcessBuilder("sleep", "60").start();
        try {
            Path pids = Files.createDirectories(sandbox.directory().resolve("pids"));
            Files.writeString(pids.resolve(Long.toString(stranger.pid())), Instant.EPOCH.toString());

            sandbox.killAll(Duration.ofSeconds(1));

            assertThat(stranger.isAlive()).isTrue();
            assertThat(pids).isEmptyDirectory();
        } finally {
            stranger.destroyForcibly();
        }
    }

    @Test
    void aCommandThatCannotStartIsInvalidInput() {
        LocalSandbox sandbox = LocalSandbox.at(temp.resolve("box"));

        assertThatThrownBy(() -> sandbox.start(new ProcessBuilder("no-such-command-corc")))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT))
                .hasMessageStartingWith("cannot run 'no-such-command-corc': ");
    }

    @Test
    void killAllOfAnEmptySandboxDoesNothing() {
        LocalSandbox.at(temp.resolve("never-created")).killAll(Duration.ofSeconds(1));

        assertThat(temp.resolve("never-created")).doesNotExist();
    }
}
