package io.corc.scheduler.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.Job;
import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.ProgressListener;
import io.corc.api.Scheduler;
import io.corc.api.TaskReport;
import io.corc.api.TaskStatus;
import io.corc.api.TreeManifest;
import io.corc.jobio.JobJson;
import io.corc.ssh.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runner staging: corc's job runner on the host fetches the inputs and uploads the outputs itself. */
class SshSchedulerRunnerStagingTest {
    @TempDir
    Path tmp;

    private SshTestHost host;

    @BeforeEach
    void start() {
        host = new SshTestHost(tmp);
    }

    @AfterEach
    void stop() {
        host.close();
    }

    @Test
    void theRunnerOnTheHostStagesInputsAndOutputsAndItsJobJsonGivesTheTimings() throws java.io.IOException {
        String runner = Shell.join(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                TestJobRunner.class.getName()));
        Scheduler scheduler = host.scheduler(Map.of("staging", "runner", "runner", runner));
        JobSpec spec = host.staged(
                SshTestHost.spec(
                        "job-runner",
                        2,
                        2,
                        "tr a-z A-Z < \"$CORC_INPUT/in.txt\" > \"$CORC_OUTPUT/out.txt\";"
                                + " [ \"$CORC_TASK_INDEX\" = 1 ] && exit 4; exit 0",
                        null),
                Map.of("in.txt", "shout"));

        Job submitted = scheduler.submit(spec, Map.of("aws_access_key_id", "not-really-a-key"), ProgressListener.NONE);
        Job job = scheduler.await(spec.id(), SshTestHost.TIMEOUT, ProgressListener.NONE);

        assertThat(submitted.details()).containsEntry("staging", "runner");
        assertThat(job.tasks()).extracting(TaskStatus::state).containsExactly(JobState.SUCCEEDED, JobState.FAILED);
        assertThat(job.tasks().get(1).exitCode()).isEqualTo(4);
        assertThat(job.tasks().get(1).message()).isEqualTo("the command exited with 4");
        assertThat(job.tasks().get(0).stageOutSeconds()).isNotNull();
        for (int index = 0; index < 2; index++) {
            String prefix = spec.staging().outputKeyPrefix(index);
            Path output = tmp.resolve("out-" + index);
            host.storage.download(SshTestHost.BUCKET, prefix, output, ProgressListener.NONE);
            assertThat(output.resolve("out.txt")).hasContent("SHOUT");
            TaskReport report = JobJson.readReport(output.resolve("job.json"));
            assertThat(report.taskIndex()).isEqualTo(index);
            assertThat(host.storage.list(SshTestHost.BUCKET, TreeManifest.markerKey(prefix)))
                    .hasSize(1);
        }
        // the storage credentials are files 0600 in the 0700 job directory, never in the spec
        Path jobDir = host.jobDir(spec.id());
        assertThat(PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(jobDir.resolve("secrets/aws_access_key_id"))))
                .isEqualTo("rw-------");
        assertThat(jobDir.resolve("spec.json")).content().doesNotContain("not-really-a-key");
    }
}
