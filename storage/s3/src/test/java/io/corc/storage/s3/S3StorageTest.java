package io.corc.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.InMemoryRecordStore;
import io.corc.api.PluginConfig;
import io.corc.api.PluginContext;
import io.corc.api.ProgressListener;
import io.corc.api.Storage;
import io.corc.api.StoredObject;
import io.corc.api.TransferReport;
import io.corc.api.TreeManifest;
import io.corc.storage.s3.server.LocalS3Server;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The S3 storage against a real S3 protocol server (s3proxy) on loopback, with faults injected behind it. */
class S3StorageTest {
    private static LocalS3Server server;
    private static FaultyBlobStore faults;

    @TempDir
    static Path serverDir;

    @TempDir
    Path dir;

    private Storage storage;

    @BeforeAll
    static void startServer() {
        server = LocalS3Server.builder()
                .directory(serverDir.resolve("objects"))
                .decorate(store -> faults = new FaultyBlobStore(store))
                .start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void cleanFaults() throws IOException {
        faults.corruptGets = key -> false;
        faults.failPutsOf = key -> false;
        faults.failParts = part -> false;
        faults.errorsToSend.set(0);
        faults.errorStatus = 503;
        faults.errorCode = "SlowDown";
        storage = storage(Map.of());
    }

    /** Storage with credentials from a secrets directory, as a job runner in a pod gets them. */
    private Storage storage(Map<String, Object> extra) throws IOException {
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(secrets.resolve("aws_access_key_id"), server.accessKey() + "\n");
        Files.writeString(secrets.resolve("aws_secret_access_key"), server.secretKey() + "\n");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("endpoint", server.endpoint().toString());
        config.put("secrets_dir", secrets.toString());
        config.put("config_file", dir.resolve("none").toString());
        config.put("credentials_file", dir.resolve("none").toString());
        config.put("max_attempts", 3);
        config.putAll(extra);
        return new S3StorageFactory()
                .create(new PluginContext(
                        "s3", new PluginConfig("corc.storage.s3", config), dir, new InMemoryRecordStore()));
    }

    @Test
    void treeRoundTripKeepsEmptyFilesNestedDirsUnicodeNamesAndEmptyDirectories() throws IOException {
        Path source = dir.resolve("source");
        write(source.resolve("a.txt"), "alpha");
        write(source.resolve("empty.dat"), "");
        write(source.resolve("nested/deeper/still/z.txt"), "zulu");
        write(source.resolve("unicode/Ångström – ß 漢字 ✓.txt"), "unicode names");
        Files.createDirectories(source.resolve("nothing/inside"));
        storage.ensureBucket("round-trip");

        TransferReport up = storage.upload(source, "round-trip", "job-1/input/", ProgressListener.NONE);
        assertThat(up.files()).isEqualTo(4);
        assertThat(storage.list("round-trip", "job-1/input/"))
                .extracting(StoredObject::key)
                .contains("job-1/input/" + TreeManifest.FILE_NAME, "job-1/input/nested/deeper/still/z.txt");

        Path target = dir.resolve("target");
        TransferReport down = storage.download("round-trip", "job-1/input/", target, ProgressListener.NONE);
        assertThat(down.files()).isEqualTo(4);
        assertSameTree(source, target);
        assertThat(target.resolve(TreeManifest.FILE_NAME)).doesNotExist();

        // re-running either direction moves nothing: everything is verified as already there
        assertThat(storage.upload(source, "round-trip", "job-1/input/", ProgressListener.NONE))
                .satisfies(r -> assertThat(r.files()).isZero())
                .satisfies(r -> assertThat(r.skipped()).isEqualTo(4));
        assertThat(storage.download("round-trip", "job-1/input/", target, ProgressListener.NONE))
                .satisfies(r -> assertThat(r.files()).isZero())
                .satisfies(r -> assertThat(r.skipped()).isEqualTo(4));
        assertThat(storage.delete("round-trip", "job-1/")).isEqualTo(5);
        assertThat(storage.list("round-trip", "")).isEmpty();
    }

    @Test
    void anInterruptedOrDamagedDownloadIsResumedFetchingOnlyWhatIsMissingOrWrong() throws IOException {
        Path source = dir.resolve("tree");
        for (int d = 0; d < 3; d++) {
            for (int f = 0; f < 4; f++) {
                write(source.resolve("d" + d + "/f" + f + ".txt"), "file " + d + "/" + f);
            }
        }
        randomFile(source.resolve("big/large.bin"), 20L * 1024 * 1024 + 7);
        storage.ensureBucket("resume-down");
        storage.upload(source, "resume-down", "job/", ProgressListener.NONE);
        Path target = dir.resolve("copy");
        storage.download("resume-down", "job/", target, ProgressListener.NONE);

        // a run cut off: one file never arrived (its part file left half written), one directory not begun; and
        // one file damaged locally with its size unchanged
        Files.delete(target.resolve("d0/f1.txt"));
        try (Stream<Path> files = Files.list(target.resolve("d2"))) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(target.resolve("d2"));
        Files.writeString(target.resolve("d0/.f1.txt.corc-part"), "half");
        Files.writeString(target.resolve("d1/f3.txt"), "FILE 1/3");
        byte[] large = Files.readAllBytes(target.resolve("big/large.bin"));
        large[12345] ^= 1;
        Files.write(target.resolve("big/large.bin"), large);
        int getsBefore = faults.gets.get();

        TransferReport again = storage.download("resume-down", "job/", target, ProgressListener.NONE);

        assertThat(again.files()).isEqualTo(7); // d0/f1, d2/* (4), d1/f3, big/large.bin
        assertThat(again.skipped()).isEqualTo(6);
        assertThat(faults.gets.get() - getsBefore).isGreaterThanOrEqualTo(7);
        assertSameTree(source, target); // the part file was replaced by the whole download, then renamed
    }

    @Test
    void aLargeFileTravelsInVerifiedPartsBothWays() throws IOException {
        Path source = dir.resolve("big");
        Path file = randomFile(source.resolve("simulation.dat"), 200L * 1024 * 1024 + 12345);
        storage.ensureBucket("large");
        List<String> steps = new ArrayList<>();
        int partsBefore = faults.parts.get();

        storage.upload(source, "large", "job-2/output/0/", (step, done, total) -> steps.add(step));

        int parts = faults.parts.get() - partsBefore;
        assertThat(parts).isEqualTo(26); // 200 MiB + a bit in 8 MiB parts
        assertThat(steps).isNotEmpty().allMatch(s -> s.startsWith("uploading to s3://large/job-2/output/0/"));
        Path target = dir.resolve("large-back");
        storage.download("large", "job-2/output/0/", target, ProgressListener.NONE);
        assertThat(Files.mismatch(file, target.resolve("simulation.dat"))).isEqualTo(-1L);

        Path single = dir.resolve("single.dat");
        storage.get("large", "job-2/output/0/simulation.dat", single);
        assertThat(Files.mismatch(file, single)).isEqualTo(-1L);
    }

    @Test
    void corruptedBytesFromTheServerAreDetectedAndNothingIsKept() throws IOException {
        Path source = dir.resolve("src");
        write(source.resolve("results.csv"), "1,2,3\n".repeat(1000));
        storage.ensureBucket("corrupt");
        storage.upload(source, "corrupt", "job/", ProgressListener.NONE);
        faults.corruptGets = key -> key.endsWith("results.csv");

        Path target = dir.resolve("dst");
        assertThatThrownBy(() -> storage.download("corrupt", "job/", target, ProgressListener.NONE))
                .isInstanceOf(CorcException.class)
                .hasMessageContaining("checksum mismatch for key 'job/results.csv' in bucket 'corrupt'")
                .satisfies(e -> assertThat(((CorcException) e).category()).isEqualTo(ErrorCategory.INTERNAL));
        try (Stream<Path> left = Files.walk(target)) {
            assertThat(left.filter(Files::isRegularFile)).isEmpty();
        }
        assertThatThrownBy(() -> storage.get("corrupt", "job/results.csv", dir.resolve("one.csv")))
                .hasMessageContaining("checksum mismatch");
        assertThat(dir.resolve("one.csv")).doesNotExist();

        faults.corruptGets = key -> false;
        storage.download("corrupt", "job/", target, ProgressListener.NONE);
        assertThat(Files.readString(target.resolve("results.csv"))).isEqualTo("1,2,3\n".repeat(1000));
    }

    @Test
    void aLargeDownloadWrittenAroundThePageCacheArrivesWholeAndIsChecked() throws IOException {
        Path source = dir.resolve("direct");
        Path file = randomFile(source.resolve("odd.bin"), 20L * 1024 * 1024 + 12345); // a partial last block
        storage.ensureBucket("direct-io");
        storage.upload(source, "direct-io", "p/", ProgressListener.NONE);
        long before = S3Objects.directIoSize;
        S3Objects.directIoSize = 1024 * 1024;
        try {
            Path part = dir.resolve("probe");
            Files.writeString(part, "x");
            assertThat(S3Objects.directAlignment(part))
                    .as("the test's file system (ext4 on the build machines) takes O_DIRECT")
                    .isPositive();

            storage.download("direct-io", "p/", dir.resolve("back"), ProgressListener.NONE);
            assertThat(Files.mismatch(file, dir.resolve("back/odd.bin"))).isEqualTo(-1L);

            faults.corruptGets = key -> key.endsWith("odd.bin");
            assertThatThrownBy(() -> storage.download("direct-io", "p/", dir.resolve("bad"), ProgressListener.NONE))
                    .hasMessageContaining("checksum mismatch for key 'p/odd.bin'");
            assertThat(dir.resolve("bad/odd.bin")).doesNotExist();
        } finally {
            S3Objects.directIoSize = before;
            faults.corruptGets = key -> false;
        }
    }

    @Test
    void largeFilesAreCheckedToo() throws IOException {
        Path source = dir.resolve("src");
        randomFile(source.resolve("big.bin"), 20L * 1024 * 1024);
        storage.ensureBucket("corrupt-large");
        storage.upload(source, "corrupt-large", "p/", ProgressListener.NONE);
        faults.corruptGets = key -> key.endsWith("big.bin");

        assertThatThrownBy(() -> storage.download("corrupt-large", "p/", dir.resolve("out"), ProgressListener.NONE))
                .hasMessageContaining("checksum mismatch for key 'p/big.bin'");
        assertThat(dir.resolve("out/big.bin")).doesNotExist();
    }

    @Test
    void anInterruptedTreeUploadIsResumedMovingOnlyWhatIsMissing() throws IOException {
        Path source = dir.resolve("src");
        for (int i = 0; i < 20; i++) {
            write(source.resolve("f" + i + ".txt"), "file " + i);
        }
        storage.ensureBucket("resume");
        faults.failPutsOf = key -> key.endsWith("f13.txt");

        assertThatThrownBy(() -> storage.upload(source, "resume", "job/", ProgressListener.NONE))
                .isInstanceOf(CorcException.class)
                .hasMessageContaining("f13.txt")
                .satisfies(e -> assertThat(((CorcException) e).hint())
                        .hasValueSatisfying(h -> assertThat(h).contains("re-run")));
        // no commit marker: a reader sees an incomplete upload, never a complete one
        assertThat(storage.list("resume", "job/"))
                .extracting(StoredObject::key)
                .doesNotContain("job/" + TreeManifest.FILE_NAME);

        faults.failPutsOf = key -> false;
        TransferReport resumed = storage.upload(source, "resume", "job/", ProgressListener.NONE);
        long uploadedBefore = 20 - resumed.files();
        assertThat(resumed.files()).isLessThan(20).isGreaterThanOrEqualTo(1);
        assertThat(resumed.skipped()).isEqualTo(uploadedBefore);
        assertThat(storage.list("resume", "job/"))
                .extracting(StoredObject::key)
                .contains("job/" + TreeManifest.FILE_NAME);
    }

    @Test
    void anInterruptedMultipartUploadReusesThePartsAlreadyStored() throws IOException {
        Path source = dir.resolve("src");
        Path file = randomFile(source.resolve("big.bin"), 48L * 1024 * 1024);
        storage.ensureBucket("resume-parts");
        faults.failParts = part -> part == 6;
        assertThatThrownBy(() -> storage.upload(source, "resume-parts", "job/", ProgressListener.NONE))
                .isInstanceOf(CorcException.class);

        faults.failParts = part -> false;
        int before = faults.parts.get();
        storage.upload(source, "resume-parts", "job/", ProgressListener.NONE);
        int sent = faults.parts.get() - before;
        assertThat(sent).as("parts sent again").isLessThan(6);

        Path back = dir.resolve("back");
        storage.download("resume-parts", "job/", back, ProgressListener.NONE);
        assertThat(Files.mismatch(file, back.resolve("big.bin"))).isEqualTo(-1L);
    }

    @Test
    void throttlingIsRetriedWithBackoff() throws IOException {
        Path file = write(dir.resolve("one.txt"), "one");
        storage.ensureBucket("throttle");
        faults.errorsToSend.set(2);
        int before = faults.puts.get();

        storage.put("throttle", "k/one.txt", file);

        assertThat(faults.puts.get() - before).isEqualTo(3);
        assertThat(storage.list("throttle", "k/")).extracting(StoredObject::key).containsExactly("k/one.txt");
    }

    @Test
    void persistentThrottlingEndsWithAClearMessage() throws IOException {
        Path file = write(dir.resolve("one.txt"), "one");
        storage.ensureBucket("throttle2");
        faults.errorsToSend.set(100);

        assertThatThrownBy(() -> storage.put("throttle2", "k/one.txt", file))
                .isInstanceOf(CorcException.class)
                .hasMessageContaining(server.endpoint() + " kept throttling requests (503 SlowDown) after 3 attempts")
                .satisfies(e -> assertThat(((CorcException) e).category()).isEqualTo(ErrorCategory.THROTTLED))
                .satisfies(e -> assertThat(((CorcException) e).hint())
                        .hasValueSatisfying(h -> assertThat(h).contains("max_concurrent_requests")));
    }

    @Test
    void badCredentialsAreNamed() throws IOException {
        Path secrets = Files.createDirectories(dir.resolve("wrong"));
        Files.writeString(secrets.resolve("aws_access_key_id"), server.accessKey());
        Files.writeString(secrets.resolve("aws_secret_access_key"), "not-the-secret");
        Storage wrong = storage(Map.of("secrets_dir", secrets.toString()));

        assertThatThrownBy(() -> wrong.ensureBucket("any"))
                .isInstanceOf(CorcException.class)
                .hasMessageContaining(server.endpoint() + " rejected the credentials (403 SignatureDoesNotMatch)")
                .satisfies(e -> assertThat(((CorcException) e).category()).isEqualTo(ErrorCategory.AUTHENTICATION))
                .satisfies(e -> assertThat(((CorcException) e).hint())
                        .hasValueSatisfying(h -> assertThat(h).contains("AWS_ACCESS_KEY_ID")));
        assertThat(wrong.check().ok()).isFalse();
    }

    @Test
    void credentialsAndRegionComeFromTheNamedProfileOfTheConfiguredFiles() throws IOException {
        Path credentials = dir.resolve("aws/credentials");
        write(
                credentials,
                "[other]\naws_access_key_id = x\naws_secret_access_key = y\n\n[local-s3]\naws_access_key_id = "
                        + server.accessKey() + "\naws_secret_access_key = " + server.secretKey() + "\n");
        write(dir.resolve("aws/config"), "[profile local-s3]\nregion = eu-north-1\n");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("endpoint", server.endpoint().toString());
        config.put("credentials_file", credentials.toString());
        config.put("config_file", dir.resolve("aws/config").toString());
        config.put("name", "local-s3");
        config.put("bucket_name", "profile-bucket");
        Storage viaProfile = new S3StorageFactory()
                .create(new PluginContext(
                        "s3", new PluginConfig("corc.storage.s3", config), dir, new InMemoryRecordStore()));

        viaProfile.ensureBucket("profile-bucket");
        assertThat(viaProfile.check().ok()).isTrue();
        assertThat(viaProfile.check().reason()).contains("bucket 'profile-bucket'");
        // a runner in a pod has no such profile: the region found here travels with the job
        assertThat(viaProfile.runnerSettings()).isEqualTo(Map.of("region", "eu-north-1"));
    }

    @Test
    void aMissingBucketIsNamedWithAHint() throws IOException {
        Path file = write(dir.resolve("x.txt"), "x");
        assertThatThrownBy(() -> storage.put("no-such-bucket", "k", file))
                .isInstanceOf(CorcException.class)
                .hasMessageContaining("bucket 'no-such-bucket' does not exist at " + server.endpoint())
                .satisfies(e -> assertThat(((CorcException) e).category()).isEqualTo(ErrorCategory.NOT_FOUND));
        assertThatThrownBy(() -> storage.get("no-such-bucket", "k", dir.resolve("y")))
                .isInstanceOf(CorcException.class)
                .satisfies(e -> assertThat(((CorcException) e).category()).isEqualTo(ErrorCategory.NOT_FOUND));
        assertThat(storage.list("no-such-bucket", "")).isEmpty();
    }

    @Test
    void aWrongEndpointSaysItCannotBeReached() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Storage nowhere = storage(Map.of("endpoint", "http://127.0.0.1:" + closedPort, "max_attempts", 1));
        assertThatThrownBy(() -> nowhere.ensureBucket("b"))
                .isInstanceOf(CorcException.class)
                .hasMessageStartingWith("cannot reach http://127.0.0.1:" + closedPort
                        + " (connection refused) while trying to check bucket 'b'")
                .hasMessageNotContaining("Exception")
                .satisfies(e -> assertThat(((CorcException) e).category()).isEqualTo(ErrorCategory.UNAVAILABLE))
                .satisfies(e -> assertThat(((CorcException) e).hint())
                        .hasValueSatisfying(hint -> assertThat(hint).contains("--storage-endpoint")));
    }

    @Test
    void anUploadWithoutItsMarkerIsReportedIncompleteAndNotDownloaded() throws IOException {
        storage.ensureBucket("outputs");
        Path task0 = dir.resolve("task0");
        write(task0.resolve("result.txt"), "complete");
        storage.upload(task0, "outputs", "job/output/0/", ProgressListener.NONE);
        // task 1 was cut off: one file stored, no commit marker
        storage.put("outputs", "job/output/1/partial.txt", write(dir.resolve("partial.txt"), "half"));

        Path target = dir.resolve("results");
        TransferReport report = storage.download("outputs", "job/output/", target, ProgressListener.NONE);

        assertThat(report.incomplete()).containsExactly("job/output/1/");
        assertThat(target.resolve("0/result.txt")).hasContent("complete");
        assertThat(target.resolve("1/partial.txt")).doesNotExist();
    }

    @Test
    void aFileTheManifestListsButTheStoreNoLongerHoldsIsReportedMissing() throws IOException {
        storage.ensureBucket("gone");
        Path tree = dir.resolve("gone-tree");
        write(tree.resolve("a.txt"), "alpha");
        write(tree.resolve("sub/b.txt"), "beta");
        write(tree.resolve("sub/c.txt"), "gamma");
        storage.upload(tree, "gone", "job/output/0/", ProgressListener.NONE);
        assertThat(storage.delete("gone", "job/output/0/sub/b.txt")).isEqualTo(1); // say, corc storage rm of one key

        Path target = dir.resolve("gone-out");
        TransferReport report = storage.download("gone", "job/output/", target, ProgressListener.NONE);

        assertThat(report.missing()).containsExactly("job/output/0/sub/b.txt");
        assertThat(report.incomplete()).isEmpty();
        assertThat(report.files()).isEqualTo(2);
        assertThat(target.resolve("0/a.txt")).hasContent("alpha");
        assertThat(target.resolve("0/sub/c.txt")).hasContent("gamma");
        assertThat(target.resolve("0/sub/b.txt")).doesNotExist();
    }

    @Test
    void objectsStoredByOtherToolsDownloadWithTheirEtagChecked() throws IOException {
        storage.ensureBucket("foreign");
        Path plain = write(dir.resolve("plain.txt"), "written by another tool");
        storage.put("foreign", "data/plain.txt", plain);
        Path target = dir.resolve("foreign-out");
        TransferReport report = storage.download("foreign", "data/", target, ProgressListener.NONE);
        assertThat(report.files()).isEqualTo(1);
        assertThat(target.resolve("plain.txt")).hasContent("written by another tool");
    }

    // ---- helpers ----

    private static Path write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    static Path randomFile(Path file, long size) throws IOException {
        Files.createDirectories(file.getParent());
        Random random = new Random(size);
        byte[] block = new byte[1024 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            long left = size;
            while (left > 0) {
                random.nextBytes(block);
                int n = (int) Math.min(block.length, left);
                out.write(block, 0, n);
                left -= n;
            }
        }
        return file;
    }

    private static void assertSameTree(Path expected, Path actual) throws IOException {
        List<String> expectedNames;
        List<String> actualNames;
        try (Stream<Path> a = Files.walk(expected);
                Stream<Path> b = Files.walk(actual)) {
            expectedNames =
                    a.map(p -> expected.relativize(p).toString()).sorted().toList();
            actualNames = b.map(p -> actual.relativize(p).toString()).sorted().toList();
        }
        assertThat(actualNames).containsExactlyElementsOf(expectedNames);
        for (String name : expectedNames) {
            Path e = expected.resolve(name);
            if (Files.isRegularFile(e)) {
                assertThat(Files.mismatch(e, actual.resolve(name))).as(name).isEqualTo(-1L);
            }
        }
    }
}
