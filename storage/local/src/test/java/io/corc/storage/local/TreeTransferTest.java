package io.corc.storage.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.ProgressListener;
import io.corc.api.StoredObject;
import io.corc.api.TransferReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeTransferTest {
    @TempDir
    Path temp;

    private LocalStorage storage;
    private Path tree;

    @BeforeEach
    void setUp() throws IOException {
        storage = new LocalStorage(temp.resolve("root"));
        tree = Files.createDirectories(temp.resolve("tree"));
        Files.writeString(tree.resolve("a.txt"), "alpha");
        Files.createDirectories(tree.resolve("sub/deeper"));
        Files.writeString(tree.resolve("sub/deeper/b.txt"), "beta!!");
    }

    @Test
    void uploadsATreeAndSkipsWhatIsAlreadyThereOnReRun() throws IOException {
        RecordingProgress progress = new RecordingProgress();

        TransferReport first = storage.upload(tree, "bucket", "job/input/", progress);

        assertThat(first.files()).isEqualTo(2);
        assertThat(first.bytes()).isEqualTo(11);
        assertThat(first.skipped()).isZero();
        assertThat(progress.done).containsExactly(0L, 5L, 11L);
        assertThat(progress.totals).containsOnly(11L);
        assertThat(storage.list("bucket", "job/input/"))
                .extracting(StoredObject::key)
                .containsExactly("job/input/.corc-manifest", "job/input/a.txt", "job/input/sub/deeper/b.txt");

        Files.writeString(tree.resolve("a.txt"), "ALPHA");
        TransferReport second = storage.upload(tree, "bucket", "job/input/", ProgressListener.NONE);

        assertThat(second.files()).isEqualTo(1);
        assertThat(second.skipped()).isEqualTo(1);
    }

    @Test
    void downloadsATreeAndSkipsIdenticalFilesOnReRun() throws IOException {
        storage.upload(tree, "bucket", "job/output/0/", ProgressListener.NONE);
        Path target = temp.resolve("download");

        TransferReport first = storage.download("bucket", "job/output/0/", target, ProgressListener.NONE);

        assertThat(first.files()).isEqualTo(2);
        assertThat(first.bytes()).isEqualTo(11);
        assertThat(target.resolve("a.txt")).hasContent("alpha");
        assertThat(target.resolve("sub/deeper/b.txt")).hasContent("beta!!");

        Files.writeString(target.resolve("a.txt"), "changed");
        TransferReport second = storage.download("bucket", "job/output/0/", target, ProgressListener.NONE);

        assertThat(second.files()).isEqualTo(1);
        assertThat(second.skipped()).isEqualTo(1);
        assertThat(target.resolve("a.txt")).hasContent("alpha");
    }

    @Test
    void anUploadCutOffBeforeItsCommitMarkerIsReportedAndNotFetched() throws IOException {
        storage.upload(tree, "bucket", "job/output/0/", ProgressListener.NONE);
        storage.put("bucket", "job/output/1/half.txt", tree.resolve("a.txt"));
        Files.createDirectories(tree.resolve("empty/dir"));
        storage.upload(tree, "bucket", "job/output/2/", ProgressListener.NONE);

        Path target = temp.resolve("results");
        TransferReport report = storage.download("bucket", "job/output/", target, ProgressListener.NONE);

        assertThat(report.incomplete()).containsExactly("job/output/1/");
        assertThat(target.resolve("0/a.txt")).hasContent("alpha");
        assertThat(target.resolve("1")).doesNotExist();
        assertThat(target.resolve("2/empty/dir")).isDirectory();
        assertThat(target.resolve("0/.corc-manifest")).doesNotExist();
    }

    @Test
    void aFileTheManifestListsButTheStoreNoLongerHoldsIsReportedMissing() throws IOException {
        storage.upload(tree, "bucket", "job/output/0/", ProgressListener.NONE);
        storage.delete("bucket", "job/output/0/sub/deeper/b.txt"); // say, corc storage rm of one key

        Path target = temp.resolve("results");
        TransferReport report = storage.download("bucket", "job/output/", target, ProgressListener.NONE);

        assertThat(report.missing()).containsExactly("job/output/0/sub/deeper/b.txt");
        assertThat(report.incomplete()).isEmpty();
        assertThat(report.whole()).isFalse();
        assertThat(report.files()).isEqualTo(1);
        assertThat(target.resolve("0/a.txt")).hasContent("alpha");
        assertThat(target.resolve("0/sub/deeper/b.txt")).doesNotExist();

        TransferReport whole = storage.download("bucket", "job/output/1/", temp.resolve("none"), ProgressListener.NONE);
        assertThat(whole.missing()).isEmpty();
    }

    @Test
    void downloadOfAnEmptyPrefixCreatesTheDirectory() {
        Path target = temp.resolve("empty");

        TransferReport report = storage.download("bucket", "nothing/", target, ProgressListener.NONE);

        assertThat(report.files()).isZero();
        assertThat(target).isEmptyDirectory();
    }

    private static final class RecordingProgress implements ProgressListener {
        final List<Long> done = new ArrayList<>();
        final List<Long> totals = new ArrayList<>();

        @Override
        public void onProgress(String step, long doneUnits, long total) {
            done.add(doneUnits);
            totals.add(total);
        }
    }
}
