package io.corc.jobio;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Ends a process together with every process it started. */
public final class ProcessTrees {
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private ProcessTrees() {}

    /**
     * Sends SIGTERM to {@code root} and all its descendants, waits up to {@code grace} for them to exit, then
     * sends SIGKILL to the survivors and waits briefly for them to go. The descendants are collected before any
     * signal is sent, because a child whose parent died is re-parented and can no longer be found from the root.
     * Safe to call on a process that has already exited. Processes of other users are left alone when the
     * operating system refuses the signal.
     */
    public static void kill(ProcessHandle root, Duration grace) {
        requireNonNull(root, "root is null");
        requireNonNull(grace, "grace is null");
        List<ProcessHandle> tree = new ArrayList<>();
        root.descendants().forEach(tree::add);
        tree.add(root);
        terminate(tree, grace);
    }

    /** Terminates the given processes (already collected with their descendants) as {@link #kill} does. */
    static void terminate(List<ProcessHandle> processes, Duration grace) {
        for (ProcessHandle process : processes) {
            process.destroy();
        }
        List<ProcessHandle> survivors = awaitExit(processes, grace);
        for (ProcessHandle process : survivors) {
            process.destroyForcibly();
        }
        awaitExit(survivors, KILL_WAIT);
    }

    private static List<ProcessHandle> awaitExit(List<ProcessHandle> processes, Duration timeout) {
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
