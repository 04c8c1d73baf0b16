package io.corc.scheduler.slurm;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.LogLine;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Sends the lines of a job's task logs from the Slurm host: the command's stdout and stderr as the runner wrote
 * them, and as stderr also the runner's own error output (Slurm's {@code -e} file), which is where a task that
 * could not start says why. Files are read whole and what was sent before is skipped: simple, and cheap for the
 * log sizes of batch tasks (over SSH each look is one SFTP read per file).
 */
final class SlurmLogs {
    private final SlurmHost host;

    SlurmLogs(SlurmHost host) {
        this.host = host;
    }

    /**
     * @param taskIndex the one task to send, or {@code null} for all
     * @param over whether the job is over; with {@code follow}, lines are sent until it is and all was read
     */
    void send(
            SlurmJobRecord record,
            Integer taskIndex,
            boolean follow,
            Duration pause,
            BooleanSupplier over,
            Consumer<LogLine> sink) {
        if (taskIndex != null && (taskIndex < 0 || taskIndex >= record.numJobs())) {
            throw CorcException.invalidInput(
                    "job '" + record.jobId() + "' has tasks 0 to " + (record.numJobs() - 1) + ", not " + taskIndex);
        }
        JobLayout layout = record.layout();
        List<Tail> tails = new ArrayList<>();
        List<Integer> indexes = taskIndex != null
                ? List.of(taskIndex)
                : IntStream.range(0, record.numJobs()).boxed().toList();
        for (int index : indexes) {
            tails.add(new Tail(layout.log(index, "stdout", record.capture()), index, "stdout"));
            tails.add(new Tail(layout.log(index, "stderr", record.capture()), index, "stderr"));
            tails.add(new Tail(layout.runnerErr(index), index, "stderr"));
        }
        while (true) {
            // asked before reading, so that what was written before the job was over is read afterwards
            boolean done = !follow || over.getAsBoolean();
            long read = 0;
            for (Tail tail : tails) {
                read += tail.poll(sink);
            }
            if (done && read == 0 || !follow) {
                tails.forEach(tail -> tail.flush(sink));
                return;
            }
            if (read == 0) {
                sleep(pause, record.jobId());
            }
        }
    }

    private static void sleep(Duration pause, String jobId) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CorcException(ErrorCategory.CANCELLED, "interrupted while following the logs of " + jobId);
        }
    }

    /** One file read from where the last read stopped; a line without its terminator waits for {@link #flush}. */
    private final class Tail {
        private final String file;
        private final int index;
        private final String stream;
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private long offset;

        Tail(String file, int index, String stream) {
            this.file = file;
            this.index = index;
            this.stream = stream;
        }

        long poll(Consumer<LogLine> sink) {
            byte[] bytes = host.readFile(file).orElse(new byte[0]);
            if (bytes.length <= offset) {
                return 0;
            }
            int start = (int) offset;
            for (int i = start; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    partial.write(bytes, start, i - start);
                    emit(sink);
                    start = i + 1;
                }
            }
            partial.write(bytes, start, bytes.length - start);
            long read = bytes.length - offset;
            offset = bytes.length;
            return read;
        }

        void flush(Consumer<LogLine> sink) {
            if (partial.size() > 0) {
                emit(sink);
            }
        }

        private void emit(Consumer<LogLine> sink) {
            String text = partial.toString(StandardCharsets.UTF_8);
            partial.reset();
            sink.accept(new LogLine(index, stream, text.endsWith("\r") ? text.substring(0, text.length() - 1) : text));
        }
    }
}
