package io.corc.scheduler.ssh;

import io.corc.api.JobState;
import io.corc.api.TaskReport;
import io.corc.api.TaskStatus;
import io.corc.jobio.JobJson;
import java.time.Duration;
import java.time.Instant;

/** Maps what the host reported about a task to corc's {@link TaskStatus}. */
final class TaskStates {
    private TaskStates() {}

    /**
     * The task's state from the host's files alone: a finished task is SUCCEEDED or FAILED by its exit code here;
     * whether its outputs are staged yet is the caller's business.
     *
     * @param task the task's facts, or {@code null} when it has not started
     * @param uploadSeconds the shared upload of the inputs at submission, added to each task's stage-in time
     * @param runner the runner's shell words in runner staging, whose job.json has the outcome; {@code null} for sftp
     */
    static TaskStatus of(
            int index,
            RemoteStatus job,
            RemoteStatus.Task task,
            boolean cancelled,
            double uploadSeconds,
            Duration timeLimit,
            String runner) {
        boolean stopped = cancelled || job.cancelled();
        if (task == null) {
            if (stopped) {
                return status(index, JobState.CANCELLED, null, job.host(), null, "cancelled before it started");
            }
            if (job.driverDied()) {
                return status(index, JobState.FAILED, null, job.host(), null, driverDied("started"));
            }
            return TaskStatus.pending(index);
        }
        if (task.exitCode() == null) {
            if (stopped) {
                return status(index, JobState.CANCELLED, null, job.host(), task, "cancelled");
            }
            if (job.driverDied()
                    || Boolean.FALSE.equals(task.commandAlive())
                            && !job.driver().equals("alive")) {
                return status(index, JobState.FAILED, null, job.host(), task, driverDied("finished"));
            }
            return status(
                    index, JobState.RUNNING, null, job.host(), task, task.running() == null ? "staging in" : null);
        }
        int code = task.exitCode();
        if (runner != null) {
            return task.reportJson() != null
                    ? fromReport(index, job.host(), task)
                    : runnerFailed(index, job.host(), task, runner);
        }
        TaskStatus status = status(
                index,
                code == 0 ? JobState.SUCCEEDED : JobState.FAILED,
                code,
                job.host(),
                task,
                code == 0 ? null : failure(code, task.error(), task.timedOut() ? timeLimit : null));
        return withTimes(status, task, uploadSeconds);
    }

    /** Why a task with exit code {@code code} failed, in plain words; {@code timeLimit} when it was hit. */
    static String failure(int code, String error, Duration timeLimit) {
        if (timeLimit != null) {
            return "time limit of " + describe(timeLimit) + " exceeded";
        }
        String detail = error == null || error.isBlank() ? "" : ": " + error.strip();
        return switch (code) {
            case JobScripts.STAGE_IN_FAILED -> "stage-in failed" + detail;
            case JobScripts.CANNOT_RUN ->
                error == null
                        ? "the command was not found on the host (exit code 127)"
                        : "the command could not start" + detail;
            default ->
                code > 128 && code < 160
                        ? "the command was killed by signal " + (code - 128)
                        : "the command exited with " + code;
        };
    }

    /** In runner staging: the job runner's job.json has the outcome and the timings. */
    private static TaskStatus fromReport(int index, String host, RemoteStatus.Task task) {
        TaskReport report;
        try {
            report = JobJson.mapper().readValue(task.reportJson(), TaskReport.class);
        } catch (java.io.IOException | RuntimeException e) {
            return status(
                    index,
                    JobState.FAILED,
                    task.exitCode(),
                    host,
                    task,
                    "the job runner left an unreadable job.json: " + e.getMessage());
        }
        boolean ok = report.exitCode() == 0 && report.error() == null;
        String message = ok
                ? null
                : report.error() != null && report.exitCode() == 0
                        ? report.error()
                        : report.error() != null ? report.error() : failure(report.exitCode(), null, null);
        return new TaskStatus(
                index,
                ok ? JobState.SUCCEEDED : JobState.FAILED,
                report.exitCode(),
                report.host(),
                report.startedAt(),
                report.endedAt(),
                report.stageInSeconds(),
                report.computeSeconds(),
                report.stageOutSeconds(),
                message);
    }

    /** A runner-staged task that ended without a job.json: the runner itself failed. */
    private static TaskStatus runnerFailed(int index, String host, RemoteStatus.Task task, String runner) {
        String error = task.error() == null ? "" : ": " + task.error();
        return status(
                index,
                JobState.FAILED,
                task.exitCode(),
                host,
                task,
                "the job runner (" + runner + ") failed with exit code " + task.exitCode() + error);
    }

    private static String driverDied(String what) {
        return "the job's driver on the host stopped before this task " + what
                + " (host restarted or processes killed); see driver.log in the job directory";
    }

    private static TaskStatus status(
            int index, JobState state, Integer exitCode, String host, RemoteStatus.Task task, String message) {
        return new TaskStatus(
                index,
                state,
                exitCode,
                host,
                task == null ? null : task.started(),
                task == null ? null : task.ended(),
                null,
                null,
                null,
                message);
    }

    private static TaskStatus withTimes(TaskStatus status, RemoteStatus.Task task, double uploadSeconds) {
        Double stageIn = task.started() == null
                ? null
                : uploadSeconds + seconds(task.started(), task.running() != null ? task.running() : task.ended());
        Double compute = task.running() == null ? 0.0 : seconds(task.running(), task.ended());
        return new TaskStatus(
                status.index(),
                status.state(),
                status.exitCode(),
                status.host(),
                status.startedAt(),
                status.endedAt(),
                stageIn,
                compute,
                null,
                status.message());
    }

    /** As the job runner says durations: {@code 2s}, {@code 1m30s}, {@code 1500ms}. */
    static String describe(Duration duration) {
        if (duration.toMillisPart() != 0 || duration.isZero()) {
            return duration.toMillis() + "ms";
        }
        String text = (duration.toHours() > 0 ? duration.toHours() + "h" : "")
                + (duration.toMinutesPart() > 0 ? duration.toMinutesPart() + "m" : "")
                + (duration.toSecondsPart() > 0 ? duration.toSecondsPart() + "s" : "");
        return text;
    }

    static double seconds(Instant from, Instant to) {
        if (from == null || to == null) {
            return 0.0;
        }
        return Math.max(0, Duration.between(from, to).toNanos() / 1e9);
    }
}
