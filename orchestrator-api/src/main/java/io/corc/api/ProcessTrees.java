package io.corc.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Local process helpers shared by the plug-ins that start processes on this machine: ending a process with every
 * process it started, and finding a recorded process again by pid and start time, so that a recycled pid is never
 * mistaken for it.
 */
public final class ProcessTrees {
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    /** Start times read twice from the OS agree; the tolerance only absorbs rounding between platforms. */
    private static final Duration START_TOLERANCE = Duration.ofSeconds(1);

    private ProcessTrees() {}

    /**
     * Sends SIGTERM to {@code root} and all its descendants, waits up to {@code grace} for them to exit, then
     * sends SIGKILL to the survivors and waits briefly for them to go. The descendants are collected before any
     * signal is sent, because a child whose parent died is re-parented and can no longer be found from the root.
     * Safe to call on a process that has already exited.
     */
    public static void kill(ProcessHandle root, Duration grace) {
        requireNonNull(root, "root is null");
        List<ProcessHandle> tree = new ArrayList<>();
        root.descendants().forEach(tree::add);
        tree.add(root);
        terminate(tree, grace);
    }

    /** Ends the given processes as {@link #kill} does; the caller has collected the descendants already. */
    public static void terminate(Collection<ProcessHandle> processes, Duration grace) {
        requireNonNull(grace, "grace is null");
        processes.forEach(ProcessHandle::destroy);
        List<ProcessHandle> survivors = awaitExit(processes, grace);
        survivors.forEach(ProcessHandle::destroyForcibly);
        awaitExit(survivors, KILL_WAIT);
    }

    /**
     * The live process with {@code pid} that started at {@code startedAt}, or empty. With {@code startedAt} null,
     * any live process with that pid matches; a process whose start time the platform does not report matches
     * only then.
     */
    public static Optional<ProcessHandle> find(long pid, Instant startedAt) {
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(handle -> startedAt == null
                        || handle.info()
                                .startInstant()
                                .map(actual -> Duration.between(actual, startedAt)
                                                .abs()
                                                .compareTo(START_TOLERANCE)
                                        < 0)
                                .orElse(false));
    }

    /** The start time of {@code process}, or {@code null} when the platform does not report it. */
    public static Instant startOf(ProcessHandle process) {
        return process.info().startInstant().orElse(null);
    }

    private static List<ProcessHandle> awaitExit(Collection<ProcessHandle> processes, Duration timeout) {
        List<ProcessHandle> alive =
                processes.stream().filter(ProcessHandle::isAlive).toList();
        if (alive.isEmpty()) {
            return alive;
        }
        CompletableFuture<?>[] exits = alive.stream().map(ProcessHandle::onExit).toArray(CompletableFuture<?>[]::new);
        try {
            CompletableFuture.allOf(exits).get(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // the survivors are returned to the caller
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for process exit failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return alive.stream().filter(ProcessHandle::isAlive).toList();
    }
}
