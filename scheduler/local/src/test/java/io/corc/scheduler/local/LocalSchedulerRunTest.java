package io.corc.scheduler.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Job;
import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.ProgressListener;
import io.corc.api.Scheduler;
import io.corc.api.Storage;
import io.corc.api.StoredObject;
import io.corc.api.TaskReport;
import io.corc.api.TaskStatus;
import io.corc.jobio.JobJson;
import io.corc.jobio.StorageLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSchedulerRunTest {
    @TempDir
    Path home;

    @TempDir
    Path scratch;

    private Scheduler scheduler;

    @AfterEach
    void removeJobs() {
        if (scheduler != null) {
            scheduler.list().forEach(job -> scheduler.remove(job.id()));
        }
    }

    @Test
    void runsAtMostNumParallelTasksAtOnceAndUploadsEveryOutput() throws IOException {
        scheduler = TestJobs.scheduler(home);
        Path marks = Files.createDirectory(scratch.resolve("marks"));
        Path storageRoot = scratch.resolve("storage");
        Storage storage = StorageLoader.load("local", Map.of("path", storageRoot.toString()), home);
        storage.ensureBucket("jobs");
        String script = String.join(
                "\n",
                "touch \"$MARKS/running.$CORC_TASK_INDEX\"",
                "ls \"$MARKS\" | grep -c '^running' > \"$MARKS/seen.$CORC_TASK_INDEX\"",
                "sleep 0.5",
                "rm \"$MARKS/running.$CORC_TASK_INDEX\"",
                "echo \"task $CORC_TASK_INDEX\" > \"$CORC_OUTPUT/result.txt\"");
        JobSpec spec = TestJobs.staged(
                TestJobs.spec("job-parallel", 5, 2, script, Map.of("MARKS", marks.toString())),
                "jobs",
                storageRoot,
                home);
        List<Long> finishedReported = new CopyOnWriteArrayList<>();

        Job submitted = scheduler.submit(spec, ProgressListener.NONE);
        Job job = scheduler.await(spec.id(), TestJobs.TIMEOUT, (step, done, total) -> finishedReported.add(done));

        assertThat(submitted.state()).isIn(JobState.PENDING, JobState.RUNNING);
        assertThat(submitted.details()).containsKeys("work_dir", "supervisor_pid");
        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(job.finishedAt()).isNotNull();
        assertThat(job.tasks()).extracting(TaskStatus::state).containsOnly(JobState.SUCCEEDED);
        assertThat(finishedReported).isNotEmpty().last().isEqualTo(5L);
        int maxSeen = 0;
        for (int index = 0; index < 5; index++) {
            maxSeen = Math.max(
                    maxSeen,
                    Integer.parseInt(
                            Files.readString(marks.resolve("seen." + index)).strip()));
        }
        assertThat(maxSeen).as("most tasks running at once").isEqualTo(2);
        for (int index = 0; index < 5; index++) {
            TaskStatus task = job.tasks().get(index);
            assertThat(task.exitCode()).isZero();
            assertThat(task.host()).isNotBlank();
            assertThat(task.computeSeconds()).isGreaterThanOrEqualTo(0.5);
            Path report = TestJobs.jobDir(home, spec.id()).resolve("tasks/" + index + "/output/job.json");
            assertThat(JobJson.readReport(report).exitCode()).isZero();
            String prefix = spec.staging().outputKeyPrefix(index);
            assertThat(storage.list("jobs", prefix))
                    .extracting(StoredObject::key)
                    .contains(prefix + "result.txt", prefix + TaskReport.FILE_NAME);
        }
    }

    @Test
    void aFailingTaskFailsTheJobButNotTheOtherTasks() throws IOException {
        scheduler = TestJobs.scheduler(home);
        JobSpec spec = TestJobs.spec(
                "job-failing", 3, 3, "[ \"$CORC_TASK_INDEX\" = 1 ] && exit 3; echo ok > \"$CORC_OUTPUT/ok\"", Map.of());

        scheduler.submit(spec, ProgressListener.NONE);
        Job job = scheduler.await(spec.id(), TestJobs.TIMEOUT, ProgressListener.NONE);

        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.tasks())
                .extracting(TaskStatus::state)
                .containsExactly(JobState.SUCCEEDED, JobState.FAILED, JobState.SUCCEEDED);
        assertThat(job.tasks().get(1).exitCode()).isEqualTo(3);
        assertThat(job.tasks().get(1).message()).isEqualTo("exit code 3");
        Path tasks = TestJobs.jobDir(home, spec.id()).resolve("tasks");
        assertThat(tasks.resolve("0/output/ok")).hasContent("ok");
        assertThat(tasks.resolve("2/output/ok")).hasContent("ok");
        assertThat(tasks.resolve("1/output/ok")).doesNotExist();
    }

    @Test
    void listsJobsNewestFirstAndRefusesADuplicateId() {
        scheduler = TestJobs.scheduler(home);
        JobSpec first = TestJobs.spec("job-a", 1, 1, "true", Map.of());
        JobSpec second = TestJobs.spec("job-b", 1, 1, "true", Map.of());

        scheduler.submit(first, ProgressListener.NONE);
        scheduler.submit(second, ProgressListener.NONE);
        scheduler.await(first.id(), TestJobs.TIMEOUT, ProgressListener.NONE);
        scheduler.await(second.id(), TestJobs.TIMEOUT, ProgressListener.NONE);

        assertThat(scheduler.list()).extracting(Job::id).containsExactly("job-b", "job-a");
        assertThat(scheduler.list()).extracting(Job::state).containsOnly(JobState.SUCCEEDED);
        assertThatThrownBy(() -> scheduler.submit(first, ProgressListener.NONE))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.CONFLICT));
    }
}
