package io.corc.api;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A submitted job as its scheduler reports it.
 *
 * @param id corc job id
 * @param name display name
 * @param scheduler scheduler name
 * @param state overall state: {@link #stateOf(List)} of the tasks unless the scheduler knows better
 * @param tasks one entry per task, by index
 * @param submittedAt submission time
 * @param finishedAt when the last task finished, or {@code null}
 * @param details scheduler facts worth showing (work dir, namespace, native job id), never secrets
 */
public record Job(
        String id,
        String name,
        String scheduler,
        JobState state,
        List<TaskStatus> tasks,
        Instant submittedAt,
        Instant finishedAt,
        Map<String, String> details) {

    public Job {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(scheduler, "scheduler is null");
        requireNonNull(state, "state is null");
        tasks = tasks == null ? List.of() : List.copyOf(tasks);
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    /**
     * The job state implied by its tasks: running while any task runs or waits, otherwise cancelled if any was
     * cancelled, failed if any failed, succeeded when all succeeded.
     */
    public static JobState stateOf(List<TaskStatus> tasks) {
        if (tasks.isEmpty()) {
            return JobState.PENDING;
        }
        boolean anyRunning = false;
        boolean anyPending = false;
        boolean anyFailed = false;
        boolean anyCancelled = false;
        boolean anyUnknown = false;
        for (TaskStatus task : tasks) {
            switch (task.state()) {
                case RUNNING -> anyRunning = true;
                case PENDING -> anyPending = true;
                case FAILED -> anyFailed = true;
                case CANCELLED -> anyCancelled = true;
                case UNKNOWN -> anyUnknown = true;
                case SUCCEEDED -> {}
            }
        }
        if (anyRunning || (anyPending && tasks.stream().anyMatch(t -> t.state() != JobState.PENDING))) {
            return JobState.RUNNING;
        }
        if (anyPending) {
            return JobState.PENDING;
        }
        if (anyUnknown) {
            return JobState.UNKNOWN;
        }
        if (anyCancelled) {
            return JobState.CANCELLED;
        }
        return anyFailed ? JobState.FAILED : JobState.SUCCEEDED;
    }

    /** Number of tasks in {@code taskState}. */
    public long count(JobState taskState) {
        return tasks.stream().filter(t -> t.state() == taskState).count();
    }
}
