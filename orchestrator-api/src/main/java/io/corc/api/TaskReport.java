package io.corc.api;

import java.time.Instant;
import java.util.List;

/**
 * The content of {@code job.json}, written by the job runner into every task's output. Field names are the JSON
 * names (snake case in the file); the schema is stable and versioned by {@code schemaVersion}.
 *
 * @param schemaVersion 1
 * @param jobId corc job id
 * @param taskIndex task index
 * @param command the argv that ran
 * @param exitCode its exit code; 127 when it could not be started (as shells do), 125 when stage-in failed, 124
 *     when the time limit was hit, 128+n when killed by signal n
 * @param host host name of the execution environment
 * @param startedAt when the runner started (before stage-in)
 * @param endedAt when the runner finished (after stage-out)
 * @param stageInSeconds time fetching inputs
 * @param computeSeconds time running the command
 * @param stageOutSeconds time uploading outputs (up to writing this file; the upload of the file itself is not
 *     counted)
 * @param error what went wrong outside the command (stage-in failed, command not found), or {@code null}
 */
public record TaskReport(
        int schemaVersion,
        String jobId,
        int taskIndex,
        List<String> command,
        int exitCode,
        String host,
        Instant startedAt,
        Instant endedAt,
        double stageInSeconds,
        double computeSeconds,
        double stageOutSeconds,
        String error) {

    public static final int SCHEMA_VERSION = 1;
    public static final String FILE_NAME = "job.json";

    public TaskReport {
        command = command == null ? List.of() : List.copyOf(command);
    }
}
