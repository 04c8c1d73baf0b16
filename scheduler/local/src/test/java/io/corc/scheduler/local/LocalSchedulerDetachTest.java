package io.corc.scheduler.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.Job;
import io.corc.api.JobState;
import io.corc.api.ProgressListener;
import io.corc.api.Scheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSchedulerDetachTest {
    @TempDir
    Path home;

    @TempDir
    Path scratch;

    private Scheduler scheduler;

    @AfterEach
    void removeJobs() {
        scheduler.list().forEach(job -> scheduler.remove(job.id()));
    }

    @Test
    void aJobOutlivesTheProcessThatSubmittedIt() throws Exception {
        scheduler = TestJobs.scheduler(home);
        Path gate = scratch.resolve("gate");
        Process submitter = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        SubmitAndExit.class.getName(),
                        home.toString(),
                        "job-detached",
                        gate.toString()))
                .redirectErrorStream(true)
                .redirectOutput(scratch.resolve("submitter.log").toFile())
                .start();
        assertThat(submitter.waitFor(TestJobs.TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                .isTrue();
        assertThat(submitter.exitValue()).as("submitter exit code").isZero();
        JobDirectory dir = new JobDirectory(TestJobs.jobDir(home, "job-detached"));
        ProcessHandle supervisor =
                ProcessHandle.of(dir.readSupervisor().orElseThrow().pid()).orElseThrow();

        // setsid, where used, executes the JVM in place: the recorded pid is the supervisor JVM itself
        assertThat(supervisor.info().command())
                .hasValueSatisfying(command ->
                        assertThat(Path.of(command).getFileName().toString()).isEqualTo("java"));
        Files.createFile(gate);
        Job job = scheduler.await("job-detached", TestJobs.TIMEOUT, ProgressListener.NONE);

        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(dir.taskDir(0).resolve("output/done")).hasContent("done");
    }
}
