package io.corc.scheduler.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.ProgressListener;
import io.corc.api.Scheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Javadoc of {@link LocalScheduler} promises 0700 directories and 0600 files whatever the umask. */
class LocalSchedulerPermissionsTest {
    @TempDir
    Path home;

    private Scheduler scheduler;

    @AfterEach
    void removeJobs() {
        scheduler.list().forEach(job -> scheduler.remove(job.id()));
    }

    @Test
    void directoriesAndLogsOfAJobArePrivate() throws IOException {
        scheduler = TestJobs.scheduler(home);
        JobSpec captured = TestJobs.spec("job-captured", 1, 1, "echo out; echo err >&2", Map.of());
        JobSpec uncaptured = TestJobs.spec("job-uncaptured", 1, 1, "echo out; echo err >&2", Map.of())
                .withCapture(false);

        for (JobSpec spec : List.of(captured, uncaptured)) {
            scheduler.submit(spec, ProgressListener.NONE);
            assertThat(scheduler
                            .await(spec.id(), TestJobs.TIMEOUT, ProgressListener.NONE)
                            .state())
                    .isEqualTo(JobState.SUCCEEDED);
        }

        Path capturedDir = TestJobs.jobDir(home, captured.id());
        Path uncapturedDir = TestJobs.jobDir(home, uncaptured.id());
        for (Path dir : List.of(
                home.resolve("local"),
                home.resolve("local/jobs"),
                capturedDir,
                capturedDir.resolve("tasks"),
                capturedDir.resolve("tasks/0"),
                capturedDir.resolve("tasks/0/output"))) {
            assertThat(mode(dir)).as(dir.toString()).isEqualTo("rwx------");
        }
        for (Path file : List.of(
                capturedDir.resolve("supervisor.log"),
                capturedDir.resolve("tasks/0/output/stdout.log"),
                capturedDir.resolve("tasks/0/output/stderr.log"),
                uncapturedDir.resolve("tasks/0/stdout.log"),
                uncapturedDir.resolve("tasks/0/stderr.log"))) {
            assertThat(mode(file)).as(file.toString()).isEqualTo("rw-------");
        }
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
