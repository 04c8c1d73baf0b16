package io.corc.provider.local;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** SIGTERM, a grace period, then SIGKILL for the survivors. */
final class ProcessTreeKiller {
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private ProcessTreeKiller() {}

    /** Ends the given processes; the caller collects descendants first, before their parents die. */
    static void terminate(List<ProcessHandle> processes, Duration grace) {
        processes.forEach(ProcessHandle::destroy);
        List<ProcessHandle> survivors = awaitExit(processes, grace);
        survivors.forEach(ProcessHandle::destroyForcibly);
        awaitExit(survivors, KILL_WAIT);
    }

    private static List<ProcessHandle> awaitExit(List<ProcessHandle> processes, Duration timeout) {
        List<ProcessHandle> alive =
                processes.stream().filter(ProcessHandle::isAlive).toList();
        if (alive.isEmpty()) {
            return alive;
        }
        try {
            CompletableFuture.allOf(alive.stream().map(ProcessHandle::onExit).toArray(CompletableFuture<?>[]::new))
                    .get(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
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
