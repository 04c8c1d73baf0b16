package io.corc.scheduler.local;

import io.corc.api.Job;
import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.TaskReport;
import io.corc.api.TaskStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds a {@link Job} from the files of its directory: the status files the supervisor writes, each task's
 * {@code job.json}, the cancel marker, {@code finished.json}, and whether the recorded supervisor process lives.
 * A job whose supervisor is gone without having written {@code finished.json} was killed: its unfinished tasks are
 * reported failed with "supervisor process died".
 */
final class JobStatusReader {
    static final String SUPERVISOR_DIED = "supervisor process died";

    private JobStatusReader() {}

    static Job read(String scheduler, JobDirectory dir) {
        JobSpec spec = dir.readSpec();
        Optional<SupervisorRecord> supervisor = dir.readSupervisor();
        Optional<Instant> finishedAt = dir.finishedAt();
        // Re-reading finished.json after the liveness check rules out a supervisor that just exited normally.
        boolean died = finishedAt.isEmpty()
                && supervisor.isPresent()
                && supervisor.get().liveProcess().isEmpty()
                && dir.finishedAt().isEmpty();
        Outlook outlook = new Outlook(dir.cancelRequested(), finishedAt.isPresent(), died);
        List<TaskStatus> tasks = new ArrayList<>();
        for (int index = 0; index < spec.numJobs(); index++) {
            tasks.add(task(index, dir.readTask(index), dir.readReport(index), outlook));
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put("work_dir", dir.path().toString());
        supervisor.ifPresent(record -> details.put("supervisor_pid", Long.toString(record.pid())));
        Instant end = finishedAt.orElseGet(() -> died ? lastEnd(tasks) : null);
        return new Job(spec.id(), spec.name(), scheduler, Job.stateOf(tasks), tasks, dir.submittedAt(), end, details);
    }

    /** What the job as a whole says about tasks without a final status. */
    private record Outlook(boolean cancelled, boolean finished, boolean died) {
        boolean over() {
            return finished || died;
        }
    }

    private static TaskStatus task(
            int index, Optional<TaskRecord> record, Optional<TaskReport> report, Outlook outlook) {
        JobState state;
        String message;
        if (record.isPresent() && record.get().state().isFinished()) {
            state = record.get().state();
            message = record.get().message();
        } else if (outlook.cancelled() && outlook.over()) {
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

    private static Instant lastEnd(List<TaskStatus> tasks) {
        return tasks.stream()
                .map(TaskStatus::endedAt)
                .filter(Objects::nonNull)
                .max(Comparator.naturalOrder())
                .orElse(null);
    }
}
