package io.corc.scheduler.local;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Finds a process recorded by pid and start time, so a recycled pid is never mistaken for the recorded process. */
final class ProcessHandles {
    /** Start times read twice from the OS agree; the tolerance only absorbs rounding between platforms. */
    private static final Duration START_TOLERANCE = Duration.ofSeconds(1);

    private ProcessHandles() {}

    /** The live process with {@code pid} that started at {@code startedAt} (any start time when null), or empty. */
    static Optional<ProcessHandle> live(long pid, Instant startedAt) {
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(handle -> startedAt == null
                        || handle.info()
                                .startInstant()
                                .map(actual -> isClose(actual, startedAt))
                                .orElse(true));
    }

    /** The recorded start time of {@code handle}, or {@code null} when the platform does not report it. */
    static Instant startOf(ProcessHandle handle) {
        return handle.info().startInstant().orElse(null);
    }

    private static boolean isClose(Instant actual, Instant expected) {
        return Duration.between(actual, expected).abs().compareTo(START_TOLERANCE) < 0;
    }
}
