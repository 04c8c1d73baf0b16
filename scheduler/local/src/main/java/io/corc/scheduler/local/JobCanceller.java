package io.corc.scheduler.local;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.JobState;
import io.corc.api.ProcessTrees;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Ends a job from any process. {@link #cancel} writes the cancel marker (so the supervisor starts no further task),
 * kills the supervisor's whole process tree (the running commands are its descendants), kills commands a dead
 * supervisor left behind, marks every unfinished task cancelled and writes {@code finished.json}. A finished job is
 * left as it is. {@link #finishOrphaned} does the same for a job whose supervisor died, marking its unfinished tasks
 * failed. Neither re-creates a job directory that {@link #remove} deleted meanwhile: they fail with
 * {@code NOT_FOUND} instead.
 */
final class JobCanceller {
    private static final Duration KILL_GRACE = Duration.ofSeconds(2);

    private JobCanceller() {}

    static void cancel(JobDirectory dir) {
        if (dir.finishedAt().isPresent()) {
            return;
        }
        dir.requestCancel();
        dir.readSupervisor().flatMap(SupervisorRecord::liveProcess).ifPresent(JobCanceller::kill);
        endUnfinishedTasks(dir, JobState.CANCELLED, null);
        dir.markFinished(false);
    }

    /**
     * Finishes a job whose supervisor died without writing {@code finished.json} ({@code kill -9}): the commands it
     * started were re-parented and still run, so each recorded command's tree is killed (a dead supervisor's
     * grandchildren can only be found from the command, its direct child), then the unfinished tasks are marked
     * failed with {@link JobStatusReader#SUPERVISOR_DIED}.
     */
    static void finishOrphaned(JobDirectory dir) {
        endUnfinishedTasks(dir, JobState.FAILED, JobStatusReader.SUPERVISOR_DIED);
        dir.markFinished(true);
    }

    /** Cancels the job while it runs and deletes its directory, even one without a spec; a missing job is fine. */
    static void remove(JobDirectory dir) {
        try {
            cancel(dir);
        } catch (CorcException e) {
            if (e.category() != ErrorCategory.NOT_FOUND) {
                throw e;
            }
            // removed by another process meanwhile, or a directory left without its files: deleted below
        }
        FileTrees.delete(dir.path());
    }

    private static void endUnfinishedTasks(JobDirectory dir, JobState state, String error) {
        for (int index : dir.startedTasks()) {
            Optional<TaskRecord> task = dir.readTask(index);
            if (task.isEmpty() || task.get().state().isFinished()) {
                continue; // never started tasks read as cancelled or failed from finished.json
            }
            task.get().liveProcess().ifPresent(JobCanceller::kill);
            dir.writeTask(index, task.get().finished(state, task.get().exitCode(), error, Instant.now()));
        }
    }

    /** Kills the tree under {@code process} and waits (bounded) until the OS reports the root gone. */
    private static void kill(ProcessHandle process) {
        ProcessTrees.kill(process, KILL_GRACE);
        try {
            process.onExit().get(KILL_GRACE.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the process was sent KILL; a root that is slow to be reaped does not make the cancel fail
        }
    }
}
