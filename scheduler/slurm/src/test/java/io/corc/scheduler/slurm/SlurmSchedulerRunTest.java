package io.corc.scheduler.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.InMemoryRecordStore;
import io.corc.api.Job;
import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.LogLine;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.Scheduler;
import io.corc.api.Storage;
import io.corc.api.TaskReport;
import io.corc.api.TaskStatus;
import io.corc.jobio.JobJson;
import io.corc.jobio.StorageLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real job array on a real Slurm: staging, num_parallel, job.json, failures, logs. */
class SlurmSchedulerRunTest {
    @TempDir
    Path home;

    @TempDir
    Path scratch;

    private final RecordStore records = new InMemoryRecordStore();

    @BeforeAll
    static void slurm() {
        SlurmCluster.require();
    }

    @Test
    void runsAnArrayWithAtMostNumParallelTasksAtOnceAndStagesInputsAndOutputs() throws IOException {
        Scheduler scheduler = SlurmTestJobs.scheduler(home, records);
        Path storageRoot = scratch.resolve("storage");
        Storage storage = StorageLoader.load("local", Map.of("path", storageRoot.toString()), home);
        storage.ensureBucket("jobs");
        String id = SlurmTestJobs.id("array");
        Path inputs = Files.createDirectories(scratch.resolve("inputs"));
        Files.writeString(inputs.resolve("data.txt"), "hello from the input\n");
        storage.upload(inputs, "jobs", id + "/input/", ProgressListener.NONE);
        String script = String.join(
                "\n",
                "date +%s%N > \"$CORC_OUTPUT/start\"",
                "sleep 1",
                "{ cat \"$CORC_INPUT/data.txt\"; echo \"task $CORC_TASK_INDEX of $CORC_NUM_JOBS\"; }"
                        + " > \"$CORC_OUTPUT/result.txt\"",
                "echo \"log of $CORC_TASK_INDEX\"",
                "date +%s%N > \"$CORC_OUTPUT/end\"");
        JobSpec spec = SlurmTestJobs.staged(SlurmTestJobs.spec(id, 4, 2, script, null), "jobs", storageRoot, home);
        List<Long> finishedReported = new CopyOnWriteArrayList<>();

        Job submitted = scheduler.submit(spec, ProgressListener.NONE);
        Job job = scheduler.await(id, SlurmTestJobs.TIMEOUT, (step, done, total) -> finishedReported.add(done));

        assertThat(submitted.details()).containsKeys("slurm_job_id", "work_dir");
        assertThat(job.state()).as("job %s", job).isEqualTo(JobState.SUCCEEDED);
        assertThat(job.tasks()).extracting(TaskStatus::state).containsOnly(JobState.SUCCEEDED);
        assertThat(job.tasks()).extracting(TaskStatus::exitCode).containsOnly(0);
        assertThat(job.tasks()).allSatisfy(t -> assertThat(t.computeSeconds()).isGreaterThanOrEqualTo(1.0));
        assertThat(job.finishedAt()).isNotNull();
        assertThat(finishedReported).last().isEqualTo(4L);
        Path results = scratch.resolve("results");
        storage.download("jobs", id + "/output/", results, ProgressListener.NONE);
        List<long[]> intervals = new ArrayList<>();
        for (int index = 0; index < 4; index++) {
            Path task = results.resolve(Integer.toString(index));
            assertThat(task.resolve("result.txt")).hasContent("hello from the input\ntask " + index + " of 4");
            assertThat(task.resolve("stdout.log")).hasContent("log of " + index);
            TaskReport report = JobJson.readReport(task.resolve("job.json"));
            assertThat(report.taskIndex()).isEqualTo(index);
            assertThat(report.jobId()).isEqualTo(id);
            assertThat(report.exitCode()).isZero();
            assertThat(report.error()).isNull();
            intervals.add(new long[] {
                Long.parseLong(Files.readString(task.resolve("start")).strip()),
                Long.parseLong(Files.readString(task.resolve("end")).strip())
            });
        }
        assertThat(maxOverlap(intervals)).as("tasks running at once").isEqualTo(2);
        List<LogLine> lines = new ArrayList<>();
        scheduler.logs(id, 3, false, lines::add);
        assertThat(lines).containsExactly(new LogLine(3, "stdout", "log of 3"));
        assertThat(scheduler.list()).extracting(Job::id).containsExactly(id);

        Path jobDir = Path.of(job.details().get("work_dir"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(jobDir)))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(jobDir.resolve("spec.json"))))
                .isEqualTo("rw-------");
        scheduler.remove(id);
        assertThat(jobDir).doesNotExist();
        assertThat(scheduler.get(id)).isEmpty();
        assertThat(records.list(SlurmJobRecord.TYPE)).isEmpty();
    }

    @Test
    void aFailingTaskFailsWithItsExitCodeWhileTheOthersSucceed() {
        Scheduler scheduler = SlurmTestJobs.scheduler(home, records);
        String id = SlurmTestJobs.id("fail");
        JobSpec spec =
                SlurmTestJobs.spec(id, 3, 3, "echo oops >&2; if [ \"$CORC_TASK_INDEX\" = 1 ]; then exit 3; fi", null);

        scheduler.submit(spec, ProgressListener.NONE);
        Job job = scheduler.await(id, SlurmTestJobs.TIMEOUT, ProgressListener.NONE);

        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.tasks())
                .extracting(TaskStatus::state)
                .containsExactly(JobState.SUCCEEDED, JobState.FAILED, JobState.SUCCEEDED);
        TaskStatus failed = job.tasks().get(1);
        assertThat(failed.exitCode()).isEqualTo(3);
        assertThat(failed.message()).isEqualTo("the command exited with 3");
        List<LogLine> lines = new ArrayList<>();
        scheduler.logs(id, null, false, lines::add);
        assertThat(lines)
                .containsExactly(
                        new LogLine(0, "stderr", "oops"),
                        new LogLine(1, "stderr", "oops"),
                        new LogLine(2, "stderr", "oops"));
        scheduler.remove(id);
    }

    @Test
    void followingTheLogsSendsLinesAsTheyComeAndReturnsWhenTheJobIsOver() {
        Scheduler scheduler = SlurmTestJobs.scheduler(home, records);
        String id = SlurmTestJobs.id("follow");
        scheduler.submit(SlurmTestJobs.spec(id, 2, 2, "echo one; sleep 1; echo two >&2", null), ProgressListener.NONE);
        List<LogLine> lines = new CopyOnWriteArrayList<>();
        List<JobState> stateAtFirstLine = new CopyOnWriteArrayList<>();

        scheduler.logs(id, null, true, line -> {
            if (lines.isEmpty()) {
                stateAtFirstLine.add(scheduler.get(id).orElseThrow().state());
            }
            lines.add(line);
        });

        assertThat(stateAtFirstLine).containsExactly(JobState.RUNNING);
        assertThat(scheduler.get(id).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(lines)
                .containsExactlyInAnyOrder(
                        new LogLine(0, "stdout", "one"),
                        new LogLine(0, "stderr", "two"),
                        new LogLine(1, "stdout", "one"),
                        new LogLine(1, "stderr", "two"));
        scheduler.remove(id);
    }

    /** The runner stops the command at the time limit and still stages out; Slurm's --time has room for that. */
    @Test
    void aTaskPastItsTimeLimitIsStoppedAndFailsSayingSo() {
        Scheduler scheduler = SlurmTestJobs.scheduler(home, records);
        String id = SlurmTestJobs.id("timeout");
        JobSpec spec = SlurmTestJobs.spec(id, 1, 1, "sleep 60", java.time.Duration.ofSeconds(2));

        scheduler.submit(spec, ProgressListener.NONE);
        Job job = scheduler.await(id, SlurmTestJobs.TIMEOUT, ProgressListener.NONE);

        TaskStatus task = job.tasks().get(0);
        assertThat(task.state()).isEqualTo(JobState.FAILED);
        assertThat(task.exitCode()).isEqualTo(124);
        assertThat(task.message()).isEqualTo("time limit of 2s exceeded");
        assertThat(task.computeSeconds()).isBetween(1.5, 20.0);
        scheduler.remove(id);
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
