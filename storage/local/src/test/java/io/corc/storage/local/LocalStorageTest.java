package io.corc.storage.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Feature;
import io.corc.api.StoredObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStorageTest {
    private static final String HELLO_SHA256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    @TempDir
    Path temp;

    private LocalStorage storage;
    private Path hello;

    @BeforeEach
    void setUp() throws IOException {
        storage = new LocalStorage(temp.resolve("root"));
        hello = Files.writeString(temp.resolve("hello.txt"), "hello");
    }

    @Test
    void putThenGetReturnsTheContent() throws IOException {
        storage.put("bucket", "a/b/hello.txt", hello);
        Path target = temp.resolve("out/deep/copy.txt");

        storage.get("bucket", "a/b/hello.txt", target);

        assertThat(target).hasContent("hello");
        assertThat(storage.root().resolve("bucket/a/b/hello.txt")).hasContent("hello");
        assertThat(Files.getPosixFilePermissions(target)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void listReportsSizeAndChecksumSortedByKeyAndHidesBookkeeping() {
        storage.put("bucket", "job/b.txt", hello);
        storage.put("bucket", "job/a.txt", hello);
        storage.put("bucket", "other/c.txt", hello);

        List<StoredObject> objects = storage.list("bucket", "job/");

        assertThat(objects).extracting(StoredObject::key).containsExactly("job/a.txt", "job/b.txt");
        assertThat(objects).allSatisfy(o -> {
            assertThat(o.size()).isEqualTo(5);
            assertThat(o.sha256()).isEqualTo(HELLO_SHA256);
            assertThat(o.lastModified()).isNotNull();
        });
        assertThat(storage.list("bucket", "")).hasSize(3);
        assertThat(storage.list("bucket", "jo")).hasSize(2);
        assertThat(storage.list("missing-bucket", "")).isEmpty();
    }

    @Test
    void deleteRemovesThePrefixAndIsIdempotent() {
        storage.put("bucket", "job/a.txt", hello);
        storage.put("bucket", "job/sub/b.txt", hello);
        storage.put("bucket", "keep.txt", hello);

        assertThat(storage.delete("bucket", "job/")).isEqualTo(2);
        assertThat(storage.delete("bucket", "job/")).isZero();

        assertThat(storage.list("bucket", "")).extracting(StoredObject::key).containsExactly("keep.txt");
        assertThat(storage.root().resolve("bucket/job")).doesNotExist();
    }

    @Test
    void getOfAMissingKeyIsNotFound() {
        assertThatThrownBy(() -> storage.get("bucket", "nothing", temp.resolve("x")))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND))
                .hasMessage("key 'nothing' in bucket 'bucket' does not exist");
    }

    @Test
    void corruptedObjectIsDetectedAndNoFileIsLeftBehind() throws IOException {
        storage.put("bucket", "data.bin", hello);
        Files.writeString(storage.root().resolve("bucket/data.bin"), "jello");
        Path target = temp.resolve("got/data.bin");

        assertThatThrownBy(() -> storage.get("bucket", "data.bin", target))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INTERNAL))
                .hasMessageStartingWith(
                        "checksum mismatch for key 'data.bin' in bucket 'bucket': stored sha256 " + HELLO_SHA256);
        assertThat(target).doesNotExist();
        try (Stream<Path> left = Files.list(target.getParent())) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void rejectsBadKeysAndBucketNames() {
        for (String key : List.of("", "/abs", "a/../b", "..", "a//b", "a/./b", "dir/", "x.corc-part")) {
            assertThatThrownBy(() -> storage.put("bucket", key, hello))
                    .as(key)
                    .isInstanceOfSatisfying(
                            CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT));
        }
        for (String bucket : List.of("ab", "Upper", "-start", "has_underscore", "a..b", "x".repeat(64))) {
            assertThatThrownBy(() -> storage.ensureBucket(bucket))
                    .as(bucket)
                    .hasMessageStartingWith("invalid bucket name");
        }
        assertThatThrownBy(() -> storage.list("bucket", "../x/"))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT));
    }

    @Test
    void storedFilesAndDirectoriesArePrivate() throws IOException {
        storage.put("bucket", "a/b.txt", hello);

        for (Path dir : List.of(
                storage.root(), storage.root().resolve("bucket"), storage.root().resolve("bucket/a"))) {
            assertThat(Files.getPosixFilePermissions(dir))
                    .as(dir.toString())
                    .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        }
        assertThat(Files.getPosixFilePermissions(storage.root().resolve("bucket/a/b.txt")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void putOfAMissingFileIsNotFoundAndLeavesNothing() {
        assertThatThrownBy(() -> storage.put("bucket", "k", temp.resolve("absent")))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND));
        assertThat(storage.list("bucket", "")).isEmpty();
    }

    @Test
    void keysMayBeDotFilesAndUnfinishedTransfersAreNotListed() throws IOException {
        storage.put("bucket", "dir/.hidden", hello);
        Files.writeString(storage.root().resolve("bucket/dir/.x.1234.corc-part"), "half");

        assertThat(storage.list("bucket", "")).extracting(StoredObject::key).containsExactly("dir/.hidden");
    }

    @Test
    void declaresChecksumsAndChecksItsRoot() {
        assertThat(storage.name()).isEqualTo("local");
        assertThat(storage.features().supports(Feature.CHECKSUMS)).isTrue();
        assertThat(storage.check().ok()).isTrue();
        assertThat(storage.check().reason()).isEqualTo("objects under " + storage.root());
        assertThat(storage.locate("bucket", "job/output/0/")).isEqualTo(storage.root() + "/bucket/job/output/0/");
    }
}
