package io.corc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTreesTest {
    private final Path root = Path.of("/tmp/target");

    @Test
    void keysBecomePathsInsideTheTarget() {
        assertThat(LocalTrees.resolveInside(root, "a/b c/ü.txt", "p/a/b c/ü.txt"))
                .isEqualTo(root.resolve("a/b c/ü.txt"));
    }

    @Test
    void keysThatWouldLeaveTheTargetAreRefusedNamingTheKey() {
        for (String relative : new String[] {"../evil", "a/../../evil", "/etc/passwd", "a//b", "./a", "x.corc-part"}) {
            assertThatThrownBy(() -> LocalTrees.resolveInside(root, relative, "p/" + relative))
                    .isInstanceOf(CorcException.class)
                    .hasMessageContaining("key 'p/" + relative + "'")
                    .satisfies(e -> assertThat(((CorcException) e).category()).isEqualTo(ErrorCategory.INVALID_INPUT));
        }
    }

    @Test
    void aTreeToUploadMayNotHoldAFileNamedLikeTheCommitMarker(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("empty/inner"));
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/a.txt"), "a");
        assertThat(LocalTrees.filesToUpload(dir)).containsExactly(dir.resolve("sub/a.txt"));
        assertThat(LocalTrees.emptyDirectoryEntries(dir))
                .containsExactly(new TreeManifest.Entry("empty/inner/", 0, "-"));

        Files.writeString(dir.resolve("sub/" + TreeManifest.FILE_NAME), "mine");
        assertThatThrownBy(() -> LocalTrees.filesToUpload(dir))
                .isInstanceOf(CorcException.class)
                .hasMessageContaining("reserves for its commit marker")
                .satisfies(e -> assertThat(((CorcException) e).category()).isEqualTo(ErrorCategory.INVALID_INPUT));
    }

    @Test
    void partFilesAreHiddenSiblings() {
        assertThat(LocalTrees.partFile(root.resolve("a/out.dat"))).isEqualTo(root.resolve("a/.out.dat.corc-part"));
    }
}
