package io.corc.scheduler.slurm;

import io.corc.api.CorcException;
import io.corc.api.Job;
import io.corc.api.JobState;
import io.corc.api.TaskReport;
import io.corc.api.TaskStatus;
import io.corc.jobio.JobJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** Reads a job's state: one squeue call for the array, and the runner's files for the tasks that are over. */
final class SlurmJobReader {
    /** Slurm states in which the runner has nothing to read yet. */
    private static final Set<String> ACTIVE = Set.of(
            "PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "CONFIGURING", "RUNNING", "SIGNALING", "RESIZING");

    private final SlurmHost host;
    private final SlurmQueue queue;
    private final String schedulerName;

    SlurmJobReader(SlurmHost host, SlurmQueue queue, String schedulerName) {
        this.host = host;
        this.queue = queue;
        this.schedulerName = schedulerName;
    }

    Job read(SlurmJobRecord record) {
        List<TaskStatus> tasks = new ArrayList<>();
        if (record.slurmJobId() == null) {
            for (int index = 0; index < record.numJobs(); index++) {
                tasks.add(new TaskStatus(
                        index,
                        JobState.UNKNOWN,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        "the submission did not finish; corc job delete (or corc gc) cleans it up"));
            }
            return job(record, tasks);
        }
        Map<Integer, SlurmQueue.Entry> entries;
        String unreachable = null;
        try {
            entries = queue.tasks(record.slurmJobId());
        } catch (CorcException e) {
            entries = Map.of();
            unreachable = e.getMessage();
        }
        JobLayout layout = record.layout();
        for (int index = 0; index < record.numJobs(); index++) {
            SlurmQueue.Entry entry = entries.get(index);
            SlurmTaskStates.Leftovers left = entry != null && ACTIVE.contains(entry.state())
                    ? new SlurmTaskStates.Leftovers(null, null, () -> null)
                    : leftovers(layout, index);
            TaskStatus task = SlurmTaskStates.of(index, entry, left, record.cancelled());
            if (unreachable != null && task.state() == JobState.UNKNOWN) {
                task = SlurmTaskStates.unknown(index, unreachable);
            }
            tasks.add(task);
        }
        return job(record, tasks);
    }

    private Job job(SlurmJobRecord record, List<TaskStatus> tasks) {
        JobState state = Job.stateOf(tasks);
        Instant finishedAt = state.isFinished()
                ? tasks.stream()
                        .map(TaskStatus::endedAt)
                        .filter(Objects::nonNull)
                        .max(Comparator.naturalOrder())
                        .orElse(null)
                : null;
        Map<String, String> details = new LinkedHashMap<>();
        if (record.slurmJobId() != null) {
            details.put("slurm_job_id", record.slurmJobId());
        }
        details.put("work_dir", record.jobDir());
        details.put("submitted_on", record.where());
        details.put("capture", String.valueOf(record.capture()));
        return new Job(
                record.jobId(), record.name(), schedulerName, state, tasks, record.submittedAt(), finishedAt, details);
    }

    private SlurmTaskStates.Leftovers leftovers(JobLayout layout, int index) {
        TaskReport report = host.readFile(layout.report(index))
                .flatMap(SlurmJobReader::report)
                .orElse(null);
        Integer exit = host.readFile(layout.runnerExit(index))
                .map(bytes -> new String(bytes, StandardCharsets.UTF_8).strip())
                .flatMap(SlurmJobReader::integer)
                .orElse(null);
        return new SlurmTaskStates.Leftovers(report, exit, () -> lastLine(layout.runnerErr(index)));
    }

    private static Optional<TaskReport> report(byte[] json) {
        try {
            return Optional.of(JobJson.mapper().readValue(json, TaskReport.class));
        } catch (IOException e) {
            return Optional.empty(); // torn or foreign: as if the runner had not written it
        }
    }

    private static Optional<Integer> integer(String text) {
        try {
            return Optional.of(Integer.valueOf(text));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * The first line the runner wrote to its stderr (stack frames left out), where it or the shell says why the task
     * could not run: "corc job runner failed: ...", "java: not found", "Could not find or load main class".
     */
    private String lastLine(String file) {
        return host.readFile(file)
                .map(bytes -> new String(bytes, StandardCharsets.UTF_8))
                .flatMap(text -> text.lines()
                        .map(String::strip)
                        .filter(line -> !line.isEmpty() && !line.startsWith("at "))
                        .findFirst())
                .orElse(null);
    }
}
