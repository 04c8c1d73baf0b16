package io.corc.scheduler.local;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Job;
import io.corc.api.JobState;
import io.corc.api.ProgressListener;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Waits for a job by waiting for its supervisor process to exit, reporting finished tasks meanwhile. */
final class SupervisorWait {
    private static final long REPORT_EVERY_MILLIS = 500;

    private SupervisorWait() {}

    /** Returns the job once it is over, or as it is when {@code timeout} has passed. */
    static Job await(
            JobDirectory dir,
            ProcessHandle supervisor,
            Supplier<Job> read,
            Duration timeout,
            ProgressListener progress) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            // Checked before reading, so that the job returned once it is over is the job as it ended.
            boolean over = JobEnd.isOver(dir);
            Job job = read.get();
            long finished = job.count(JobState.SUCCEEDED) + job.count(JobState.FAILED) + job.count(JobState.CANCELLED);
            progress.onProgress("tasks finished", finished, job.tasks().size());
            Duration left = Duration.between(Instant.now(), deadline);
            if (over || left.isNegative()) {
                return job;
            }
            try {
                supervisor.onExit().get(Math.min(left.toMillis(), REPORT_EVERY_MILLIS) + 1, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // not over yet: report progress and wait again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CorcException(ErrorCategory.CANCELLED, "interrupted while waiting for job " + dir.id());
            }
        }
    }
}
