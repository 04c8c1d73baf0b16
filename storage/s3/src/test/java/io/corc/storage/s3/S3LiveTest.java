package io.corc.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.corc.api.CorcException;
import io.corc.api.InMemoryRecordStore;
import io.corc.api.PluginConfig;
import io.corc.api.PluginContext;
import io.corc.api.ProgressListener;
import io.corc.api.Storage;
import io.corc.api.StoredObject;
import io.corc.api.TransferReport;
import io.corc.api.TreeManifest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The S3 storage against real AWS S3, or the S3-compatible store at {@code CORC_LIVE_S3_ENDPOINT} (MinIO, Ceph, OCI's
 * compatibility endpoint), with the credentials of the AWS files ({@code ~/.aws/credentials}, {@code ~/.aws/config},
 * AWS_PROFILE) or the AWS_* environment (tag {@code live}: {@code ./mvnw -Plive}; docs/testing.md). It makes a
 * bucket {@code corc-live-<random>}, or only a prefix {@code corc-live-<random>/} in {@code CORC_LIVE_S3_BUCKET},
 * and removes what it made in {@link #removeWhatItMade()}, whatever the test's outcome.
 */
@Tag("live")
class S3LiveTest {
    private static final long MIB = 1024 * 1024;

    @TempDir
    static Path dir;

    private static Map<String, Object> config;
    private static Storage storage;
    private static String bucket;
    private static String prefix;
    private static boolean madeBucket;

    /** Why the test cannot run here (no credentials, say), or {@code null}. */
    private static String missing;

    @BeforeAll
    static void storage() {
        Path configFile = file("AWS_CONFIG_FILE", ".aws/config");
        Path credentialsFile = file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
        if (env("AWS_ACCESS_KEY_ID") == null
                && !Files.isRegularFile(credentialsFile)
                && !Files.isRegularFile(configFile)) {
            missing = "no AWS credentials: AWS_ACCESS_KEY_ID is not set and neither " + credentialsFile + " nor "
                    + configFile + " exists";
            return;
        }
        config = new LinkedHashMap<>();
        config.put("name", env("AWS_PROFILE") == null ? "default" : env("AWS_PROFILE"));
        config.put("config_file", configFile.toString());
        config.put("credentials_file", credentialsFile.toString());
        if (env("CORC_LIVE_S3_ENDPOINT") != null) {
            config.put("endpoint", env("CORC_LIVE_S3_ENDPOINT"));
        }
        if (env("CORC_LIVE_S3_REGION") != null) {
            config.put("region", env("CORC_LIVE_S3_REGION"));
        }
        try {
            // no request is sent yet: what fails here is configuration (a region missing, say)
            storage = new S3StorageFactory()
                    .create(new PluginContext(
                            "s3", new PluginConfig("corc.storage.s3", config), dir, new InMemoryRecordStore()));
        } catch (CorcException e) {
            missing = e.getMessage();
            return;
        }
        String name = "corc-live-" + HexFormat.of().formatHex(randomBytes(4));
        String given = env("CORC_LIVE_S3_BUCKET");
        bucket = given != null ? given : name;
        prefix = name + "/";
    }

    /** A skip per test, not per class: JUnit reports an assumption failed in {@code @BeforeAll} as no test at all. */
    @BeforeEach
    void credentials() {
        assumeTrue(missing == null, () -> "S3 live test skipped: " + missing);
    }

    @AfterAll
    static void removeWhatItMade() {
        if (storage == null) {
            return; // skipped: nothing was made
        }
        try {
            storage.delete(bucket, prefix);
        } finally {
            S3Settings settings = S3Settings.from(new PluginConfig("corc.storage.s3", config));
            try (S3Client s3 =
                    S3Clients.create(settings, S3Clients.credentials(settings), S3Clients.region(settings))) {
                // parts of an upload that failed half-way are billed until aborted
                List<MultipartUpload> open = open(s3);
                open.forEach(u -> s3.abortMultipartUpload(
                        b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId())));
                if (madeBucket) {
                    try {
                        s3.deleteBucket(b -> b.bucket(bucket));
                    } catch (S3Exception e) {
                        if (e.statusCode() != 404) {
                            throw e;
                        }
                    }
                    assertThat(bucketExists(s3)).as("bucket %s deleted", bucket).isFalse();
                } else {
                    assertThat(storage.list(bucket, prefix))
                            .as("objects under %s", prefix)
                            .isEmpty();
                    assertThat(open(s3))
                            .as("open multipart uploads under %s", prefix)
                            .isEmpty();
                }
            }
        }
    }

    @Test
    void treeWithAMultipartFileRoundTripsAndAReuploadMovesNothing() throws IOException {
        Path source = dir.resolve("source");
        write(source.resolve("a.txt"), "alpha");
        write(source.resolve("empty.dat"), "");
        write(source.resolve("nested/deeper/z.txt"), "zulu");
        write(source.resolve("unicode/Ångström – ß.txt"), "unicode names");
        Path big = source.resolve("big/twenty-mib.bin");
        Files.createDirectories(big.getParent());
        Random random = new Random(20);
        byte[] chunk = new byte[(int) MIB];
        try (OutputStream out = Files.newOutputStream(big)) {
            for (int i = 0; i < 20; i++) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        long total = 5 + 0 + 4 + "unicode names".getBytes(StandardCharsets.UTF_8).length + 20 * MIB;

        madeBucket = env("CORC_LIVE_S3_BUCKET") == null;
        storage.ensureBucket(bucket);
        TransferReport up = storage.upload(source, bucket, prefix, ProgressListener.NONE);

        assertThat(up.files()).isEqualTo(5);
        assertThat(up.bytes()).isEqualTo(total);
        assertThat(storage.list(bucket, prefix))
                .filteredOn(o -> o.key().equals(prefix + "big/twenty-mib.bin"))
                .extracting(StoredObject::size)
                .containsExactly(20 * MIB);

        Path target = dir.resolve("target");
        TransferReport down = storage.download(bucket, prefix, target, ProgressListener.NONE);
        assertThat(down.files()).isEqualTo(5);
        assertSameTree(source, target);
        assertThat(target.resolve(TreeManifest.FILE_NAME)).doesNotExist();

        TransferReport again = storage.upload(source, bucket, prefix, ProgressListener.NONE);
        assertThat(again.files()).as("files uploaded again").isZero();
        assertThat(again.skipped()).isEqualTo(5);

        Path single = dir.resolve("single/twenty-mib.bin");
        storage.get(bucket, prefix + "big/twenty-mib.bin", single);
        assertThat(Files.mismatch(big, single))
                .as("single get of the multipart object")
                .isEqualTo(-1);
    }

    private static List<MultipartUpload> open(S3Client s3) {
        try {
            return s3.listMultipartUploads(b -> b.bucket(bucket).prefix(prefix)).uploads();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return List.of(); // the bucket was never made
            }
            throw e;
        }
    }

    private static boolean bucketExists(S3Client s3) {
        try {
            s3.headBucket(b -> b.bucket(bucket));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private static void assertSameTree(Path expected, Path actual) throws IOException {
        assertThat(files(actual)).isEqualTo(files(expected));
        for (Path relative : files(expected)) {
            assertThat(Files.mismatch(expected.resolve(relative), actual.resolve(relative)))
                    .as("content of %s", relative)
                    .isEqualTo(-1);
        }
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .map(root::relativize)
                    .filter(p -> !p.toString().equals(TreeManifest.FILE_NAME))
                    .sorted()
                    .toList();
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    /** The file an environment variable names, else {@code relative} under the user's home (the JVM's, not HOME). */
    private static Path file(String variable, String relative) {
        String value = env(variable);
        return value != null
                ? Path.of(value)
                : Path.of(System.getProperty("user.home")).resolve(relative);
    }

    private static String env(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? null : value.strip();
    }
}
