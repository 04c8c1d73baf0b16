package io.corc.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs batch jobs somewhere: local processes, a Kubernetes cluster, Slurm, an SSH host. Inputs are staged into
 * storage by core before {@link #submit}; in the execution environment the job runner ({@code corc jobio}) fetches
 * them, runs the command, writes {@code job.json} and uploads the outputs.
 */
public interface Scheduler {

    String name();

    Features features();

    /** Checks that the scheduler can be reached with the configured credentials; never throws for that. */
    CheckResult check();

    /**
     * Binds the scheduler to an orchestrated resource (a cluster's kubeconfig, an instance's SSH endpoint).
     * Schedulers that need no target accept any call and ignore it.
     */
    default void prepare(Resource target) {}

    /**
     * Submits the job and returns as soon as the scheduler has accepted it. If the submission fails part-way,
     * what was created for it is removed before the exception is thrown. When that removal fails too, its failure
     * is attached to the exception as a suppressed one and the scheduler keeps what {@link #remove} needs to finish
     * the clean-up later ({@code corc gc} calls it).
     */
    Job submit(JobSpec spec, ProgressListener progress);

    /**
     * As {@link #submit(JobSpec, ProgressListener)}, with the files a runner away from this machine needs in its
     * secrets directory to reach the job's storage ({@link Storage#runnerSecrets()}). Schedulers whose tasks run
     * elsewhere hand them over by their own secret mechanism (a Kubernetes Secret) and never write them into the
     * spec, logs or state; the default ignores them, as a scheduler on this machine can use corc's own credentials.
     */
    default Job submit(JobSpec spec, java.util.Map<String, String> runnerSecrets, ProgressListener progress) {
        return submit(spec, progress);
    }

    /** Every job this scheduler has for corc, newest first. */
    List<Job> list();

    Optional<Job> get(String jobId);

    /**
     * Sends the job's output lines to {@code sink}: all tasks when {@code taskIndex} is {@code null}. With
     * {@code follow}, keeps sending until the job has finished.
     *
     * @throws CorcException {@link ErrorCategory#NOT_FOUND} for an unknown job
     */
    void logs(String jobId, Integer taskIndex, boolean follow, Consumer<LogLine> sink);

    /**
     * Stops every task of the job that has not finished (killing its whole process tree or deleting its pods);
     * finished tasks keep their state. Idempotent: cancelling a finished job changes nothing.
     *
     * @return the job after cancellation
     * @throws CorcException {@link ErrorCategory#NOT_FOUND} for an unknown job
     */
    Job cancel(String jobId);

    /**
     * Cancels the job if it runs and removes what the scheduler keeps for it (work dirs, cluster objects). Staged
     * outputs in storage are not touched. Idempotent: removing an unknown job returns normally.
     */
    void remove(String jobId);

    /**
     * Waits until the job has finished or {@code timeout} passed, reporting finished tasks as progress. The
     * default polls {@link #get}; schedulers that can be notified should override it.
     *
     * @return the job as last seen
     * @throws CorcException {@link ErrorCategory#NOT_FOUND} for an unknown job
     */
    default Job await(String jobId, Duration timeout, ProgressListener progress) {
        Instant deadline = Instant.now().plus(timeout);
        long pause = 50;
        while (true) {
            Job job = get(jobId).orElseThrow(() -> CorcException.notFound("job '" + jobId + "' not found"));
            long finished =
                    job.tasks().stream().filter(t -> t.state().isFinished()).count();
            progress.onProgress("tasks finished", finished, job.tasks().size());
            if (job.state().isFinished() || Instant.now().isAfter(deadline)) {
                return job;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CorcException(ErrorCategory.CANCELLED, "interrupted while waiting for job " + jobId);
            }
            pause = Math.min(pause * 2, 1000);
        }
    }
}
