package io.corc.scheduler.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CheckResult;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Job;
import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.ProgressListener;
import io.corc.api.Scheduler;
import io.corc.api.TaskStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cancel, a dropped connection, a changed host key, check and the rollback of a failed submission. */
class SshSchedulerControlTest {
    @TempDir
    Path tmp;

    private SshTestHost host;

    @BeforeEach
    void start() {
        host = new SshTestHost(tmp);
    }

    @AfterEach
    void stop() {
        host.close();
    }

    @Test
    void cancellingARunningJobKillsItsCommandsAndTheirChildrenAndStartsNoMoreTasks() {
        Scheduler scheduler = host.scheduler();
        JobSpec spec = SshTestHost.spec("job-cancel", 3, 2, "sleep 60 & echo $! > \"$CORC_OUTPUT/child\"; wait", null);
        scheduler.submit(spec, ProgressListener.NONE);
        Path jobDir = host.jobDir(spec.id());
        SshTestHost.await(
                "both first tasks to start their children",
                () -> Files.exists(jobDir.resolve("tasks/0/output/child"))
                        && Files.exists(jobDir.resolve("tasks/1/output/child")));
        List<Long> pids = List.of(
                SshTestHost.pidIn(jobDir.resolve("tasks/0/pid")),
                SshTestHost.pidIn(jobDir.resolve("tasks/1/pid")),
                SshTestHost.pidIn(jobDir.resolve("tasks/0/output/child")),
                SshTestHost.pidIn(jobDir.resolve("tasks/1/output/child")),
                SshTestHost.pidIn(jobDir.resolve("driver.pid")));
        assertThat(pids).allMatch(SshTestHost::running);

        Job job = scheduler.cancel(spec.id());

        assertThat(job.state()).isEqualTo(JobState.CANCELLED);
        assertThat(job.tasks()).extracting(TaskStatus::state).containsOnly(JobState.CANCELLED);
        assertThat(job.tasks().get(2).message()).isEqualTo("cancelled before it started");
        SshTestHost.await("the job's processes to be gone", () -> pids.stream().noneMatch(SshTestHost::running));
        assertThat(jobDir.resolve("tasks/2")).doesNotExist();
        assertThat(scheduler.cancel(spec.id()).state())
                .as("cancel is idempotent")
                .isEqualTo(JobState.CANCELLED);
        scheduler.remove(spec.id());
        scheduler.remove(spec.id());
        assertThat(jobDir).doesNotExist();
    }

    /**
     * The issue's must-have: the server cuts every connection (as a network failure would) while the job runs and
     * corc waits for it. The job goes on, corc logs in again, and the outputs reach storage.
     */
    @Test
    void aDroppedConnectionDoesNotStopTheJobAndItsOutputsAreFetchedAfterReconnecting() throws Exception {
        Scheduler scheduler = host.scheduler();
        Path go = host.server.home().resolve("go");
        JobSpec spec = host.staged(
                SshTestHost.spec(
                        "job-drop",
                        2,
                        2,
                        "echo started > \"$CORC_OUTPUT/started\"; while [ ! -e \"$HOME/go\" ]; do sleep 0.1; done;"
                                + " echo \"done $CORC_TASK_INDEX\" > \"$CORC_OUTPUT/result.txt\"",
                        null),
                Map.of("in.txt", "x"));
        scheduler.submit(spec, ProgressListener.NONE); // its connection is closed once it returns
        Path jobDir = host.jobDir(spec.id());
        SshTestHost.await(
                "both tasks to run",
                () -> Files.exists(jobDir.resolve("tasks/0/output/started"))
                        && Files.exists(jobDir.resolve("tasks/1/output/started")));
        CompletableFuture<Job> waiting = CompletableFuture.supplyAsync(
                () -> scheduler.await(spec.id(), SshTestHost.TIMEOUT, ProgressListener.NONE));
        SshTestHost.await("corc to be connected while waiting", () -> host.server.activeSessions() > 0);

        int dropped = host.server.dropConnections();
        Files.writeString(go, "");
        Job job = waiting.get(SshTestHost.TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        assertThat(dropped).isPositive();
        assertThat(job.state()).as("job %s", job).isEqualTo(JobState.SUCCEEDED);
        for (int index = 0; index < 2; index++) {
            Path output = tmp.resolve("out-" + index);
            host.storage.download(
                    SshTestHost.BUCKET, spec.staging().outputKeyPrefix(index), output, ProgressListener.NONE);
            assertThat(output.resolve("result.txt")).hasContent("done " + index);
            assertThat(output.resolve("job.json")).exists();
        }
        // another corc process (a fresh scheduler on the same state) sees the same, without the host's help
        host.server.close();
        assertThat(host.scheduler().get(spec.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void aChangedHostKeyIsRefusedNamingBothKeysAndNothingIsSubmitted() {
        Scheduler scheduler = host.scheduler();
        JobSpec first = SshTestHost.spec("job-key-1", 1, 1, "sleep 30", null);
        scheduler.submit(first, ProgressListener.NONE); // trusted on first use
        host.server.changeHostKey();

        assertThatThrownBy(() -> scheduler.get(first.id())).isInstanceOfSatisfying(CorcException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.CONFLICT);
            assertThat(e.getMessage()).contains("host key", "has changed");
            assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("ssh-keygen -R"));
        });
        JobSpec second = SshTestHost.spec("job-key-2", 1, 1, "true", null);
        assertThatThrownBy(() -> scheduler.submit(second, ProgressListener.NONE))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.CONFLICT));
        assertThat(host.jobDir(second.id())).doesNotExist();
        assertThat(host.records.get(SshJobRecord.TYPE, second.id())).isEmpty();
        assertThat(host.records.get(SshJobRecord.TYPE, first.id())).isPresent();

        // as the hint says: forget the old key, and the job is reachable again
        new io.corc.ssh.KnownHosts(host.home.resolve("ssh/known_hosts")).forget(host.server.host(), host.server.port());
        assertThat(scheduler.get(first.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        scheduler.remove(first.id());
        assertThat(host.jobDir(first.id())).doesNotExist();
    }

    @Test
    void aFailedSubmissionRemovesWhatItCreated() throws IOException {
        // the runner program is missing on the host: refused before the job directory exists
        Scheduler runner = host.scheduler(Map.of("staging", "runner", "runner", "no-such-corc jobio run"));
        JobSpec spec = SshTestHost.spec("job-rollback", 1, 1, "true", null);
        assertThatThrownBy(() -> runner.submit(spec, ProgressListener.NONE))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.getMessage()).contains("no-such-corc");
                    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("staging: sftp"));
                });
        assertThat(host.jobDir(spec.id())).doesNotExist();
        assertThat(host.records.list(SshJobRecord.TYPE)).isEmpty();

        // the inputs cannot be read from storage after the job directory was created: it is removed again
        Scheduler scheduler = host.scheduler();
        JobSpec broken = spec.withStaging(
                new io.corc.api.Staging("no-such-storage", "jobs", spec.id(), null, null),
                Map.of("corc.storage.name", "no-such-storage"));
        assertThatThrownBy(() -> scheduler.submit(broken, ProgressListener.NONE))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.getMessage()).contains("no-such-storage"));
        assertThat(host.jobDir(spec.id())).doesNotExist();
        assertThat(Files.isDirectory(host.jobDir(spec.id()).getParent())).isTrue();
        assertThat(host.records.list(SshJobRecord.TYPE)).isEmpty();
    }

    @Test
    void checkSaysWhetherTheHostIsSetUpAndReachable() throws IOException {
        assertThat(host.schedulerWith(Map.of()).check()).satisfies(result -> {
            assertThat(result.configured()).isFalse();
            assertThat(result.reason()).contains("corc.schedulers.ssh.host");
        });
        CheckResult ok = host.scheduler().check();
        assertThat(ok.ok()).as(ok.reason()).isTrue();
        assertThat(ok.reason()).contains(host.server.user() + "@127.0.0.1:" + host.server.port());

        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        CheckResult unreachable =
                host.scheduler(Map.of("port", closedPort, "connect_timeout", 2)).check();
        assertThat(unreachable.ok()).isFalse();
        assertThat(unreachable.configured()).isTrue();
        assertThat(unreachable.reason()).contains("connection refused");
    }

    @Test
    void runsOnAnInstanceItIsBoundTo() {
        Scheduler scheduler = host.schedulerWith(Map.of("poll_interval", 0.2));
        scheduler.prepare(host.server.resource("instance-1"));
        JobSpec spec = SshTestHost.spec("job-bound", 1, 1, "echo hi > \"$CORC_OUTPUT/hi.txt\"", null);

        scheduler.submit(spec, ProgressListener.NONE);
        Job job = scheduler.await(spec.id(), SshTestHost.TIMEOUT, ProgressListener.NONE);

        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(job.details()).containsEntry("host", host.server.user() + "@127.0.0.1:" + host.server.port());
        assertThat(host.jobDir(spec.id()).resolve("tasks/0/output/hi.txt")).hasContent("hi");
        // later calls need no binding: the record names the login
        assertThat(host.schedulerWith(Map.of()).get(spec.id()).orElseThrow().state())
                .isEqualTo(JobState.SUCCEEDED);
    }
}
