package io.corc.scheduler.local;

import java.util.Optional;

/** Decides, for status, logs and await alike, whether a job is over. */
final class JobEnd {
    private JobEnd() {}

    /**
     * Whether no process will work on the job any more: {@code finished.json} exists, or the supervisor is dead. A
     * supervisor that died without writing {@code finished.json} left its commands running; they are killed and the
     * job is marked finished first ({@link JobCanceller#finishOrphaned}), so that a job is never reported over while
     * its commands still run.
     */
    static boolean isOver(JobDirectory dir) {
        if (dir.finishedAt().isPresent()) {
            return true;
        }
        Optional<SupervisorRecord> supervisor = dir.readSupervisor();
        if (supervisor.isEmpty() || supervisor.get().liveProcess().isPresent()) {
            return false;
        }
        // Re-reading finished.json after the liveness check rules out a supervisor that just exited normally.
        if (dir.finishedAt().isEmpty()) {
            JobCanceller.finishOrphaned(dir);
        }
        return true;
    }
}
