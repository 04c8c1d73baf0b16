package io.corc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the shaded jar as a separate process, as README command A does, so a broken jar cannot pass. */
class ShadedJarIT {
    @TempDir
    Path home;

    @TempDir
    Path work;

    record Outcome(int code, String out, String err) {}

    private Outcome corc(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                System.getProperty("corc.jar")));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
        builder.environment().put("CORC_HOME", home.toString());
        builder.redirectOutput(work.resolve("out.txt").toFile())
                .redirectError(work.resolve("err.txt").toFile());
        Process process = builder.start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("corc finished").isTrue();
        return new Outcome(
                process.exitValue(),
                Files.readString(work.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(work.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    @Test
    void commandARunsAJobAndResultGetBringsItHome() throws Exception {
        Outcome run =
                corc("job", "run", "--wait", "-o", "json", "--", "sh", "-c", "echo hello > \"$CORC_OUTPUT/hello.txt\"");
        assertThat(run.code()).as(run.toString()).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> job = (Map<String, Object>)
                new ObjectMapper().readValue(run.out(), Map.class).get("job");
        String jobId = (String) job.get("id");

        Outcome get = corc("job", "result", "get", jobId);

        assertThat(get.code()).as(get.toString()).isZero();
        assertThat(work.resolve(jobId).resolve("0").resolve("hello.txt")).hasContent("hello\n");
        @SuppressWarnings("unchecked")
        Map<String, Object> report = new ObjectMapper()
                .readValue(work.resolve(jobId).resolve("0").resolve("job.json").toFile(), Map.class);
        assertThat(report)
                .containsEntry("exit_code", 0)
                .containsEntry("job_id", jobId)
                .containsKeys(
                        "host", "started_at", "ended_at", "stage_in_seconds", "compute_seconds", "stage_out_seconds");
    }

    @Test
    void errorsFromTheJarAreOneMessageWithoutStackTrace() throws Exception {
        Outcome show = corc("job", "show", "job-missing");

        assertThat(show.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(show.err())
                .contains("corc: error: job 'job-missing' not found")
                .doesNotContain("\tat ");
    }

    @Test
    void theOciProviderPlansFromTheJar() throws Exception {
        // The OCI SDK finds its Jersey HTTP client and Jackson modules through service files: shading must keep them.
        io.corc.provider.oci.OciFixture fixture = new io.corc.provider.oci.OciFixture();
        try {
            Files.writeString(
                    home.resolve("config.yaml"),
                    String.join(
                            "\n",
                            "corc:",
                            "  providers:",
                            "    oci:",
                            "      profile:",
                            "        config_file: " + fixture.configFile,
                            "        compartment_id: " + io.corc.provider.oci.OciFixture.COMPARTMENT,
                            "      endpoint: " + fixture.oci.url(),
                            ""));

            Outcome plan = corc("oci", "orchestration", "instance", "plan", "--min-cores", "2", "--min-memory", "8");

            assertThat(plan.code()).as(plan.toString()).isZero();
            assertThat(plan.out()).contains("VM.Standard.E4.Flex", "ocid1.image.oc1..ol9-new");
        } finally {
            fixture.close();
        }
    }

    @Test
    void helpAndVersionWork() throws Exception {
        assertThat(corc("--help").code()).isZero();
        assertThat(corc("--version").out()).startsWith("corc 0.1.0");
    }
}
