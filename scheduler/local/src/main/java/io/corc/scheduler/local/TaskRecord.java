package io.corc.scheduler.local;

import static java.util.Objects.requireNonNull;

import io.corc.api.JobState;
import io.corc.api.ProcessTrees;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The content of {@code tasks/<i>/status.json}: what the supervisor knows about one task. This file, not the
 * memory of any process, is what {@code get} in another process reads; it is always replaced atomically.
 *
 * @param state {@link JobState#RUNNING} until the task ended, then its final state
 * @param phase the job runner's phase: {@code starting}, {@code stage-in}, {@code running}, {@code stage-out},
 *     {@code done}
 * @param pid the command's process id once it started, else {@code null}
 * @param pidStartedAt the command's start time as the OS reports it, or {@code null}
 * @param startedAt when the supervisor started the task
 * @param endedAt when the task ended, or {@code null}
 * @param exitCode the command's exit code once known
 * @param error what went wrong in plain words, or {@code null}
 */
record TaskRecord(
        JobState state,
        String phase,
        Long pid,
        Instant pidStartedAt,
        Instant startedAt,
        Instant endedAt,
        Integer exitCode,
        String error) {

    TaskRecord {
        requireNonNull(state, "state is null");
        requireNonNull(phase, "phase is null");
    }

    static TaskRecord starting(Instant now) {
        return new TaskRecord(JobState.RUNNING, "starting", null, null, now, null, null, null);
    }

    TaskRecord withPhase(String newPhase) {
        return new TaskRecord(state, newPhase, pid, pidStartedAt, startedAt, endedAt, exitCode, error);
    }

    TaskRecord withProcess(ProcessHandle process) {
        return new TaskRecord(
                state, phase, process.pid(), ProcessTrees.startOf(process), startedAt, endedAt, exitCode, error);
    }

    TaskRecord finished(JobState finalState, Integer finalExitCode, String finalError, Instant now) {
        return new TaskRecord(finalState, "done", pid, pidStartedAt, startedAt, now, finalExitCode, finalError);
    }

    /** The task's command while it lives. */
    Optional<ProcessHandle> liveProcess() {
        return pid == null ? Optional.empty() : ProcessTrees.find(pid, pidStartedAt);
    }

    /** Why the task did not succeed, in plain words, or {@code null}. */
    String message() {
        return switch (state) {
            case FAILED -> error != null ? error : exitCode != null ? "exit code " + exitCode : "failed";
            case CANCELLED -> error != null ? error : "cancelled";
            default -> null;
        };
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("state", state.name());
        json.put("phase", phase);
        json.put("pid", pid);
        json.put("pid_started_at", JsonValues.iso(pidStartedAt));
        json.put("started_at", JsonValues.iso(startedAt));
        json.put("ended_at", JsonValues.iso(endedAt));
        json.put("exit_code", exitCode);
        json.put("error", error);
        return json;
    }

    static TaskRecord fromJson(Map<String, Object> json) {
        return new TaskRecord(
                JobState.valueOf(json.get("state").toString()),
                JsonValues.string(json.get("phase")),
                JsonValues.longValue(json.get("pid")),
                JsonValues.instant(json.get("pid_started_at")),
                JsonValues.instant(json.get("started_at")),
                JsonValues.instant(json.get("ended_at")),
                JsonValues.intValue(json.get("exit_code")),
                JsonValues.string(json.get("error")));
    }
}
