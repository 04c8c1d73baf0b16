package io.corc.scheduler.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.LogLine;
import io.corc.api.ProgressListener;
import io.corc.api.Scheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSchedulerLogsTest {
    @TempDir
    Path home;

    @TempDir
    Path scratch;

    private Scheduler scheduler;

    @AfterEach
    void removeJobs() {
        scheduler.list().forEach(job -> scheduler.remove(job.id()));
    }

    @Test
    void sendsEachLineWithItsStream() {
        scheduler = TestJobs.scheduler(home);
        JobSpec spec = TestJobs.spec("job-logs", 2, 2, "echo \"out $CORC_TASK_INDEX\"; echo err >&2", Map.of());
        scheduler.submit(spec, ProgressListener.NONE);
        scheduler.await(spec.id(), TestJobs.TIMEOUT, ProgressListener.NONE);
        List<LogLine> all = new ArrayList<>();
        List<LogLine> second = new ArrayList<>();

        scheduler.logs(spec.id(), null, false, all::add);
        scheduler.logs(spec.id(), 1, false, second::add);

        assertThat(all)
                .containsExactly(
                        new LogLine(0, "stdout", "out 0"),
                        new LogLine(0, "stderr", "err"),
                        new LogLine(1, "stdout", "out 1"),
                        new LogLine(1, "stderr", "err"));
        assertThat(second).containsExactly(new LogLine(1, "stdout", "out 1"), new LogLine(1, "stderr", "err"));
    }

    @Test
    void followSendsLinesAsTheyComeAndReturnsWhenTheJobIsOver() throws Exception {
        scheduler = TestJobs.scheduler(home);
        Path gate = scratch.resolve("gate");
        String script = "echo before; while [ ! -e \"$GATE\" ]; do sleep 0.05; done; echo after";
        JobSpec uncaptured = withoutCapture(TestJobs.spec("job-follow", 1, 1, script, Map.of("GATE", gate.toString())));
        scheduler.submit(uncaptured, ProgressListener.NONE);
        BlockingQueue<LogLine> lines = new LinkedBlockingQueue<>();

        CompletableFuture<Void> follow =
                CompletableFuture.runAsync(() -> scheduler.logs(uncaptured.id(), null, true, lines::add));
        LogLine first = lines.poll(TestJobs.TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        assertThat(first).isEqualTo(new LogLine(0, "stdout", "before"));
        assertThat(follow).as("follow while the task waits for the gate").isNotDone();
        Files.createFile(gate);
        follow.get(TestJobs.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(lines).containsExactly(new LogLine(0, "stdout", "after"));
        assertThat(scheduler.get(uncaptured.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(TestJobs.jobDir(home, uncaptured.id()).resolve("tasks/0/stdout.log"))
                .hasContent("before\nafter");
    }

    private static JobSpec withoutCapture(JobSpec spec) {
        return spec.withCapture(false);
    }
}
