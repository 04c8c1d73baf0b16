package io.corc.scheduler.local;

import static java.util.Objects.requireNonNull;

import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.Storage;
import io.corc.api.TaskReport;
import io.corc.jobio.JobRunner;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The detached process that runs one job's tasks, started by {@link LocalScheduler#submit}, so the job outlives
 * the command that submitted it. It runs tasks {@code 0..numJobs-1} on a fixed pool of threads, keeps each task's
 * {@code status.json} current, starts no further task once the cancel marker exists, and writes
 * {@code finished.json} when every task is over. A failing task does not stop the others. Its own output goes to
 * {@code supervisor.log}.
 *
 * <p>Usage: {@code LocalJobSupervisor <jobDir> <threads>}.
 */
public final class LocalJobSupervisor {
    private final JobDirectory dir;
    private final int threads;
    private final PrintStream log;

    LocalJobSupervisor(JobDirectory dir, int threads, PrintStream log) {
        this.dir = requireNonNull(dir, "dir is null");
        this.threads = threads;
        this.log = requireNonNull(log, "log is null");
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: LocalJobSupervisor <jobDir> <threads>");
            System.exit(2);
        }
        JobDirectory dir = new JobDirectory(Path.of(args[0]));
        new LocalJobSupervisor(dir, Integer.parseInt(args[1]), System.out).run();
        System.exit(0);
    }

    /** Runs every task and returns when all are over. */
    void run() throws InterruptedException {
        JobSpec spec = dir.readSpec();
        log.printf("%s supervising job %s: %d tasks, %d at once%n", Instant.now(), spec.id(), spec.numJobs(), threads);
        Storage storage;
        try {
            storage = StagingOptions.storageFor(spec);
        } catch (RuntimeException e) {
            e.printStackTrace(log);
            failAll(spec, "could not load storage for staging: " + e.getMessage());
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int index = 0; index < spec.numJobs(); index++) {
            int task = index;
            pool.execute(() -> runTask(spec, storage, task));
        }
        pool.shutdown();
        while (!pool.awaitTermination(1, TimeUnit.HOURS)) {
            log.printf("%s still running%n", Instant.now());
        }
        dir.markFinished();
        log.printf("%s finished%n", Instant.now());
    }

    private void runTask(JobSpec spec, Storage storage, int index) {
        if (dir.cancelRequested()) {
            return;
        }
        TaskStatusWriter status = new TaskStatusWriter(dir, index);
        try {
            dir.createTaskDir(index);
            status.begin();
            TaskReport report = new JobRunner(storage).run(spec, index, dir.taskDir(index), status);
            JobState state = status.finish(report);
            log.printf("%s task %d %s (exit code %d)%n", Instant.now(), index, state, report.exitCode());
        } catch (RuntimeException e) {
            // The runner reports command failures in job.json; reaching here means it could not run the task.
            e.printStackTrace(log);
            status.fail("job runner failed: " + e.getMessage());
        }
    }

    private void failAll(JobSpec spec, String error) {
        for (int index = 0; index < spec.numJobs(); index++) {
            TaskStatusWriter status = new TaskStatusWriter(dir, index);
            dir.createTaskDir(index);
            status.begin();
            status.fail(error);
        }
        dir.markFinished();
    }
}
