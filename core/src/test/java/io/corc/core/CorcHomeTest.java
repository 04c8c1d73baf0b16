package io.corc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorcHomeTest {
    @TempDir
    Path temp;

    @Test
    void corcHomeVariableWins() {
        assertThat(CorcHome.resolve(Map.of("CORC_HOME", "/srv/corc"))).isEqualTo(Path.of("/srv/corc"));
    }

    @Test
    void blankOrMissingVariableMeansDotCorcInUserHome() {
        Path expected = Path.of(System.getProperty("user.home"), ".corc");

        assertThat(CorcHome.resolve(Map.of())).isEqualTo(expected);
        assertThat(CorcHome.resolve(Map.of("CORC_HOME", "  "))).isEqualTo(expected);
    }

    @Test
    void stateDirIsInsideHome() {
        assertThat(CorcHome.stateDir(Path.of("/h"))).isEqualTo(Path.of("/h/state"));
    }

    @Test
    void ensureCreatesPrivateHomeAndStateFolders() throws IOException {
        Path home = temp.resolve("nested/home");

        assertThat(CorcHome.ensure(home)).isEqualTo(home);
        assertThat(CorcHome.ensure(home)).isEqualTo(home); // idempotent

        assertThat(home.resolve("state")).isDirectory();
        assumeTrue(Files.getFileStore(home).supportsFileAttributeView("posix"));
        assertThat(Files.getPosixFilePermissions(home)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(home.resolve("state")))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }
}
