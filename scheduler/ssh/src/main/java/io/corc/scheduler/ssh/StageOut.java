package io.corc.scheduler.ssh;

import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.SecureFiles;
import io.corc.api.Staging;
import io.corc.api.StateRecord;
import io.corc.api.Storage;
import io.corc.api.TaskReport;
import io.corc.api.TaskStatus;
import io.corc.jobio.JobJson;
import io.corc.ssh.SshSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * In sftp staging, corc itself moves a finished task's outputs from the host into storage: it downloads the
 * task's {@code output/} over SFTP, adds {@code job.json} and uploads the tree as the job runner does (the tree's
 * commit marker last), so {@code corc job result get} reads it like any other scheduler's.
 *
 * <p>Whoever looks at the job first does it (get, list, await, logs). A claim in the job's state record, taken and
 * released under the store's lock, keeps two corc processes from staging the same task at once; a claim older than
 * {@link #LEASE} is taken over (its process died). A failed stage-out is retried on the next look, up to
 * {@link #ATTEMPTS} times, then the task fails saying why.
 */
final class StageOut {
    static final Duration LEASE = Duration.ofMinutes(10);
    static final int ATTEMPTS = 3;

    private final RecordStore records;
    private final Supplier<Storage> storage;
    private final String owner = UUID.randomUUID().toString();

    StageOut(RecordStore records, Supplier<Storage> storage) {
        this.records = records;
        this.storage = storage;
    }

    /**
     * Stages task {@code finished.index()} unless done already or another process is at it.
     *
     * @param finished the task's state from the host (its command has ended)
     * @param error what went wrong outside the command (time limit, stage-in), or {@code null}, for job.json
     * @return the task's final state, or a RUNNING state while its outputs are not in storage yet
     */
    TaskStatus stage(
            String jobId, JobSpec spec, RemoteJobLayout layout, SshSession session, TaskStatus finished, String error) {
        int index = finished.index();
        AtomicReference<String> outcome = new AtomicReference<>("removed");
        StateRecord claimed = records.update(SshJobRecord.TYPE, jobId, record -> {
            if (record == null) {
                return null;
            }
            if (SshJobRecord.isDone(record, index)) {
                outcome.set("done");
                return record;
            }
            String claim = SshJobRecord.claim(record, index);
            if (claim != null && !claim.startsWith(owner + " ") && !expired(claim)) {
                outcome.set("busy");
                return record;
            }
            outcome.set("mine");
            return SshJobRecord.withClaim(
                    record, index, owner + " " + Instant.now().toEpochMilli());
        });
        switch (outcome.get()) {
            case "removed" -> {
                return finished;
            }
            case "done" -> {
                return new SshJobRecord(claimed).done().get(index);
            }
            case "busy" -> {
                return running(finished, "staging out (another corc process is copying its outputs)");
            }
            default -> {}
        }
        try {
            TaskStatus staged = copy(spec, layout, session, finished, error);
            records.update(SshJobRecord.TYPE, jobId, r -> r == null ? null : SshJobRecord.withDone(r, staged));
            return staged;
        } catch (RuntimeException e) {
            String message = "stage-out failed: " + e.getMessage();
            StateRecord after = records.update(SshJobRecord.TYPE, jobId, r -> {
                if (r == null) {
                    return null;
                }
                StateRecord failed = SshJobRecord.withFailure(r, index);
                return SshJobRecord.failures(failed, index) >= ATTEMPTS
                        ? SshJobRecord.withDone(failed, failedStatus(finished, message))
                        : failed;
            });
            if (after != null && SshJobRecord.isDone(after, index)) {
                return failedStatus(finished, message);
            }
            return running(finished, message + " (retried on the next look)");
        }
    }

    /** Downloads the task's output, writes job.json into it and uploads it with its commit marker. */
    private TaskStatus copy(JobSpec spec, RemoteJobLayout layout, SshSession session, TaskStatus task, String error) {
        Staging staging = spec.staging();
        Path temp = temporaryDirectory();
        try {
            long start = System.nanoTime();
            Path output = temp.resolve("output");
            session.download(layout.taskOutput(task.index()), output);
            Path reportFile = output.resolve(TaskReport.FILE_NAME);
            setAside(reportFile);
            String prefix = staging.outputKeyPrefix(task.index());
            Storage store = storage.get();
            JobJson.writeReport(report(spec, task, error, 0.0, Instant.now()), reportFile);
            store.upload(output, staging.bucket(), prefix, ProgressListener.NONE);
            double seconds = (System.nanoTime() - start) / 1e9;
            Instant ended = Instant.now();
            // only job.json changed: the second upload moves it alone and writes the commit marker anew
            JobJson.writeReport(report(spec, task, error, seconds, ended), reportFile);
            store.upload(output, staging.bucket(), prefix, ProgressListener.NONE);
            return new TaskStatus(
                    task.index(),
                    task.state(),
                    task.exitCode(),
                    task.host(),
                    task.startedAt(),
                    ended,
                    task.stageInSeconds(),
                    task.computeSeconds(),
                    seconds,
                    task.message());
        } finally {
            deleteTree(temp);
        }
    }

    private static TaskReport report(JobSpec spec, TaskStatus task, String error, double stageOut, Instant ended) {
        return new TaskReport(
                TaskReport.SCHEMA_VERSION,
                spec.id(),
                task.index(),
                spec.command(),
                task.exitCode() == null ? -1 : task.exitCode(),
                task.host(),
                task.startedAt() == null ? ended : task.startedAt(),
                ended,
                task.stageInSeconds() == null ? 0.0 : task.stageInSeconds(),
                task.computeSeconds() == null ? 0.0 : task.computeSeconds(),
                stageOut,
                error);
    }

    /** A task's own job.json is kept as job.json.task, as the job runner does: the name is the runner's. */
    private static void setAside(Path reportFile) {
        if (Files.exists(reportFile)) {
            try {
                Files.move(
                        reportFile,
                        reportFile.resolveSibling(TaskReport.FILE_NAME + ".task"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw SecureFiles.ioFailure("set aside the task's own " + reportFile, e);
            }
        }
    }

    private static boolean expired(String claim) {
        try {
            long since = Long.parseLong(claim.substring(claim.indexOf(' ') + 1));
            return Instant.ofEpochMilli(since).plus(LEASE).isBefore(Instant.now());
        } catch (RuntimeException e) {
            return true;
        }
    }

    private static TaskStatus running(TaskStatus task, String message) {
        return new TaskStatus(
                task.index(),
                JobState.RUNNING,
                task.exitCode(),
                task.host(),
                task.startedAt(),
                null,
                task.stageInSeconds(),
                task.computeSeconds(),
                null,
                message);
    }

    private static TaskStatus failedStatus(TaskStatus task, String message) {
        return new TaskStatus(
                task.index(),
                JobState.FAILED,
                task.exitCode(),
                task.host(),
                task.startedAt(),
                task.endedAt(),
                task.stageInSeconds(),
                task.computeSeconds(),
                null,
                message);
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory(
                    "corc-ssh-stage-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw SecureFiles.ioFailure("create a temporary directory for a task's outputs", e);
        }
    }

    static void deleteTree(Path root) {
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path path : (Iterable<Path>) tree.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // a temporary directory: left for the system's clean-up
        }
    }
}
