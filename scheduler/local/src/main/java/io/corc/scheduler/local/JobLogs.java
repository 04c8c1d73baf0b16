package io.corc.scheduler.local;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.JobSpec;
import io.corc.api.LogLine;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/** Sends the stdout and stderr lines of a job's tasks, once or following them until the job is over. */
final class JobLogs {
    private static final long FOLLOW_PAUSE_MILLIS = 100;
    private static final List<String> STREAMS = List.of("stdout", "stderr");

    private JobLogs() {}

    /**
     * Without {@code follow}, sends each task's stdout and then its stderr, in task order. With {@code follow},
     * sends lines as they are written, until the job is over and everything written has been sent.
     *
     * @param taskIndex the one task to send, or {@code null} for all
     * @throws CorcException {@code INVALID_INPUT} when the job has no task {@code taskIndex}
     */
    static void send(JobDirectory dir, Integer taskIndex, boolean follow, Consumer<LogLine> sink) {
        JobSpec spec = dir.readSpec();
        int numJobs = spec.numJobs();
        if (taskIndex != null && (taskIndex < 0 || taskIndex >= numJobs)) {
            throw CorcException.invalidInput(
                    "job '" + dir.id() + "' has tasks 0 to " + (numJobs - 1) + ", not " + taskIndex);
        }
        List<Integer> taskIndexes = taskIndex != null
                ? List.of(taskIndex)
                : IntStream.range(0, numJobs).boxed().toList();
        List<LogTail> tails = new ArrayList<>();
        for (int index : taskIndexes) {
            for (String stream : STREAMS) {
                tails.add(new LogTail(dir.logFile(index, stream, spec.capture()), index, stream));
            }
        }
        if (!follow) {
            for (LogTail tail : tails) {
                tail.poll(sink);
                tail.flush(sink);
            }
            return;
        }
        while (true) {
            // Checked before reading, so that everything written before the job was over is read afterwards.
            boolean over = JobEnd.isOver(dir);
            long read = 0;
            for (LogTail tail : tails) {
                read += tail.poll(sink);
            }
            if (over && read == 0) {
                tails.forEach(tail -> tail.flush(sink));
                return;
            }
            if (read == 0) {
                pause(dir);
            }
        }
    }

    private static void pause(JobDirectory dir) {
        try {
            Thread.sleep(FOLLOW_PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CorcException(ErrorCategory.CANCELLED, "interrupted while following the logs of " + dir.id());
        }
    }
}
