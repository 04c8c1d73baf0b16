package io.corc.scheduler.local;

import io.corc.api.Job;
import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.TaskReport;
import io.corc.api.TaskStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a {@link Job} from the files of its directory: the status files the supervisor writes, each task's
 * {@code job.json}, the cancel marker, {@code finished.json}, and whether the recorded supervisor process lives.
 * A job whose supervisor is gone without having written {@code finished.json} was killed: {@link JobEnd#isOver}
 * kills the commands it left behind and finishes the job, and its unfinished tasks are reported failed with
 * "supervisor process died".
 */
final class JobStatusReader {
    static final String SUPERVISOR_DIED = "supervisor process died";

    private JobStatusReader() {}

    static Job read(String scheduler, JobDirectory dir) {
        JobSpec spec = dir.readSpec();
        // Over means finished.json exists: isOver writes it for a job whose supervisor died.
        Optional<Instant> finishedAt = JobEnd.isOver(dir) ? dir.finishedAt() : Optional.empty();
        Optional<SupervisorRecord> supervisor = dir.readSupervisor();
        Outlook outlook = new Outlook(
                dir.cancelRequested(), finishedAt.isPresent(), finishedAt.isPresent() && dir.supervisorDied());
        List<TaskStatus> tasks = new ArrayList<>();
        for (int index = 0; index < spec.numJobs(); index++) {
            tasks.add(task(index, dir.readTask(index), dir.readReport(index), outlook));
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put("work_dir", dir.path().toString());
        supervisor.ifPresent(record -> details.put("supervisor_pid", Long.toString(record.pid())));
        return new Job(
                spec.id(),
                spec.name(),
                scheduler,
                Job.stateOf(tasks),
                tasks,
                dir.submittedAt(),
                finishedAt.orElse(null),
                details);
    }

    /** What the job as a whole says about tasks without a final status; {@code died} implies {@code finished}. */
    private record Outlook(boolean cancelled, boolean finished, boolean died) {}

    private static TaskStatus task(
            int index, Optional<TaskRecord> record, Optional<TaskReport> report, Outlook outlook) {
        JobState state;
        String message;
        if (record.isPresent() && record.get().state().isFinished()) {
            state = record.get().state();
            message = record.get().message();
        } else if (outlook.cancelled() && outlook.finished()) {
            state = JobState.CANCELLED;
            message = "cancelled";
        } else if (outlook.died()) {
            state = JobState.FAILED;
            message = SUPERVISOR_DIED;
        } else if (record.isPresent()) {
            state = JobState.RUNNING;
            message = record.get().phase();
        } else if (outlook.finished()) {
            state = JobState.FAILED;
            message = "the supervisor never started this task";
        } else {
            return TaskStatus.pending(index);
        }
        return status(index, state, message, record.orElse(null), report.orElse(null));
    }

    private static TaskStatus status(int index, JobState state, String message, TaskRecord record, TaskReport report) {
        if (report != null) {
            return new TaskStatus(
                    index,
                    state,
                    report.exitCode(),
                    report.host(),
                    report.startedAt(),
                    report.endedAt(),
                    report.stageInSeconds(),
                    report.computeSeconds(),
                    report.stageOutSeconds(),
                    message);
        }
        Integer exitCode = record == null ? null : record.exitCode();
        Instant startedAt = record == null ? null : record.startedAt();
        Instant endedAt = record == null ? null : record.endedAt();
        return new TaskStatus(index, state, exitCode, null, startedAt, endedAt, null, null, null, message);
    }
}
