package io.corc.scheduler.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.Job;
import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.ProgressListener;
import io.corc.api.Scheduler;
import io.corc.api.TaskStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSchedulerCancelTest {
    @TempDir
    Path home;

    private final List<Long> commandPids = new ArrayList<>();
    private Scheduler scheduler;

    @AfterEach
    void killLeftovers() {
        commandPids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        scheduler.list().forEach(job -> scheduler.remove(job.id()));
    }

    @Test
    void cancelKillsRunningCommandsAndStartsNoFurtherTask() throws Exception {
        scheduler = TestJobs.scheduler(home);
        JobSpec spec = TestJobs.spec("job-cancel", 3, 2, "exec sleep 60", Map.of());
        scheduler.submit(spec, ProgressListener.NONE);
        JobDirectory dir = new JobDirectory(TestJobs.jobDir(home, spec.id()));
        long supervisorPid = dir.readSupervisor().orElseThrow().pid();
        commandPids.add(awaitRunningCommand(dir, 0));
        commandPids.add(awaitRunningCommand(dir, 1));

        Job cancelled = scheduler.cancel(spec.id());

        assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
        assertThat(cancelled.tasks()).extracting(TaskStatus::state).containsOnly(JobState.CANCELLED);
        assertThat(dir.readTask(2)).as("status of the task that was waiting").isEmpty();
        for (long pid : commandPids) {
            assertThat(isGone(pid)).as("sleep %d is gone", pid).isTrue();
        }
        assertThat(isGone(supervisorPid)).as("supervisor is gone").isTrue();

        List<Optional<TaskRecord>> before = List.of(dir.readTask(0), dir.readTask(1));
        Job again = scheduler.cancel(spec.id());
        assertThat(again).isEqualTo(cancelled);
        assertThat(List.of(dir.readTask(0), dir.readTask(1))).isEqualTo(before);

        scheduler.remove(spec.id());
        assertThat(dir.path()).doesNotExist();
        assertThat(scheduler.get(spec.id())).isEmpty();
    }

    @Test
    void aKilledSupervisorShowsAsFailedTasks() throws Exception {
        scheduler = TestJobs.scheduler(home);
        JobSpec spec = TestJobs.spec("job-orphan", 2, 1, "exec sleep 60", Map.of());
        scheduler.submit(spec, ProgressListener.NONE);
        JobDirectory dir = new JobDirectory(TestJobs.jobDir(home, spec.id()));
        commandPids.add(awaitRunningCommand(dir, 0));
        ProcessHandle supervisor =
                ProcessHandle.of(dir.readSupervisor().orElseThrow().pid()).orElseThrow();

        supervisor.destroyForcibly();
        supervisor.onExit().get(TestJobs.TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        Job job = scheduler.get(spec.id()).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.tasks()).extracting(TaskStatus::state).containsOnly(JobState.FAILED);
        assertThat(job.tasks()).extracting(TaskStatus::message).containsOnly(JobStatusReader.SUPERVISOR_DIED);
        assertThat(job.tasks().get(0).startedAt()).isNotNull();
    }

    /** Waits until task {@code index} runs its command; returns the command's pid from the status file. */
    private static long awaitRunningCommand(JobDirectory dir, int index) throws InterruptedException {
        return TestJobs.await("task " + index + " to run", () -> dir.readTask(index)
                .filter(task -> task.phase().equals("running") && task.pid() != null)
                .map(TaskRecord::pid));
    }

    private static boolean isGone(long pid) throws Exception {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isPresent()) {
            process.get().onExit().get(TestJobs.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        return !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
