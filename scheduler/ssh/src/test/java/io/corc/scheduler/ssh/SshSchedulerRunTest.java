package io.corc.scheduler.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.Job;
import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.LogLine;
import io.corc.api.ProgressListener;
import io.corc.api.Scheduler;
import io.corc.api.StoredObject;
import io.corc.api.TaskReport;
import io.corc.api.TaskStatus;
import io.corc.api.TreeManifest;
import io.corc.jobio.JobJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jobs run for real through SSH on this machine: staging, num_parallel, job.json, failures, time limit, logs. */
class SshSchedulerRunTest {
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
    void runsThreeTasksTwoAtATimeWithInputsAndOutputsStagedOverSftp() throws IOException {
        Scheduler scheduler = host.scheduler();
        String script = String.join(
                "\n",
                "date +%s%N > \"$CORC_OUTPUT/start\"",
                "sleep 1",
                "{ cat \"$CORC_INPUT/data/in.txt\"; echo \"task $CORC_TASK_INDEX of $CORC_NUM_JOBS\"; }"
                        + " > \"$CORC_OUTPUT/result.txt\"",
                "echo \"log of $CORC_TASK_INDEX\"",
                "date +%s%N > \"$CORC_OUTPUT/end\"");
        JobSpec spec = host.staged(
                SshTestHost.spec("job-three", 3, 2, script, null), Map.of("data/in.txt", "hello from the input\n"));

        Job submitted = scheduler.submit(spec, ProgressListener.NONE);
        Job job = scheduler.await(spec.id(), SshTestHost.TIMEOUT, ProgressListener.NONE);

        assertThat(submitted.details()).containsEntry("staging", "sftp").containsKey("host");
        assertThat(job.state()).as("job %s", job).isEqualTo(JobState.SUCCEEDED);
        assertThat(job.tasks()).extracting(TaskStatus::exitCode).containsOnly(0);
        assertThat(job.tasks()).allSatisfy(task -> {
            assertThat(task.computeSeconds()).isGreaterThanOrEqualTo(0.9);
            assertThat(task.stageOutSeconds()).isNotNull();
            assertThat(task.host()).isNotBlank();
        });
        assertThat(job.finishedAt()).isNotNull();

        // what corc job result get reads: every task's tree committed, job.json in each
        String outputs = spec.staging().outputKeyPrefix();
        List<StoredObject> listing = host.storage.list(SshTestHost.BUCKET, outputs);
        assertThat(TreeManifest.uncommittedTrees(listing, outputs)).isEmpty();
        assertThat(listing)
                .extracting(StoredObject::key)
                .contains(TreeManifest.markerKey(spec.staging().outputKeyPrefix(2)));
        Path results = tmp.resolve("results");
        host.storage.download(SshTestHost.BUCKET, outputs, results, ProgressListener.NONE);
        List<long[]> intervals = new ArrayList<>();
        for (int index = 0; index < 3; index++) {
            Path task = results.resolve(Integer.toString(index));
            assertThat(task.resolve("result.txt")).hasContent("hello from the input\ntask " + index + " of 3");
            assertThat(task.resolve("stdout.log")).hasContent("log of " + index);
            TaskReport report = JobJson.readReport(task.resolve("job.json"));
            assertThat(report.jobId()).isEqualTo(spec.id());
            assertThat(report.taskIndex()).isEqualTo(index);
            assertThat(report.exitCode()).isZero();
            assertThat(report.error()).isNull();
            assertThat(report.command()).isEqualTo(spec.command());
            assertThat(report.computeSeconds()).isGreaterThanOrEqualTo(0.9);
            assertThat(report.stageOutSeconds()).isPositive();
            intervals.add(new long[] {
                Long.parseLong(Files.readString(task.resolve("start")).strip()),
                Long.parseLong(Files.readString(task.resolve("end")).strip())
            });
        }
        assertThat(maxOverlap(intervals)).as("tasks running at once").isEqualTo(2);

        List<LogLine> lines = new ArrayList<>();
        scheduler.logs(spec.id(), 2, false, lines::add);
        assertThat(lines).containsExactly(new LogLine(2, "stdout", "log of 2"));
        assertThat(scheduler.list()).extracting(Job::id).containsExactly(spec.id());

        Path jobDir = host.jobDir(spec.id());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(jobDir)))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(jobDir.resolve("tasks/0/output"))))
                .isEqualTo("rwx------");
        scheduler.remove(spec.id());
        assertThat(jobDir).doesNotExist();
        assertThat(scheduler.get(spec.id())).isEmpty();
        assertThat(host.records.list(SshJobRecord.TYPE)).isEmpty();
        assertThat(host.storage.list(SshTestHost.BUCKET, outputs))
                .as("outputs stay in storage")
                .isNotEmpty();
    }

    @Test
    void aFailingTaskFailsWithItsExitCodeAndItsOutputsAreStillStaged() {
        Scheduler scheduler = host.scheduler();
        JobSpec spec = host.staged(
                SshTestHost.spec(
                        "job-fail",
                        3,
                        3,
                        "echo oops >&2; echo partial > \"$CORC_OUTPUT/partial.txt\";"
                                + " if [ \"$CORC_TASK_INDEX\" = 1 ]; then exit 3; fi",
                        null),
                Map.of());

        scheduler.submit(spec, ProgressListener.NONE);
        Job job = scheduler.await(spec.id(), SshTestHost.TIMEOUT, ProgressListener.NONE);

        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.tasks())
                .extracting(TaskStatus::state)
                .containsExactly(JobState.SUCCEEDED, JobState.FAILED, JobState.SUCCEEDED);
        assertThat(job.tasks().get(1).exitCode()).isEqualTo(3);
        assertThat(job.tasks().get(1).message()).isEqualTo("the command exited with 3");
        TaskReport report = JobJson.readReport(download(spec, 1).resolve("job.json"));
        assertThat(report.exitCode()).isEqualTo(3);
        assertThat(download(spec, 1).resolve("partial.txt")).hasContent("partial");
        List<LogLine> lines = new ArrayList<>();
        scheduler.logs(spec.id(), null, false, lines::add);
        assertThat(lines)
                .containsExactly(
                        new LogLine(0, "stderr", "oops"),
                        new LogLine(1, "stderr", "oops"),
                        new LogLine(2, "stderr", "oops"));
    }

    @Test
    void aTaskPastItsTimeLimitIsKilledWithItsChildrenAndFailsWith124() {
        Scheduler scheduler = host.scheduler();
        JobSpec spec = host.staged(
                SshTestHost.spec(
                        "job-limit", 1, 1, "sleep 60 & echo $! > \"$CORC_OUTPUT/child\"; wait", Duration.ofSeconds(1)),
                Map.of());

        scheduler.submit(spec, ProgressListener.NONE);
        Job job = scheduler.await(spec.id(), SshTestHost.TIMEOUT, ProgressListener.NONE);

        TaskStatus task = job.tasks().get(0);
        assertThat(task.state()).isEqualTo(JobState.FAILED);
        assertThat(task.exitCode()).isEqualTo(124);
        assertThat(task.message()).isEqualTo("time limit of 1s exceeded");
        assertThat(task.computeSeconds()).isBetween(0.9, 10.0);
        Path output = download(spec, 0);
        assertThat(JobJson.readReport(output.resolve("job.json")).error()).isEqualTo("time limit of 1s exceeded");
        long child = SshTestHost.pidIn(output.resolve("child"));
        SshTestHost.await("the command's child to be killed", () -> !SshTestHost.running(child));
    }

    @Test
    void followingTheLogsSendsLinesAsTheyComeAndReturnsWhenTheJobIsOver() {
        Scheduler scheduler = host.scheduler();
        // the tasks go on once the test saw the first line, so that line provably came while they ran
        JobSpec spec = SshTestHost.spec(
                "job-follow",
                2,
                2,
                "echo one; while [ ! -e \"$HOME/go\" ]; do sleep 0.1; done; printf 'two\\nno newline' >&2",
                null);
        scheduler.submit(spec, ProgressListener.NONE);
        List<LogLine> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<JobState> stateAtFirstLine = new java.util.concurrent.CopyOnWriteArrayList<>();

        scheduler.logs(spec.id(), null, true, line -> {
            if (lines.isEmpty()) {
                stateAtFirstLine.add(scheduler.get(spec.id()).orElseThrow().state());
                touch(host.server.home().resolve("go"));
            }
            lines.add(line);
        });

        assertThat(stateAtFirstLine).containsExactly(JobState.RUNNING);
        assertThat(scheduler.get(spec.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(lines)
                .containsExactlyInAnyOrder(
                        new LogLine(0, "stdout", "one"),
                        new LogLine(0, "stderr", "two"),
                        new LogLine(0, "stderr", "no newline"),
                        new LogLine(1, "stdout", "one"),
                        new LogLine(1, "stderr", "two"),
                        new LogLine(1, "stderr", "no newline"));
    }

    private static void touch(Path file) {
        try {
            Files.writeString(file, "");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Path download(JobSpec spec, int index) {
        Path target = tmp.resolve("download-" + spec.id() + "-" + index);
        host.storage.download(SshTestHost.BUCKET, spec.staging().outputKeyPrefix(index), target, ProgressListener.NONE);
        return target;
    }

    private static int maxOverlap(List<long[]> intervals) {
        int max = 0;
        for (long[] a : intervals) {
            int running = 0;
            for (long[] b : intervals) {
                if (b[0] <= a[0] && a[0] < b[1]) {
                    running++;
                }
            }
            max = Math.max(max, running);
        }
        return max;
    }
}
