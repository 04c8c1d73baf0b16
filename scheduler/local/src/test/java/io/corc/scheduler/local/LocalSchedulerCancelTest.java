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
import java.util.concurrent.TimeoutException;
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
    void cancelKillsTheTasksWholeProcessTree() throws Exception {
        scheduler = TestJobs.scheduler(home);
        JobSpec spec = TestJobs.spec("job-tree", 1, 1, "sleep 60 & sleep 60 & wait", Map.of());
        scheduler.submit(spec, ProgressListener.NONE);
        JobDirectory dir = new JobDirectory(TestJobs.jobDir(home, spec.id()));
        List<ProcessHandle> tree = awaitCommandTree(dir, 0);
        tree.forEach(process -> commandPids.add(process.pid()));

        scheduler.cancel(spec.id());

        assertThat(tree).hasSize(3);
        assertAllGone(tree);
    }

    @Test
    void aKilledSupervisorShowsAsFailedTasksAndItsOrphansAreKilled() throws Exception {
        scheduler = TestJobs.scheduler(home);
        JobSpec spec = TestJobs.spec("job-orphan", 2, 1, "sleep 60 & sleep 60 & wait", Map.of());
        scheduler.submit(spec, ProgressListener.NONE);
        JobDirectory dir = new JobDirectory(TestJobs.jobDir(home, spec.id()));
        List<ProcessHandle> orphans = awaitCommandTree(dir, 0);
        ProcessHandle supervisor =
                ProcessHandle.of(dir.readSupervisor().orElseThrow().pid()).orElseThrow();

        supervisor.destroyForcibly();
        supervisor.onExit().get(TestJobs.TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        Job job = scheduler.get(spec.id()).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.tasks()).extracting(TaskStatus::state).containsOnly(JobState.FAILED);
        assertThat(job.tasks()).extracting(TaskStatus::message).containsOnly(JobStatusReader.SUPERVISOR_DIED);
        assertThat(job.tasks().get(0).startedAt()).isNotNull();
        assertThat(job.finishedAt()).isNotNull();
        assertThat(dir.finishedAt()).as("finished.json").isPresent();
        assertThat(orphans).as("task command and its children").hasSize(3);
        assertAllGone(orphans);
        assertThat(scheduler.get(spec.id()).orElseThrow()).isEqualTo(job);
    }

    /** Waits until task {@code index} runs a shell with two children; returns the shell and its descendants. */
    private static List<ProcessHandle> awaitCommandTree(JobDirectory dir, int index) throws InterruptedException {
        long pid = awaitRunningCommand(dir, index);
        return TestJobs.await("the command of task " + index + " to start two children", () -> {
            List<ProcessHandle> tree = new ArrayList<>();
            ProcessHandle.of(pid).ifPresent(root -> {
                tree.add(root);
                root.descendants().forEach(tree::add);
            });
            return tree.size() == 3 ? Optional.of(List.copyOf(tree)) : Optional.empty();
        });
    }

    private static void assertAllGone(List<ProcessHandle> processes) throws Exception {
        for (ProcessHandle process : processes) {
            try {
                process.onExit().get(TestJobs.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                // asserted below
            }
            assertThat(process.isAlive())
                    .as("process %d is alive", process.pid())
                    .isFalse();
        }
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
