package io.corc.scheduler.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.JobSpec;
import io.corc.api.ProgressListener;
import io.corc.api.Scheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSchedulerRemoveTest {
    private static final int ROUNDS = 5;

    @TempDir
    Path home;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private Scheduler scheduler;

    @AfterEach
    void removeJobs() {
        pool.shutdownNow();
        if (scheduler != null) {
            scheduler.list().forEach(job -> scheduler.remove(job.id()));
        }
    }

    @Test
    void cancelRacingRemoveLeavesNoJobDirectory() throws Exception {
        scheduler = TestJobs.scheduler(home);
        Scheduler other = TestJobs.scheduler(home);
        for (int round = 0; round < ROUNDS; round++) {
            JobSpec spec = TestJobs.spec("job-race-" + round, 2, 2, "exec sleep 60", Map.of());
            scheduler.submit(spec, ProgressListener.NONE);
            JobDirectory dir = new JobDirectory(TestJobs.jobDir(home, spec.id()));
            awaitRunning(dir, 0);
            awaitRunning(dir, 1);
            CyclicBarrier start = new CyclicBarrier(2);

            Future<?> cancel = pool.submit(() -> {
                start.await();
                return other.cancel(spec.id());
            });
            Future<?> remove = pool.submit(() -> {
                start.await();
                scheduler.remove(spec.id());
                return null;
            });

            remove.get(TestJobs.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            try {
                cancel.get(TestJobs.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertThat(e.getCause())
                        .as("cancel in round %d", round)
                        .isInstanceOfSatisfying(CorcException.class, corc -> assertThat(corc.category())
                                .isEqualTo(ErrorCategory.NOT_FOUND));
            }
            assertThat(dir.path()).as("job directory after round %d", round).doesNotExist();
        }
    }

    @Test
    void removeDeletesAJobDirectoryWhoseSpecIsGone() throws Exception {
        scheduler = TestJobs.scheduler(home);
        Path husk = Files.createDirectories(TestJobs.jobDir(home, "job-husk"));
        Files.writeString(husk.resolve("finished.json"), "{\"finished_at\": null, \"cancelled\": true}");

        scheduler.remove("job-husk");

        assertThat(husk).doesNotExist();
    }

    @Test
    void writesNeverRecreateADeletedJobDirectory() {
        JobDirectory dir = new JobDirectory(TestJobs.jobDir(home, "job-gone"));

        assertThatThrownBy(dir::markFinished).isInstanceOfSatisfying(CorcException.class, e -> assertThat(e.category())
                .isEqualTo(ErrorCategory.NOT_FOUND));
        assertThatThrownBy(dir::requestCancel).isInstanceOfSatisfying(CorcException.class, e -> assertThat(e.category())
                .isEqualTo(ErrorCategory.NOT_FOUND));
        assertThat(dir.path()).doesNotExist();
    }

    private static void awaitRunning(JobDirectory dir, int index) throws InterruptedException {
        TestJobs.await("task " + index + " to run", () -> dir.readTask(index)
                .filter(task -> task.phase().equals("running") && task.pid() != null)
                .map(TaskRecord::pid));
    }
}
