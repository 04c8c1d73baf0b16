package io.corc.scheduler.ssh;

import io.corc.api.LogLine;
import io.corc.ssh.Shell;
import io.corc.ssh.SshSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Reads the tasks' log files on the host incrementally: one command per round prints, for each file, its size and
 * what it gained since the last round, framed by a random marker. Complete lines are sent; a line still being
 * written is held back until its end arrives or {@link #flush} is called once the job is over.
 */
final class RemoteLogs {
    private static final Duration ROUND_TIMEOUT = Duration.ofMinutes(2);

    private final RemoteJobLayout layout;
    private final boolean captured;
    private final Map<String, FileTail> files = new LinkedHashMap<>();

    /** @param tasks the task indexes to read, in order */
    RemoteLogs(RemoteJobLayout layout, boolean captured, List<Integer> tasks) {
        this.layout = layout;
        this.captured = captured;
        for (int task : tasks) {
            for (String stream : List.of("stdout", "stderr")) {
                files.put(task + " " + stream, new FileTail(task, stream));
            }
        }
    }

    /** Sends the complete lines each file gained since the last round; returns how many lines were sent. */
    int round(SshSession session, Consumer<LogLine> sink) {
        String marker = "corc-log-" + UUID.randomUUID();
        StringBuilder script = new StringBuilder();
        for (FileTail file : files.values()) {
            String path = Shell.quote(layout.log(file.task, file.stream, captured));
            script.append("if [ -f ")
                    .append(path)
                    .append(" ]; then ")
                    .append("s=$(wc -c < ")
                    .append(path)
                    .append(" | tr -d ' '); ")
                    .append("echo \"")
                    .append(marker)
                    .append(' ')
                    .append(file.task)
                    .append(' ')
                    .append(file.stream)
                    .append(" $s\"; ")
                    .append("if [ \"$s\" -gt ")
                    .append(file.offset)
                    .append(" ]; then ")
                    .append("tail -c +")
                    .append(file.offset + 1)
                    .append(' ')
                    .append(path)
                    .append(" | head -c $((s - ")
                    .append(file.offset)
                    .append(")); echo; fi; ")
                    .append("echo ")
                    .append(marker)
                    .append("-end; fi\n");
        }
        List<String> lines = new ArrayList<>();
        session.exec(script.toString(), lines::add, line -> {}, ROUND_TIMEOUT);
        int sent = 0;
        FileTail current = null;
        List<String> section = new ArrayList<>();
        for (String line : lines) {
            if (current == null) {
                if (line.startsWith(marker + " ")) {
                    String[] header = line.split(" ");
                    current = files.get(header[1] + " " + header[2]);
                    current.pendingSize = Long.parseLong(header[3]);
                    section.clear();
                }
            } else if (line.equals(marker + "-end")) {
                sent += current.take(section, sink);
                current = null;
            } else {
                section.add(line);
            }
        }
        return sent;
    }

    /** Sends the last line of each file that had no line end. */
    void flush(Consumer<LogLine> sink) {
        for (FileTail file : files.values()) {
            if (!file.partial.isEmpty()) {
                sink.accept(new LogLine(file.task, file.stream, file.partial));
                file.partial = "";
            }
        }
    }

    /** One log file: how much of it was read, and the start of a line whose end has not arrived. */
    private static final class FileTail {
        final int task;
        final String stream;
        long offset;
        long pendingSize;
        String partial = "";

        FileTail(int task, String stream) {
            this.task = task;
            this.stream = stream;
        }

        /**
         * The section is the new bytes split at line ends plus one line end corc added: its last element is what
         * followed the last line end (empty when the new bytes ended with one).
         */
        int take(List<String> section, Consumer<LogLine> sink) {
            if (pendingSize < offset) {
                offset = 0; // the file was replaced: start over
                partial = "";
            }
            if (section.isEmpty()) {
                return 0;
            }
            int sent = 0;
            for (int i = 0; i < section.size() - 1; i++) {
                sink.accept(new LogLine(task, stream, (i == 0 ? partial : "") + section.get(i)));
                sent++;
            }
            partial = (section.size() == 1 ? partial : "") + section.get(section.size() - 1);
            offset = pendingSize;
            return sent;
        }
    }
}
