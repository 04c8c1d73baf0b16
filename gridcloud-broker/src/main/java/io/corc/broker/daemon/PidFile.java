package io.corc.broker.daemon;

import io.corc.api.SecureFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code broker.pid} in the broker's state directory: the daemon's pid and its process start time. The start time
 * tells a live broker from a stale file whose pid the system has since given to another process.
 *
 * @param file where it is
 * @param pid the broker process
 * @param processStart the process's start time as the OS reports it, or {@code null} when unknown
 */
public record PidFile(Path file, long pid, Instant processStart) {
    public static final String NAME = "broker.pid";

    /** The pid file of {@code stateDir}, or empty when there is none or it is unreadable. */
    public static Optional<PidFile> read(Path stateDir) {
        Path file = stateDir.resolve(NAME);
        try {
            String[] lines =
                    Files.readString(file, StandardCharsets.UTF_8).strip().split("\n");
            long pid = Long.parseLong(lines[0].strip());
            Instant start = lines.length > 1 && !lines[1].isBlank() ? Instant.parse(lines[1].strip()) : null;
            return Optional.of(new PidFile(file, pid, start));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Writes this process's pid file into {@code stateDir} (0600). */
    public static PidFile writeCurrent(Path stateDir) {
        ProcessHandle self = ProcessHandle.current();
        Instant start = self.info().startInstant().orElse(null);
        Path file = stateDir.resolve(NAME);
        SecureFiles.writeAtomically(
                file, (self.pid() + "\n" + (start == null ? "" : start) + "\n").getBytes(StandardCharsets.UTF_8));
        return new PidFile(file, self.pid(), start);
    }

    /** The live process this file names, or empty when it has ended (or the pid now belongs to another process). */
    public Optional<ProcessHandle> process() {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> {
            Optional<Instant> started = p.info().startInstant();
            // the OS reports start times in clock ticks; allow a second of rounding between two readings
            return processStart == null
                    || started.isEmpty()
                    || Math.abs(started.get().toEpochMilli() - processStart.toEpochMilli()) < 1000;
        });
    }

    /** Whether the process is gone, so the file can be removed. */
    public boolean stale() {
        return process().isEmpty();
    }

    /** Removes the file if it still names this pid. */
    public void remove() {
        Optional<PidFile> now = read(file.getParent());
        if (now.isPresent() && now.get().pid() == pid) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover file is recognised as stale next time
            }
        }
    }
}
