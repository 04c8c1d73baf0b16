package io.corc.scheduler.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CheckResult;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.InMemoryRecordStore;
import io.corc.api.Job;
import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.Scheduler;
import io.corc.api.TaskStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cancel, refused submissions and check() against a real Slurm. */
class SlurmSchedulerControlTest {
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
    void cancelStopsTheRunningTaskAndThePendingOnesAndIsIdempotent() throws IOException {
        Scheduler scheduler = SlurmTestJobs.scheduler(home, records);
        String id = SlurmTestJobs.id("cancel");
        Path pids = Files.createDirectory(scratch.resolve("pids"));
        JobSpec spec = SlurmTestJobs.spec(
                id,
                3,
                1,
                "echo $$ > " + pids + "/$CORC_TASK_INDEX.tmp && mv " + pids + "/$CORC_TASK_INDEX.tmp " + pids
                        + "/$CORC_TASK_INDEX; exec sleep 60",
                null);
        scheduler.submit(spec, ProgressListener.NONE);
        Path pidFile = pids.resolve("0");
        SlurmCluster.await("task 0 runs its command", SlurmTestJobs.TIMEOUT, () -> Files.exists(pidFile));
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        assertThat(scheduler.get(id).orElseThrow().tasks())
                .extracting(TaskStatus::state)
                .containsExactly(JobState.RUNNING, JobState.PENDING, JobState.PENDING);
        assertThat(scheduler.get(id).orElseThrow().tasks().get(1).message()).isEqualTo("waiting: num_parallel limit");

        Job cancelled = scheduler.cancel(id);
        SlurmCluster.await("the command of task 0 is gone", Duration.ofSeconds(10), () -> ProcessHandle.of(pid)
                .map(p -> !p.isAlive())
                .orElse(true));
        Job after = scheduler.await(id, SlurmTestJobs.TIMEOUT, ProgressListener.NONE);

        assertThat(cancelled.tasks().subList(1, 3))
                .extracting(TaskStatus::state)
                .containsOnly(JobState.CANCELLED);
        assertThat(after.state()).isEqualTo(JobState.CANCELLED);
        assertThat(after.tasks()).extracting(TaskStatus::state).containsOnly(JobState.CANCELLED);
        assertThat(after.tasks()).extracting(TaskStatus::message).containsOnly("cancelled");
        assertThat(pids.resolve("1")).doesNotExist();
        assertThat(scheduler.cancel(id).state()).isEqualTo(JobState.CANCELLED);
        scheduler.remove(id);
        scheduler.remove(id);
        assertThat(scheduler.get(id)).isEmpty();
    }

    @Test
    void aPartitionSlurmDoesNotKnowIsRefusedWithSbatchsWordsAndLeavesNothingBehind() {
        Scheduler scheduler = SlurmTestJobs.scheduler(home, records);
        String id = SlurmTestJobs.id("refused");
        JobSpec spec = SlurmTestJobs.spec(id, 2, 1, "true", null);
        JobSpec withPartition = spec.withStaging(null, Map.of("slurm.partition", "no-such-partition"));

        assertThatThrownBy(() -> scheduler.submit(withPartition, ProgressListener.NONE))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.getMessage())
                            .startsWith("sbatch on this machine refused job " + id + ": ")
                            .contains("invalid partition specified: no-such-partition");
                    assertThat(e.hint()).get().asString().contains("partition");
                    assertThat(e.getSuppressed()).isEmpty();
                });
        assertThat(records.list(SlurmJobRecord.TYPE)).isEmpty();
        assertThat(home.resolve("slurm/jobs/" + id)).doesNotExist();
        assertThat(scheduler.get(id)).isEmpty();
    }

    @Test
    void checkNamesTheVersionAndPartitions() {
        CheckResult check = SlurmTestJobs.scheduler(home).check();

        assertThat(check.ok()).as(check.reason()).isTrue();
        assertThat(check.reason())
                .startsWith("slurm")
                .contains("on this machine")
                .contains("debug");
    }

    @Test
    void aJobNobodySubmittedIsNotFound() {
        Scheduler scheduler = SlurmTestJobs.scheduler(home);

        assertThat(scheduler.get("job-nobody")).isEmpty();
        assertThatThrownBy(() -> scheduler.cancel("job-nobody"))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND));
        scheduler.remove("job-nobody");
    }
}
