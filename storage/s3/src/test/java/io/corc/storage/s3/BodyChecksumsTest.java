package io.corc.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import io.corc.api.CorcException;
import io.corc.api.PluginConfig;
import io.corc.api.ProgressListener;
import io.corc.api.Storage;
import io.corc.storage.s3.server.LocalS3Server;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Which checksum binds each body corc uploads: the CRC32C where the store confirms it checked it (s3proxy, as AWS S3
 * and MinIO), through corc's direct requests and through the SDK alike; the MD5 as soon as a store does not confirm,
 * with the unconfirmed body sent again.
 */
class BodyChecksumsTest {
    private static LocalS3Server server;
    private static FaultyBlobStore recorded;

    @TempDir
    static Path serverDir;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() {
        server = LocalS3Server.builder()
                .directory(serverDir.resolve("objects"))
                .decorate(store -> recorded = new FaultyBlobStore(store))
                .start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void forget() {
        recorded.bodyChecksums.clear();
    }

    @Test
    void directRequestsBindEveryBodyByItsCrc32cAndSendNoMd5() throws IOException {
        Storage storage = new S3StorageFactory()
                .create(new io.corc.api.PluginContext("s3", config(), dir, new io.corc.api.InMemoryRecordStore()));
        roundTrip(storage, "direct");
    }

    @Test
    void theSdkPathBindsEveryBodyByItsCrc32cToo() throws IOException {
        S3Settings settings = S3Settings.from(config());
        var credentials = S3Clients.credentials(settings);
        var region = S3Clients.region(settings);
        Storage storage = new S3Storage(
                new Lazy<>(() -> S3Clients.create(settings, credentials, region)), null, settings, null, credentials);
        roundTrip(storage, "sdk");
    }

    /** A small file and a 20 MiB one (3 parts) up and back, every body bound by its CRC32C alone. */
    private void roundTrip(Storage storage, String bucket) throws IOException {
        Path source = dir.resolve("source");
        Files.createDirectories(source);
        Files.writeString(source.resolve("small.txt"), "small");
        Path big = S3StorageTest.randomFile(source.resolve("big.bin"), 20L * 1024 * 1024);
        storage.ensureBucket(bucket);

        storage.upload(source, bucket, "job/", ProgressListener.NONE);

        // s3proxy hands the parts' CRC32Cs on to its store, not those of whole objects (it checks both, see below)
        assertThat(recorded.bodyChecksums)
                .filteredOn(body -> body.startsWith("job/big.bin"))
                .containsExactly("job/big.bin: crc32c", "job/big.bin: crc32c", "job/big.bin: crc32c");
        assertThat(recorded.bodyChecksums).as("bodies with an MD5").noneMatch(body -> body.contains("md5"));
        Path back = dir.resolve("back");
        storage.download(bucket, "job/", back, ProgressListener.NONE);
        assertThat(Files.mismatch(big, back.resolve("big.bin"))).isEqualTo(-1L);
        assertThat(back.resolve("small.txt")).hasContent("small");
    }

    @Test
    void theServerRefusesABodyWhoseCrc32cIsWrongWholeOrAsAPart() {
        S3Settings settings = S3Settings.from(config());
        var credentials = S3Clients.credentials(settings);
        DirectRequests direct = S3Clients.direct(settings, credentials, S3Clients.region(settings));
        S3Storage storage = new S3Storage(
                new Lazy<>(() -> S3Clients.create(settings, credentials, S3Clients.region(settings))),
                direct,
                settings,
                null,
                credentials);
        storage.ensureBucket("wrong");
        byte[] data = "the bytes sent".getBytes(StandardCharsets.UTF_8);
        var wrong = new DirectRequests.Body(data, data.length, Map.of("x-amz-checksum-crc32c", "AAAAAA=="));

        S3Exception refused = catchThrowableOfType(() -> direct.put("wrong", "whole.txt", wrong), S3Exception.class);
        assertThat(refused.awsErrorDetails().errorCode()).isEqualTo("BadDigest");
        assertThat(S3Errors.translate(refused, settings, "upload whole.txt", "wrong"))
                .hasMessageStartingWith("checksum mismatch: " + server.endpoint())
                .hasMessageContaining("received different bytes than were sent (400 BadDigest)")
                .satisfies(e -> assertThat(e.category()).isEqualTo(io.corc.api.ErrorCategory.INTERNAL));
        String upload = S3Clients.create(settings, credentials, S3Clients.region(settings))
                .createMultipartUpload(b -> b.bucket("wrong").key("parts.bin"))
                .uploadId();
        assertThatThrownBy(() -> direct.putPart("wrong", "parts.bin", upload, 1, wrong))
                .isInstanceOfSatisfying(
                        S3Exception.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("BadDigest"));
    }

    private PluginConfig config() {
        return new PluginConfig(
                "corc.storage.s3",
                Map.of(
                        "endpoint", server.endpoint().toString(),
                        "config_file", dir.resolve("none").toString(),
                        "credentials_file", dir.resolve("none").toString(),
                        "secrets_dir", secrets().toString(),
                        "max_attempts", 1));
    }

    private Path secrets() {
        try {
            Path secrets = Files.createDirectories(dir.resolve("secrets"));
            Files.writeString(secrets.resolve("aws_access_key_id"), server.accessKey());
            Files.writeString(secrets.resolve("aws_secret_access_key"), server.secretKey());
            return secrets;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---- a store that does not confirm CRC32Cs ---------------------------------------------------------------------

    /** The checksum headers of each PUT a {@link PlainStore} received. */
    private final List<Map<String, String>> received = new CopyOnWriteArrayList<>();

    private HttpServer plain;
    private volatile String echo; // what the plain store answers in x-amz-checksum-crc32c, or null
    private volatile boolean lie; // whether it answers an ETag other than the body's MD5
    private volatile boolean refuseCrc32c; // whether it refuses the x-amz-checksum-crc32c header (400)

    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    /** An S3 endpoint that stores nothing and answers every PUT with the body's MD5 as its ETag. */
    @BeforeEach
    void startPlainStore() throws IOException {
        plain = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        plain.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            var headers = exchange.getRequestHeaders();
            received.add(Map.of(
                    "content-md5", String.valueOf(headers.getFirst("Content-MD5")),
                    "x-amz-checksum-crc32c", String.valueOf(headers.getFirst("x-amz-checksum-crc32c"))));
            if (refuseCrc32c && headers.getFirst("x-amz-checksum-crc32c") != null) {
                byte[] error = "<Error><Code>InvalidArgument</Code><Message>x-amz-checksum-crc32c</Message></Error>"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(400, error.length);
                exchange.getResponseBody().write(error);
                exchange.close();
                return;
            }
            String md5 = Etags.hex(Etags.md5().digest(lie ? new byte[1] : body));
            exchange.getResponseHeaders().add("ETag", '"' + md5 + '"');
            if (echo != null) {
                exchange.getResponseHeaders().add("x-amz-checksum-crc32c", echo);
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        plain.start();
    }

    @AfterEach
    void stopPlainStore() {
        plain.stop(0);
        pool.shutdownNow();
    }

    private S3Objects plainObjects() {
        URI endpoint = URI.create("http://127.0.0.1:" + plain.getAddress().getPort());
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret"));
        S3Settings settings = S3Settings.from(new PluginConfig("corc.storage.s3", Map.of("endpoint", endpoint)));
        DirectRequests direct = new DirectRequests(endpoint, "us-east-1", credentials, 1, Clock.systemUTC());
        return new S3Objects(
                () -> {
                    throw new AssertionError("the SDK is not needed for PUTs of small files");
                },
                direct,
                settings,
                pool);
    }

    private String upload(S3Objects objects, String name, String content) throws IOException {
        Path file = Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
        long size = Files.size(file);
        return objects.upload("b", name, file, size, new TransferProgress(ProgressListener.NONE, "up", size, 1))
                .join();
    }

    @Test
    void anUnconfirmedBodyIsSentAgainWithItsMd5AndLaterBodiesCarryMd5s() throws IOException {
        S3Objects objects = plainObjects();
        String md5 = Base64.getEncoder().encodeToString(Etags.md5().digest("first".getBytes(StandardCharsets.UTF_8)));

        String checksum = upload(objects, "first.txt", "first");
        upload(objects, "second.txt", "second");

        assertThat(received).hasSize(3);
        assertThat(received.get(0).get("content-md5")).isEqualTo("null");
        assertThat(received.get(0).get("x-amz-checksum-crc32c")).isNotEqualTo("null");
        assertThat(received.get(1)).containsEntry("content-md5", md5).containsEntry("x-amz-checksum-crc32c", "null");
        assertThat(received.get(2).get("content-md5")).isNotEqualTo("null");
        assertThat(received.get(2).get("x-amz-checksum-crc32c")).isEqualTo("null");
        assertThat(checksum)
                .startsWith(Etags.hex(Etags.md5().digest("first".getBytes(StandardCharsets.UTF_8))))
                .contains(",crc32c:");
    }

    @Test
    void aStoreRefusingTheCrc32cHeaderGetsTheBodyAgainWithItsMd5() throws IOException {
        refuseCrc32c = true;
        S3Objects objects = plainObjects();

        upload(objects, "first.txt", "first");
        upload(objects, "second.txt", "second");

        assertThat(received).hasSize(3);
        assertThat(received.get(0).get("x-amz-checksum-crc32c")).isNotEqualTo("null");
        assertThat(received.subList(1, 3)).allSatisfy(headers -> assertThat(headers)
                .containsEntry("x-amz-checksum-crc32c", "null")
                .doesNotContainEntry("content-md5", "null"));
    }

    @Test
    void aStoreConfirmingAnotherCrc32cIsAMismatch() {
        echo = "AAAAAA==";
        assertThatThrownBy(() -> upload(plainObjects(), "x.txt", "content"))
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(CorcException.class)
                .hasMessageContaining("checksum mismatch for key 'x.txt'")
                .hasMessageContaining("the store received different bytes than were sent");
        assertThat(received).hasSize(1);
    }

    @Test
    void anMd5BoundBodyWhoseEtagDiffersIsAMismatch() {
        lie = true;
        assertThatThrownBy(() -> upload(plainObjects(), "y.txt", "content"))
                .cause()
                .isInstanceOf(CorcException.class)
                .hasMessageContaining("checksum mismatch for key 'y.txt'");
        assertThat(received).hasSize(2); // the CRC32C-bound body unconfirmed, then the MD5-bound one
    }
}
