package io.corc.api;

import java.time.Instant;

/**
 * State of one task of a job. Timing fields are {@code null} until the task's job.json exists.
 *
 * @param index task index, 0-based
 * @param state task state
 * @param exitCode the command's exit code, or {@code null} while unknown
 * @param host where it ran
 * @param startedAt start of the task
 * @param endedAt end of the task
 * @param stageInSeconds time spent fetching inputs
 * @param computeSeconds time spent in the command
 * @param stageOutSeconds time spent uploading outputs
 * @param message reason in plain words when it failed or is stuck (e.g. "cancelled", "OOMKilled")
 */
public record TaskStatus(
        int index,
        JobState state,
        Integer exitCode,
        String host,
        Instant startedAt,
        Instant endedAt,
        Double stageInSeconds,
        Double computeSeconds,
        Double stageOutSeconds,
        String message) {

    public static TaskStatus pending(int index) {
        return new TaskStatus(index, JobState.PENDING, null, null, null, null, null, null, null, null);
    }
}
