package io.corc.jobio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.GpuSpec;
import io.corc.api.JobSpec;
import io.corc.api.ResourceRequest;
import io.corc.api.Staging;
import io.corc.api.TaskReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobJsonTest {
    @TempDir
    Path temp;

    @Test
    void reportRoundTripsWithSnakeCaseNamesAndIsoInstants() throws IOException {
        TaskReport report = new TaskReport(
                1,
                "job-1",
                2,
                List.of("echo", "hi"),
                0,
                "node-1",
                Instant.parse("2025-01-02T03:04:05.123Z"),
                Instant.parse("2025-01-02T03:04:09Z"),
                0.5,
                3.25,
                0.125,
                null);
        Path file = temp.resolve("job.json");

        JobJson.writeReport(report, file);

        assertThat(JobJson.readReport(file)).isEqualTo(report);
        JsonNode json = JobJson.mapper().readTree(file.toFile());
        assertThat(json.fieldNames())
                .toIterable()
                .containsExactly(
                        "schema_version",
                        "job_id",
                        "task_index",
                        "command",
                        "exit_code",
                        "host",
                        "started_at",
                        "ended_at",
                        "stage_in_seconds",
                        "compute_seconds",
                        "stage_out_seconds",
                        "error");
        assertThat(json.get("started_at").asText()).isEqualTo("2025-01-02T03:04:05.123Z");
        assertThat(json.get("error").isNull()).isTrue();
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void specRoundTrips() {
        JobSpec spec = new JobSpec(
                "job-2",
                "name",
                List.of("mcrun", "-n", "1000"),
                "img:1",
                Map.of("A", "b"),
                "/work",
                4,
                2,
                new ResourceRequest(2, 4.5, new GpuSpec(1, "A100")),
                Duration.ofMinutes(90),
                true,
                new Staging("s3", "bucket", "job-2", "in", "out"),
                Map.of("namespace", "corc"));
        Path file = temp.resolve("spec.json");

        JobJson.writeSpec(spec, file);

        assertThat(JobJson.readSpec(file)).isEqualTo(spec);
        assertThat(JobJson.toJson(spec)).contains("\"time_limit\" : \"PT1H30M\"", "\"num_parallel\" : 2");
    }

    @Test
    void readingMissingOrMalformedFilesFailsWithACategory() throws IOException {
        Path bad = Files.writeString(temp.resolve("bad.json"), "{\"job_id\": ");

        assertThatThrownBy(() -> JobJson.readReport(temp.resolve("none.json")))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND));
        assertThatThrownBy(() -> JobJson.readSpec(bad))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT))
                .hasMessageStartingWith(bad + " is not a valid job spec");
    }
}
