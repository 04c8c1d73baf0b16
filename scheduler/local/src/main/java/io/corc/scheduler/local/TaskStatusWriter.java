package io.corc.scheduler.local;

import static java.util.Objects.requireNonNull;

import io.corc.api.JobState;
import io.corc.api.TaskReport;
import io.corc.jobio.TaskListener;
import java.time.Instant;

/**
 * Keeps one task's {@code status.json} up to date as the job runner reports its phases. Called from the job
 * runner's threads, hence synchronised; every change is written at once, atomically.
 */
final class TaskStatusWriter implements TaskListener {
    private final JobDirectory dir;
    private final int index;
    private TaskRecord current;

    TaskStatusWriter(JobDirectory dir, int index) {
        this.dir = requireNonNull(dir, "dir is null");
        this.index = index;
    }

    synchronized void begin() {
        write(TaskRecord.starting(Instant.now()));
    }

    @Override
    public synchronized void phase(String phase) {
        if (!"done".equals(phase)) {
            write(current.withPhase(phase));
        }
    }

    @Override
    public synchronized void started(ProcessHandle process) {
        write(current.withProcess(process));
    }

    /**
     * Records the runner's outcome: succeeded on exit code 0 without error, failed otherwise, or cancelled when the
     * job was cancelled meanwhile (the command was then killed by {@code cancel}, not by its own failure).
     */
    synchronized JobState finish(TaskReport report) {
        boolean succeeded = report.exitCode() == 0 && report.error() == null;
        JobState state = succeeded ? JobState.SUCCEEDED : dir.cancelRequested() ? JobState.CANCELLED : JobState.FAILED;
        write(current.finished(state, report.exitCode(), report.error(), Instant.now()));
        return state;
    }

    /** Records a failure of the job runner itself (it could not run the task at all). */
    synchronized void fail(String error) {
        JobState state = dir.cancelRequested() ? JobState.CANCELLED : JobState.FAILED;
        TaskRecord base = current != null ? current : TaskRecord.starting(Instant.now());
        write(base.finished(state, null, error, Instant.now()));
    }

    private void write(TaskRecord next) {
        dir.writeTask(index, next);
        current = next;
    }
}
