package io.corc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corc.storage.s3.server.LocalS3Server;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * End to end: {@code corc job run} on the local scheduler with its inputs and outputs staged through an S3 server
 * started in this JVM on a free loopback port, and {@code corc job result get} bringing the outputs home.
 *
 * <p>The tasks run in the scheduler's detached supervisor JVM (started with this JVM's java and class path, see
 * {@code SupervisorLauncher}); its job runner reaches the server over loopback and reads the credentials from the
 * same AWS credentials file, whose path and profile name are all the job spec carries. What is stored is checked
 * with the AWS SDK's own client, independently of corc's S3 code.
 */
class JobThroughS3Test {
    private static final String PROFILE = "e2e";
    private static final String UNICODE_NAME = "Ångström ✓.instr";
    /** Above the 5 MiB multipart threshold of the configuration: three parts up, three ranged GETs down. */
    private static final int BLOB_SIZE = 11 * 1024 * 1024 + 3;
    /**
     * What every task does: lists its inputs (type, size, path), concatenates the text inputs, writes a file in a
     * nested directory with a non-ASCII name, and copies the large binary input to its outputs.
     */
    private static final String TASK = String.join(
            "\n",
            "set -e",
            "cd \"$CORC_INPUT\"",
            "find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r p; do",
            "  if [ -d \"$p\" ]; then echo \"d $p\"; else echo \"f $(wc -c < \"$p\" | tr -d ' ') $p\"; fi",
            "done > \"$CORC_OUTPUT/listing.txt\"",
            "cat data/params.txt data/nested/deeper/*.instr > \"$CORC_OUTPUT/seen.txt\"",
            "mkdir -p \"$CORC_OUTPUT/nested/ü\"",
            "echo \"task $CORC_TASK_INDEX of $CORC_NUM_JOBS in $CORC_JOB_ID\" > \"$CORC_OUTPUT/nested/ü/task.txt\"",
            "cp data/blob.bin \"$CORC_OUTPUT/blob.bin\"",
            "echo \"stdout of $CORC_TASK_INDEX\"",
            "echo \"stderr of $CORC_TASK_INDEX\" >&2");
    /** The output files of a task, with the runner's job.json, stdout.log, stderr.log and the commit marker. */
    private static final List<String> TASK_OUTPUTS = List.of(
            ".corc-manifest",
            "blob.bin",
            "job.json",
            "listing.txt",
            "nested/ü/task.txt",
            "seen.txt",
            "stderr.log",
            "stdout.log");

    @TempDir
    Path home;

    @TempDir
    Path work;

    @TempDir
    Path s3Directory;

    private LocalS3Server server;
    private S3Client s3;
    private CliRunner cli;
    private Path credentials;
    private Path input;
    private boolean unicodeNames;

    @BeforeEach
    void setUp() throws IOException {
        server = LocalS3Server.builder().directory(s3Directory).port(0).start();
        s3 = S3Client.builder()
                .httpClient(Apache5HttpClient.create())
                .endpointOverride(server.endpoint())
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(server.accessKey(), server.secretKey())))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
        // the AWS format, as ~/.aws/credentials: the job runner in the supervisor JVM reads the same file
        credentials = Files.writeString(
                work.resolve("aws-credentials"),
                "[default]\naws_access_key_id = wrong\naws_secret_access_key = wrong\n\n[" + PROFILE
                        + "]\naws_access_key_id = " + server.accessKey() + "\naws_secret_access_key = "
                        + server.secretKey() + "\n");
        cli = new CliRunner(home);
        unicodeNames = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"))
                .newEncoder()
                .canEncode(UNICODE_NAME + "ü");
        input = inputTree();
    }

    @AfterEach
    void tearDown() {
        s3.close();
        server.close();
    }

    /** {@code data/}: a text file, a nested unicode name, an empty file, an empty directory and a multipart blob. */
    private Path inputTree() throws IOException {
        Path root = work.resolve("in").resolve("data");
        Files.createDirectories(root.resolve("nested/deeper"));
        Files.createDirectories(root.resolve("empty-dir"));
        Files.writeString(root.resolve("params.txt"), "n=1e6\n");
        Files.write(root.resolve("nested/empty.txt"), new byte[0]);
        Files.writeString(
                root.resolve("nested/deeper/" + (unicodeNames ? UNICODE_NAME : "plain.instr")),
                "DEFINE INSTRUMENT demo(λ=1.5)\n");
        byte[] blob = new byte[BLOB_SIZE];
        new Random(42).nextBytes(blob);
        Files.write(root.resolve("blob.bin"), blob);
        return root;
    }

    /** A corc configuration staging through the server: the s3 backend, its endpoint, the credentials file. */
    private Path configFile(String bucket, int maxAttempts) throws IOException {
        return Files.writeString(
                work.resolve("config-" + bucket + ".yaml"),
                String.join(
                        "\n",
                        "corc:",
                        "  storage:",
                        "    backend: s3",
                        "    endpoint: " + server.endpoint(),
                        "    s3:",
                        "      name: " + PROFILE,
                        "      credentials_file: " + credentials,
                        "      config_file: " + work.resolve("no-aws-config"),
                        "      bucket_name: " + bucket,
                        "      multipart_threshold_mib: 5",
                        "      multipart_chunksize_mib: 5",
                        "      max_attempts: " + maxAttempts,
                        ""));
    }

    private static String[] args(List<String> prefix, String... rest) {
        return Stream.concat(prefix.stream(), Stream.of(rest)).toArray(String[]::new);
    }

    private static String[] args(List<String> command, List<String> options, String... rest) {
        return args(Stream.concat(command.stream(), options.stream()).toList(), rest);
    }

    @Test
    void aJobConfiguredForS3StagesThroughItAndItsResultsComeHomeByteForByte() throws Exception {
        List<String> corc = List.of("--config", configFile("jobs", 3).toString());

        CliRunner.Result run = cli.run(args(
                corc,
                "job",
                "run",
                "--num-jobs",
                "3",
                "--num-parallel",
                "2",
                "--input",
                input.toString(),
                "--wait",
                "-o",
                "json",
                "--",
                "sh",
                "-c",
                TASK));

        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.json()).containsEntry("status", "success");
        Map<String, Object> job = map(run.json().get("job"));
        String jobId = (String) job.get("id");
        assertThat(job).containsEntry("state", "succeeded").containsEntry("scheduler", "local");
        assertThat(run.json()).containsEntry("results", "s3://jobs/" + jobId + "/output/");
        assertThat(list(job.get("tasks"))).hasSize(3).allSatisfy(task -> assertThat(map(task))
                .containsEntry("state", "succeeded")
                .containsEntry("exit_code", 0)
                .doesNotContainEntry("stage_in_seconds", null)
                .doesNotContainEntry("compute_seconds", null)
                .doesNotContainEntry("stage_out_seconds", null));

        // what the store holds, seen through the AWS SDK: the inputs once, each task's outputs with its marker
        SortedMap<String, String> stored = storedObjects("jobs", jobId + "/");
        List<String> expected = new ArrayList<>();
        localFiles(input).forEach(name -> expected.add(jobId + "/input/data/" + name));
        expected.add(jobId + "/input/data/.corc-manifest");
        for (int task = 0; task < 3; task++) {
            for (String name : TASK_OUTPUTS) {
                expected.add(jobId + "/output/" + task + "/" + name);
            }
        }
        assertThat(stored.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        for (String name : localFiles(input)) {
            assertThat(object("jobs", jobId + "/input/data/" + name))
                    .as(name)
                    .isEqualTo(Files.readAllBytes(input.resolve(name)));
        }

        Path results = work.resolve("results");
        CliRunner.Result get =
                cli.run(args(corc, "job", "result", "get", jobId, "--path", results.toString(), "-o", "json"));

        assertThat(get.code()).as(get.toString()).isZero();
        assertThat(get.json())
                .containsEntry("status", "success")
                .containsEntry("job_id", jobId)
                .containsEntry("path", results.resolve(jobId).toString());
        assertThat(map(get.json().get("transfer")))
                .containsEntry("files", 3 * (TASK_OUTPUTS.size() - 1))
                .containsEntry("incomplete", List.of());
        for (int task = 0; task < 3; task++) {
            assertTaskOutputs(results.resolve(jobId), jobId, task, "jobs");
        }

        // a task whose upload was cut off (its commit marker is gone), and stray files of a task 7 never committed
        s3.deleteObject(b -> b.bucket("jobs").key(jobId + "/output/1/.corc-manifest"));
        s3.putObject(b -> b.bucket("jobs").key(jobId + "/output/7/half.txt"), RequestBody.fromString("half"));

        Path again = work.resolve("again");
        CliRunner.Result partial = cli.run(args(corc, "job", "result", "get", jobId, "--path", again.toString()));

        assertThat(partial.code()).as(partial.toString()).isEqualTo(ExitCodes.FAILED_OUTCOME);
        assertThat(partial.out())
                .as(partial.toString())
                .contains("task 1: outputs incomplete (upload cut off or still running); not downloaded\n")
                .contains("task 7: outputs incomplete (upload cut off or still running); not downloaded\n")
                .contains("Downloaded " + 2 * (TASK_OUTPUTS.size() - 1) + " file(s)")
                .contains("corc job show " + jobId);
        assertTaskOutputs(again.resolve(jobId), jobId, 0, "jobs");
        assertTaskOutputs(again.resolve(jobId), jobId, 2, "jobs");
        assertThat(again.resolve(jobId).resolve("1")).doesNotExist();
        assertThat(again.resolve(jobId).resolve("7")).doesNotExist();

        CliRunner.Result partialJson =
                cli.run(args(corc, "job", "result", "get", jobId, "--path", again.toString(), "-o", "json"));

        assertThat(partialJson.code()).as(partialJson.toString()).isEqualTo(ExitCodes.FAILED_OUTCOME);
        assertThat(partialJson.json()).containsEntry("status", "partial");
        assertThat(map(partialJson.json().get("transfer")))
                .containsEntry("files", 0) // the complete tasks are there already
                .containsEntry("skipped", 2 * (TASK_OUTPUTS.size() - 1))
                .containsEntry("incomplete", List.of(jobId + "/output/1/", jobId + "/output/7/"));
        assertThat(again.resolve(jobId).resolve("1")).doesNotExist();
    }

    @Test
    void storageFlagsAloneStageAJobAndWaitDownloadsWhatIsCompleteAndNamesWhatIsNot() throws Exception {
        // the file holds only where the credentials are; everything else comes from job run's --storage-* flags
        Path config = Files.writeString(
                work.resolve("credentials-only.yaml"),
                "corc:\n  storage:\n    s3:\n      credentials_file: " + credentials + "\n      config_file: "
                        + work.resolve("no-aws-config") + "\n");
        List<String> flags = List.of(
                "--storage-backend",
                "s3",
                "--storage-endpoint",
                server.endpoint().toString(),
                "--storage-bucket",
                "flagged",
                "--storage-profile",
                PROFILE);
        Path started = work.resolve("started");
        Path gate = work.resolve("gate");
        Path downloads = work.resolve("downloads");

        // task 2 holds the job open until the test has stored an uncommitted task 7 beside the real outputs
        CliRunner.Background waiting = cli.start(args(
                List.of("--config", config.toString(), "job", "run"),
                flags,
                "--num-jobs",
                "3",
                "--num-parallel",
                "2",
                "--input",
                input.toString(),
                "--env",
                "STARTED=" + started,
                "--env",
                "GATE=" + gate,
                "--wait",
                "--storage-download-path",
                downloads.toString(),
                "-o",
                "json",
                "--",
                "sh",
                "-c",
                TASK + "\nif [ \"$CORC_TASK_INDEX\" = 2 ]; then\n  echo \"$CORC_JOB_ID\" > \"$STARTED.tmp\""
                        + " && mv \"$STARTED.tmp\" \"$STARTED\"\n"
                        + "  i=0; while [ ! -e \"$GATE\" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done\nfi"));
        CliRunner.Result run;
        String jobId;
        try {
            jobId = awaitFile(started, Duration.ofMinutes(2), waiting).strip();
            s3.putObject(b -> b.bucket("flagged").key(jobId + "/output/7/half.txt"), RequestBody.fromString("half"));
        } finally {
            Files.writeString(gate, "go");
        }
        run = waiting.join(Duration.ofMinutes(2));

        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCodes.FAILED_OUTCOME);
        assertThat(run.json()).containsEntry("status", "partial");
        assertThat(map(run.json().get("job"))).containsEntry("id", jobId).containsEntry("state", "succeeded");
        assertThat(run.json()).containsEntry("results", "s3://flagged/" + jobId + "/output/");
        Map<String, Object> download = map(run.json().get("download"));
        assertThat(download).containsEntry("path", downloads.resolve(jobId).toString());
        assertThat(map(download.get("transfer")))
                .containsEntry("files", 3 * (TASK_OUTPUTS.size() - 1))
                .containsEntry("incomplete", List.of(jobId + "/output/7/"));
        for (int task = 0; task < 3; task++) {
            assertTaskOutputs(downloads.resolve(jobId), jobId, task, "flagged");
        }
        assertThat(downloads.resolve(jobId).resolve("7")).doesNotExist();
        assertThat(storedObjects("flagged", jobId + "/input/")).containsKey(jobId + "/input/data/blob.bin");

        // the job spec handed to the supervisor names the credentials file and profile, never the keys
        Path spec = home.resolve("local/jobs").resolve(jobId);
        assertThat(filesContaining(spec, credentials.toString())).isNotEmpty();
        assertThat(filesContaining(home, server.secretKey())).isEmpty();
        assertThat(filesContaining(home, server.accessKey())).isEmpty();

        CliRunner.Result get = cli.run(args(
                List.of("--config", config.toString(), "job", "result", "get", jobId),
                flags,
                "--path",
                work.resolve("table").toString()));

        assertThat(get.code()).as(get.toString()).isEqualTo(ExitCodes.FAILED_OUTCOME);
        assertThat(get.out())
                .contains("task 7: outputs incomplete (upload cut off or still running); not downloaded")
                .doesNotContain("task 0:", "task 1:", "task 2:");
        assertThat(get.err()).as(get.toString()).isEmpty();
    }

    @Test
    void anUnreachableEndpointFailsFastWithOneLineNamingItAndLeavesNoJob() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        List<String> corc = List.of("--config", configFile("jobs", 1).toString());
        String endpoint = "http://127.0.0.1:" + closed;

        long start = System.nanoTime();
        CliRunner.Result run = cli.run(args(
                corc,
                "job",
                "run",
                "--storage-endpoint",
                endpoint,
                "--input",
                input.resolve("params.txt").toString(),
                "--",
                "true"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(took).as(run.toString()).isLessThan(Duration.ofSeconds(15));
        assertThat(run.out()).isEmpty();
        List<String> lines = run.err().lines().toList();
        assertThat(lines).as(run.toString()).hasSize(2);
        assertThat(lines.get(0))
                .startsWith("corc: error: ")
                .contains("cannot reach " + endpoint + " (connection refused) while trying to ")
                .doesNotContain("Exception");
        assertThat(lines.get(1)).startsWith("hint: ").contains("endpoint");
        assertThat(run.err()).doesNotContain("\tat ");

        CliRunner.Result jobs = cli.run(args(corc, "job", "list", "-o", "json"));
        assertThat(jobs.code()).as(jobs.toString()).isZero();
        assertThat(list(jobs.json().get("jobs"))).isEmpty();
        // nothing reached the scheduler
        Path localJobs = home.resolve("local/jobs");
        if (Files.isDirectory(localJobs)) {
            try (Stream<Path> dirs = Files.list(localJobs)) {
                assertThat(dirs.toList()).isEmpty();
            }
        }

        // nothing was staged (the bucket could not even be checked): no record is left for corc gc to roll back
        Path jobRecords = home.resolve("state/job");
        if (Files.isDirectory(jobRecords)) {
            try (Stream<Path> records = Files.list(jobRecords)) {
                assertThat(records.filter(p -> p.toString().endsWith(".json")).toList())
                        .isEmpty();
            }
        }
        assertThat(cli.run(args(corc, "gc", "-o", "json")).out()).doesNotContain("its submission failed");
    }

    /** One task's downloaded outputs: every file as stored, each byte as the task wrote it, job.json as the runner. */
    private void assertTaskOutputs(Path jobDir, String jobId, int task, String bucket) throws IOException {
        Path dir = jobDir.resolve(Integer.toString(task));
        assertThat(localFiles(dir))
                .as("task %d", task)
                .containsExactlyInAnyOrderElementsOf(TASK_OUTPUTS.stream()
                        .filter(n -> !n.equals(".corc-manifest"))
                        .toList());
        for (String name : localFiles(dir)) {
            assertThat(Files.readAllBytes(dir.resolve(name)))
                    .as("task %d: %s", task, name)
                    .isEqualTo(object(bucket, jobId + "/output/" + task + "/" + name));
        }
        assertThat(Files.readAllBytes(dir.resolve("blob.bin")))
                .isEqualTo(Files.readAllBytes(input.resolve("blob.bin")));
        assertThat(dir.resolve("listing.txt")).hasContent(expectedListing());
        assertThat(dir.resolve("seen.txt")).hasContent("n=1e6\nDEFINE INSTRUMENT demo(λ=1.5)");
        assertThat(dir.resolve("nested/ü/task.txt")).hasContent("task " + task + " of 3 in " + jobId);
        assertThat(dir.resolve("stdout.log")).hasContent("stdout of " + task);
        assertThat(dir.resolve("stderr.log")).hasContent("stderr of " + task);

        JsonNode report = new ObjectMapper().readTree(dir.resolve("job.json").toFile());
        assertThat(report.path("exit_code").isInt()).as(report.toString()).isTrue();
        assertThat(report.path("exit_code").asInt()).as(report.toString()).isZero();
        assertThat(report.path("job_id").asText()).isEqualTo(jobId);
        assertThat(report.path("task_index").asInt()).isEqualTo(task);
        assertThat(report.path("error").isNull()).as(report.toString()).isTrue();
        for (String phase : List.of("stage_in_seconds", "compute_seconds", "stage_out_seconds")) {
            assertThat(report.path(phase).isNumber())
                    .as(phase + " in " + report)
                    .isTrue();
            assertThat(report.path(phase).asDouble())
                    .as(phase + " in " + report)
                    .isPositive();
        }
    }

    /** What the task's listing of {@code $CORC_INPUT} must say: type, size and path of each entry, sorted. */
    private String expectedListing() throws IOException {
        Path staged = input.getParent();
        List<String> lines = new ArrayList<>();
        try (Stream<Path> all = Files.walk(input)) {
            for (Path path : all.sorted().toList()) {
                String name = "./" + staged.relativize(path).toString().replace('\\', '/');
                lines.add(name + "\0" + (Files.isDirectory(path) ? "d " + name : "f " + Files.size(path) + " " + name));
            }
        }
        return lines.stream()
                .sorted()
                .map(line -> line.substring(line.indexOf('\0') + 1))
                .reduce((a, b) -> a + "\n" + b)
                .orElseThrow();
    }

    /** Relative names of the regular files below {@code dir}, {@code /}-separated. */
    private static List<String> localFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .map(file -> dir.relativize(file).toString().replace('\\', '/'))
                    .sorted()
                    .toList();
        }
    }

    /** Every object below {@code prefix} by key, with its ETag, as the AWS SDK lists it. */
    private SortedMap<String, String> storedObjects(String bucket, String prefix) {
        SortedMap<String, String> objects = new TreeMap<>();
        for (S3Object object :
                s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
            objects.put(object.key(), object.eTag());
        }
        return objects;
    }

    private byte[] object(String bucket, String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    /** The files below {@code dir} whose bytes contain {@code text}. */
    private static List<Path> filesContaining(Path dir, String text) throws IOException {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        List<Path> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (indexOf(Files.readAllBytes(file), needle) >= 0) {
                    found.add(file);
                }
            }
        }
        return found;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Waits until {@code file} exists and returns its content; fails early when the command has ended. */
    private static String awaitFile(Path file, Duration timeout, CliRunner.Background command) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                return Files.readString(file);
            }
            if (!command.thread().isAlive()) {
                throw new AssertionError("the job ended before " + file + " appeared: " + command.join(Duration.ZERO));
            }
            Thread.sleep(50);
        }
        throw new AssertionError(file + " did not appear within " + timeout);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return (List<Object>) value;
    }
}
