package io.corc.scheduler.slurm;

import io.corc.api.JobState;
import io.corc.api.TaskReport;
import io.corc.api.TaskStatus;
import java.util.function.Supplier;

/**
 * One task's state from what Slurm says about it and what the runner left in the work dir. While Slurm lists the
 * task, its word decides whether the task waits, runs or is over; job.json then says whether the command
 * succeeded, with the timings. Once Slurm has forgotten the task, job.json (or the runner's exit file) alone speaks.
 */
final class SlurmTaskStates {
    private SlurmTaskStates() {}

    /** What the runner left for one task. */
    record Leftovers(TaskReport report, Integer runnerExit, Supplier<String> runnerError) {}

    /**
     * @param entry what Slurm says, or {@code null} when it no longer lists the task
     * @param cancelled whether corc cancelled the job
     */
    static TaskStatus of(int index, SlurmQueue.Entry entry, Leftovers left, boolean cancelled) {
        if (entry == null) {
            return forgotten(index, left, cancelled);
        }
        String node = entry.node();
        return switch (entry.state()) {
            case "PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD" ->
                status(index, JobState.PENDING, null, null, pendingReason(entry.reason()));
            case "CONFIGURING", "RUNNING", "SIGNALING", "STAGE_OUT", "RESIZING" ->
                status(index, JobState.RUNNING, node, null, null);
            case "COMPLETING" -> status(index, JobState.RUNNING, node, null, "finishing");
            case "SUSPENDED", "STOPPED" -> status(index, JobState.RUNNING, node, null, "suspended by Slurm");
            case "COMPLETED", "FAILED" -> finished(index, node, left);
            case "CANCELLED" -> status(index, JobState.CANCELLED, node, left.report(), "cancelled");
            case "TIMEOUT" ->
                status(
                        index,
                        JobState.FAILED,
                        node,
                        left.report(),
                        "Slurm stopped it at its time limit (the job's time limit plus staging_time)");
            case "OUT_OF_MEMORY" ->
                status(index, JobState.FAILED, node, left.report(), "out of memory: ask for more with --memory");
            case "NODE_FAIL" -> status(index, JobState.FAILED, node, left.report(), "its node failed (" + node + ")");
            case "BOOT_FAIL" -> status(index, JobState.FAILED, node, left.report(), "its node failed to boot");
            case "PREEMPTED" ->
                status(index, JobState.FAILED, node, left.report(), "preempted by a job of higher priority");
            case "DEADLINE" -> status(index, JobState.FAILED, node, left.report(), "it missed its deadline");
            default -> status(index, JobState.UNKNOWN, node, left.report(), "Slurm state " + entry.state());
        };
    }

    private static TaskStatus forgotten(int index, Leftovers left, boolean cancelled) {
        if (left.report() != null || left.runnerExit() != null) {
            return finished(index, null, left);
        }
        if (cancelled) {
            return status(index, JobState.CANCELLED, null, null, "cancelled");
        }
        return status(index, JobState.UNKNOWN, null, null, "Slurm no longer lists this task and it left no result");
    }

    /** Over as far as Slurm is concerned: job.json says how it went, else the runner's own error output. */
    private static TaskStatus finished(int index, String node, Leftovers left) {
        TaskReport report = left.report();
        if (report == null) {
            String error = left.runnerError().get();
            String exit = left.runnerExit() == null ? "" : " (exit code " + left.runnerExit() + ")";
            return status(
                    index,
                    JobState.FAILED,
                    node,
                    null,
                    "the job runner failed" + exit + (error == null ? "" : ": " + error));
        }
        if (report.exitCode() == 0 && report.error() == null) {
            return status(index, JobState.SUCCEEDED, node, report, null);
        }
        return status(index, JobState.FAILED, node, report, failure(report));
    }

    static String failure(TaskReport report) {
        if (report.error() != null) {
            return report.error();
        }
        int code = report.exitCode();
        if (code == 124) {
            return "time limit reached: the runner stopped the command";
        }
        if (code > 128 && code < 160) {
            return "the command was killed by signal " + (code - 128);
        }
        return "the command exited with " + code;
    }

    /** Slurm's pending reasons in plain words; {@code null} for the ordinary wait for a turn. */
    static String pendingReason(String reason) {
        if (reason == null) {
            return null;
        }
        return switch (reason) {
            case "None", "Priority", "Resources" -> "waiting for free resources";
            case "JobArrayTaskLimit" -> "waiting: num_parallel limit";
            case "BeginTime" -> "waiting for its begin time";
            case "Dependency" -> "waiting for a job it depends on";
            case "ReqNodeNotAvail", "NodeDown" -> "waiting: the nodes it needs are not available";
            case "PartitionDown", "PartitionInactive" -> "waiting: the partition is down";
            case "PartitionTimeLimit" -> "will not start: its time limit is above the partition's limit";
            case "QOSMaxJobsPerUserLimit", "AssocMaxJobsLimit", "QOSMaxSubmitJobPerUserLimit" ->
                "waiting: the account's job limit is reached";
            case "JobHeldUser" -> "held by the user (scontrol release)";
            case "JobHeldAdmin" -> "held by an administrator";
            case "BadConstraints" -> "will not start: no node satisfies its constraints";
            default -> "waiting: " + reason;
        };
    }

    /** A task whose state nobody can tell now, with the reason. */
    static TaskStatus unknown(int index, String why) {
        return status(index, JobState.UNKNOWN, null, null, why);
    }

    private static TaskStatus status(int index, JobState state, String node, TaskReport report, String message) {
        return new TaskStatus(
                index,
                state,
                report == null ? null : report.exitCode(),
                report != null && report.host() != null ? report.host() : node,
                report == null ? null : report.startedAt(),
                report == null ? null : report.endedAt(),
                report == null ? null : report.stageInSeconds(),
                report == null ? null : report.computeSeconds(),
                report == null ? null : report.stageOutSeconds(),
                message);
    }
}
