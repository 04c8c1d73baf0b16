package io.corc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.storage.s3.server.LocalS3Server;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job on the local scheduler with its inputs and outputs staged through a real S3 server on loopback: the CLI
 * stages the inputs, the job runner in the detached supervisor JVM fetches them and uploads each task's outputs
 * with the same S3 code, and {@code job result get} brings them home.
 */
class JobStagedThroughS3Test {
    @TempDir
    Path home;

    @TempDir
    Path work;

    private LocalS3Server server;
    private CliRunner cli;
    private Path config;

    @BeforeEach
    void setUp() throws IOException {
        server = LocalS3Server.builder().directory(work.resolve("s3")).start();
        Path credentials = Files.writeString(
                work.resolve("credentials"),
                "[staging]\naws_access_key_id = " + server.accessKey() + "\naws_secret_access_key = "
                        + server.secretKey() + "\n");
        config = Files.writeString(
                work.resolve("config.yaml"),
                "corc:\n  storage:\n    backend: s3\n    endpoint: " + server.endpoint() + "\n    s3:\n"
                        + "      credentials_file: " + credentials + "\n      config_file: " + work.resolve("none")
                        + "\n      name: staging\n      bucket_name: jobs\n      max_attempts: 2\n");
        cli = new CliRunner(home);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aJobOfThreeTasksStagesInputsAndOutputsThroughS3() throws Exception {
        Path input = work.resolve("instr");
        Files.createDirectories(input.resolve("nested"));
        Files.writeString(input.resolve("nested/Ångström.instr"), "DEFINE INSTRUMENT demo()\n");
        Files.writeString(input.resolve("params.txt"), "n=1e6\n");

        CliRunner.Result run = cli.run(
                "--config",
                config.toString(),
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
                "cat \"$CORC_INPUT\"/instr/nested/*.instr \"$CORC_INPUT/instr/params.txt\" > \"$CORC_OUTPUT/seen.txt\""
                        + " && echo $CORC_TASK_INDEX > \"$CORC_OUTPUT/index.txt\"");
        assertThat(run.code()).as(run.toString()).isZero();
        @SuppressWarnings("unchecked")
        String jobId = (String) ((Map<String, Object>) run.json().get("job")).get("id");

        CliRunner.Result listed = cli.run("--config", config.toString(), "storage", "ls", "s3://jobs/" + jobId + "/");
        assertThat(listed.out())
                .as(listed.toString())
                .contains(
                        jobId + "/input/instr/nested/Ångström.instr",
                        jobId + "/output/0/.corc-manifest",
                        jobId + "/output/2/job.json",
                        jobId + "/output/1/seen.txt");

        Path results = work.resolve("results");
        CliRunner.Result get = cli.run(
                "--config",
                config.toString(),
                "job",
                "result",
                "get",
                jobId,
                "--path",
                results.toString(),
                "-o",
                "json");
        assertThat(get.code()).as(get.toString()).isZero();
        assertThat(get.json()).containsEntry("status", "success");
        for (int task = 0; task < 3; task++) {
            Path dir = results.resolve(jobId).resolve(Integer.toString(task));
            assertThat(dir.resolve("seen.txt")).hasContent("DEFINE INSTRUMENT demo()\nn=1e6");
            assertThat(dir.resolve("index.txt")).hasContent(Integer.toString(task));
            assertThat(Files.readString(dir.resolve("job.json")))
                    .contains("\"exit_code\" : 0", "stage_in_seconds", "stage_out_seconds");
        }

        // a task whose upload was cut off: files but no commit marker
        Path half = Files.writeString(work.resolve("half.txt"), "half");
        assertThat(cli.run(
                                "--config",
                                config.toString(),
                                "storage",
                                "put",
                                half.toString(),
                                "s3://jobs/" + jobId + "/output/7/half.txt")
                        .code())
                .isZero();
        CliRunner.Result partial = cli.run(
                "--config",
                config.toString(),
                "job",
                "result",
                "get",
                jobId,
                "--path",
                results.toString(),
                "-o",
                "json");
        assertThat(partial.code()).as(partial.toString()).isEqualTo(1);
        assertThat(partial.json()).containsEntry("status", "partial");
        @SuppressWarnings("unchecked")
        Map<String, Object> transfer = (Map<String, Object>) partial.json().get("transfer");
        assertThat((List<Object>) transfer.get("incomplete")).containsExactly((Object) jobId + "/output/7/");
        assertThat(results.resolve(jobId).resolve("7")).doesNotExist();
        CliRunner.Result human =
                cli.run("--config", config.toString(), "job", "result", "get", jobId, "--path", results.toString());
        assertThat(human.out())
                .contains("task 7: outputs incomplete (upload cut off or still running); not downloaded");
    }

    @Test
    void anUnreachableEndpointFailsFastNamingItAndLeavesNoJobBehind() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Path input = Files.writeString(work.resolve("in.txt"), "x");

        CliRunner.Result run = cli.run(
                "--config",
                config.toString(),
                "job",
                "run",
                "--storage-endpoint",
                "http://127.0.0.1:" + closed,
                "--input",
                input.toString(),
                "--",
                "true");

        assertThat(run.code()).as(run.toString()).isEqualTo(7);
        assertThat(run.err())
                .contains("cannot reach http://127.0.0.1:" + closed)
                .contains("hint:");
        assertThat(run.err()).doesNotContain("\tat ");
        CliRunner.Result jobs = cli.run("--config", config.toString(), "job", "list", "-o", "json");
        assertThat((List<?>) jobs.json().get("jobs")).isEmpty();

        // what could not be rolled back then is corc gc's to finish, once the store answers
        CliRunner.Result listed = cli.run("--config", config.toString(), "gc", "-o", "json");
        assertThat(listed.out()).as(listed.toString()).contains("its submission failed");
        CliRunner.Result applied = cli.run("--config", config.toString(), "gc", "--apply", "-o", "json");
        assertThat(applied.code()).as(applied.toString()).isZero();
        assertThat(cli.run("--config", config.toString(), "gc", "-o", "json").out())
                .doesNotContain("its submission failed");
    }
}
