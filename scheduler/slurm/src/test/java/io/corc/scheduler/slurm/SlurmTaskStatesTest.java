package io.corc.scheduler.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.JobState;
import io.corc.api.TaskReport;
import io.corc.api.TaskStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Slurm's words for a task, with and without what the runner left, in corc's states and plain words. */
class SlurmTaskStatesTest {
    private static final SlurmTaskStates.Leftovers NOTHING = new SlurmTaskStates.Leftovers(null, null, () -> null);

    @Test
    void slurmsEndStatesMapToFailedWithTheReason() {
        assertThat(of("TIMEOUT", null, NOTHING).message()).contains("time limit");
        assertThat(of("OUT_OF_MEMORY", null, NOTHING).message()).isEqualTo("out of memory: ask for more with --memory");
        assertThat(of("NODE_FAIL", null, NOTHING).message()).isEqualTo("its node failed (localhost)");
        for (String state : List.of("TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL")) {
            assertThat(of(state, null, NOTHING).state()).as(state).isEqualTo(JobState.FAILED);
        }
        assertThat(of("CANCELLED", null, NOTHING).state()).isEqualTo(JobState.CANCELLED);
        assertThat(of("RUNNING", null, NOTHING).state()).isEqualTo(JobState.RUNNING);
        assertThat(of("COMPLETING", null, NOTHING).message()).isEqualTo("finishing");
    }

    @Test
    void pendingReasonsAreSaidInPlainWords() {
        TaskStatus throttled = of("PENDING", "JobArrayTaskLimit", NOTHING);
        assertThat(throttled.state()).isEqualTo(JobState.PENDING);
        assertThat(throttled.message()).isEqualTo("waiting: num_parallel limit");
        assertThat(of("PENDING", "Resources", NOTHING).message()).isEqualTo("waiting for free resources");
        assertThat(of("PENDING", "PartitionTimeLimit", NOTHING).message()).contains("partition's limit");
        assertThat(of("PENDING", "SomethingNew", NOTHING).message()).isEqualTo("waiting: SomethingNew");
        assertThat(of("PENDING", null, NOTHING).message()).isNull();
    }

    @Test
    void completedTasksTakeTheirOutcomeAndTimingsFromJobJson() {
        TaskStatus ok = of("COMPLETED", null, left(report(0, null), 0));
        assertThat(ok.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(ok.computeSeconds()).isEqualTo(2.0);
        assertThat(ok.host()).isEqualTo("node7");
        TaskStatus stageOutFailed = of("FAILED", null, left(report(0, "stage-out failed: disk full"), 1));
        assertThat(stageOutFailed.state()).isEqualTo(JobState.FAILED);
        assertThat(stageOutFailed.message()).isEqualTo("stage-out failed: disk full");
        assertThat(of("FAILED", null, left(report(137, null), 137)).message())
                .isEqualTo("the command was killed by signal 9");
    }

    @Test
    void aRunnerThatCouldNotStartIsReportedWithItsOwnError() {
        SlurmTaskStates.Leftovers noReport =
                new SlurmTaskStates.Leftovers(null, 127, () -> "/opt/java/bin/java: not found");

        TaskStatus task = of("FAILED", null, noReport);

        assertThat(task.state()).isEqualTo(JobState.FAILED);
        assertThat(task.message()).isEqualTo("the job runner failed (exit code 127): /opt/java/bin/java: not found");
    }

    @Test
    void onceSlurmForgetsATaskItsFilesSpeak() {
        assertThat(SlurmTaskStates.of(0, null, left(report(0, null), 0), false).state())
                .isEqualTo(JobState.SUCCEEDED);
        assertThat(SlurmTaskStates.of(0, null, NOTHING, true).state()).isEqualTo(JobState.CANCELLED);
        TaskStatus lost = SlurmTaskStates.of(0, null, NOTHING, false);
        assertThat(lost.state()).isEqualTo(JobState.UNKNOWN);
        assertThat(lost.message()).isEqualTo("Slurm no longer lists this task and it left no result");
    }

    @Test
    void squeueAndSacctLinesAreParsedPerTask() {
        assertThat(SlurmQueue.parseSqueue("0|COMPLETED|None|localhost\n2|PENDING|JobArrayTaskLimit|\n"))
                .isEqualTo(Map.of(
                        0, new SlurmQueue.Entry(0, "COMPLETED", null, "localhost"),
                        2, new SlurmQueue.Entry(2, "PENDING", "JobArrayTaskLimit", null)));
        assertThat(SlurmQueue.parseSacct("7_0|COMPLETED|None|node1\n7_1|CANCELLED by 0|None|node2\n7_[2-4]|PENDING|"
                        + "JobArrayTaskLimit|None Assigned\n"))
                .isEqualTo(Map.of(
                        0, new SlurmQueue.Entry(0, "COMPLETED", null, "node1"),
                        1, new SlurmQueue.Entry(1, "CANCELLED", null, "node2")));
        assertThat(SlurmScheduler.parseJobId("42;cluster\n")).isEqualTo("42");
    }

    private static TaskStatus of(String state, String reason, SlurmTaskStates.Leftovers left) {
        return SlurmTaskStates.of(0, new SlurmQueue.Entry(0, state, reason, "localhost"), left, false);
    }

    private static SlurmTaskStates.Leftovers left(TaskReport report, Integer exit) {
        return new SlurmTaskStates.Leftovers(report, exit, () -> null);
    }

    private static TaskReport report(int exitCode, String error) {
        Instant start = Instant.parse("2025-01-01T00:00:00Z");
        return new TaskReport(
                1, "job-1", 0, List.of("x"), exitCode, "node7", start, start.plusSeconds(3), 0.5, 2.0, 0.5, error);
    }
}
