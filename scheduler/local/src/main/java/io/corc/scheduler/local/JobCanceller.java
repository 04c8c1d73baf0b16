package io.corc.scheduler.local;

import io.corc.api.JobState;
import io.corc.api.ProcessTrees;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Cancels a job from any process: writes the cancel marker (so the supervisor starts no further task), kills the
 * supervisor's whole process tree (the running commands are its descendants), kills commands a dead supervisor
 * left behind, marks every unfinished task cancelled and writes {@code finished.json}. A finished job is left as
 * it is.
 */
final class JobCanceller {
    private JobCanceller() {}

    static void cancel(JobDirectory dir, Duration grace) {
        if (dir.finishedAt().isPresent()) {
            return;
        }
        dir.requestCancel();
        dir.readSupervisor().flatMap(SupervisorRecord::liveProcess).ifPresent(process -> kill(process, grace));
        int numJobs = dir.readSpec().numJobs();
        for (int index = 0; index < numJobs; index++) {
            Optional<TaskRecord> task = dir.readTask(index);
            if (task.isEmpty() || task.get().state().isFinished()) {
                continue; // never started tasks read as cancelled once the job is over
            }
            task.get().liveProcess().ifPresent(process -> kill(process, grace));
            dir.writeTask(
                    index, task.get().finished(JobState.CANCELLED, task.get().exitCode(), null, Instant.now()));
        }
        dir.markFinished();
    }

    /** Kills the tree under {@code process} and waits (bounded) until the OS reports the root gone. */
    private static void kill(ProcessHandle process, Duration grace) {
        ProcessTrees.kill(process, grace);
        try {
            process.onExit().get(grace.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the process was sent KILL; a root that is slow to be reaped does not make the cancel fail
        }
    }
}
