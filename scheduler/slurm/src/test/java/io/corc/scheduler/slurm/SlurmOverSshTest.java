package io.corc.scheduler.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.InMemoryRecordStore;
import io.corc.api.Job;
import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.LogLine;
import io.corc.api.PluginConfig;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.Scheduler;
import io.corc.api.Storage;
import io.corc.api.TaskReport;
import io.corc.api.TaskStatus;
import io.corc.jobio.JobJson;
import io.corc.jobio.StorageLoader;
import io.corc.ssh.KnownHosts;
import io.corc.ssh.Shell;
import io.corc.ssh.testing.MinaSshServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Slurm scheduler configured with {@code login:}: every Slurm command and job file goes over SSH to a login node
 * (MINA in this JVM, real shell and SFTP), whose login shell reaches the real Slurm of this machine. corc's key and
 * known_hosts are the defaults in corc's home.
 */
class SlurmOverSshTest {
    @TempDir
    Path tmp;

    private final RecordStore records = new InMemoryRecordStore();
    private final List<String> submitted = new ArrayList<>();
    private Path home;
    private TestLoginNode node;
    private Scheduler scheduler;

    @BeforeEach
    void start() {
        home = tmp.resolve("corc");
        node = new TestLoginNode(home, tmp.resolve("login"));
        scheduler = scheduler(node.login());
    }

    /** Whatever a test left on the cluster is cancelled and deleted. */
    @AfterEach
    void stop() {
        try {
            for (String id : submitted) {
                scheduler.remove(id);
            }
        } finally {
            node.close();
        }
    }

    @Test
    void runsAJobArrayThroughTheLoginNodeStagingThroughStorage() throws IOException {
        SlurmCluster.require();
        Path storageRoot = tmp.resolve("storage");
        Storage storage = StorageLoader.load("local", Map.of("path", storageRoot.toString()), home);
        storage.ensureBucket("jobs");
        String id = SlurmTestJobs.id("ssh");
        Path inputs = Files.createDirectories(tmp.resolve("inputs"));
        Files.writeString(inputs.resolve("data.txt"), "hello over ssh\n");
        storage.upload(inputs, "jobs", id + "/input/", ProgressListener.NONE);
        Path go = tmp.resolve("go");
        // each task holds until the test has seen num_parallel at work
        String script = String.join(
                "\n",
                "i=0; while [ ! -e " + go + " ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done",
                "tr a-z A-Z < \"$CORC_INPUT/data.txt\" > \"$CORC_OUTPUT/result.txt\"",
                "echo \"log of $CORC_TASK_INDEX\"");
        JobSpec spec = SlurmTestJobs.staged(SlurmTestJobs.spec(id, 3, 2, script, null), "jobs", storageRoot, home);

        Job job = submit(spec, Map.of("token", "not-really-a-secret"));
        SlurmCluster.await(
                "two tasks run and the third waits",
                SlurmTestJobs.TIMEOUT,
                () -> scheduler.get(id).orElseThrow().tasks().stream()
                        .map(TaskStatus::state)
                        .toList()
                        .equals(List.of(JobState.RUNNING, JobState.RUNNING, JobState.PENDING)));
        assertThat(scheduler.get(id).orElseThrow().tasks().get(2).message()).isEqualTo("waiting: num_parallel limit");
        Files.createFile(go);
        Job done = scheduler.await(id, SlurmTestJobs.TIMEOUT, ProgressListener.NONE);

        assertThat(job.details()).containsEntry("submitted_on", node.describe());
        assertThat(done.state()).as("job %s", done).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.tasks()).extracting(TaskStatus::exitCode).containsOnly(0);
        for (int index = 0; index < 3; index++) {
            Path task = tmp.resolve("results").resolve(Integer.toString(index));
            storage.download("jobs", spec.staging().outputKeyPrefix(index), task, ProgressListener.NONE);
            assertThat(task.resolve("result.txt")).hasContent("HELLO OVER SSH");
            TaskReport report = JobJson.readReport(task.resolve("job.json"));
            assertThat(report.taskIndex()).isEqualTo(index);
            assertThat(report.jobId()).isEqualTo(id);
        }
        List<LogLine> lines = new ArrayList<>();
        scheduler.logs(id, null, false, lines::add);
        assertThat(lines)
                .containsExactly(
                        new LogLine(0, "stdout", "log of 0"),
                        new LogLine(1, "stdout", "log of 1"),
                        new LogLine(2, "stdout", "log of 2"));
        // the job's directory is in the default work dir of the login node's user, private; the storage
        // credentials are 0600 files beside the spec, never in it, and this machine's corc home is not either
        Path jobDir = node.home().resolve(".corc/slurm/jobs").resolve(id);
        assertThat(done.details()).containsEntry("work_dir", jobDir.toString());
        assertThat(mode(jobDir)).isEqualTo("rwx------");
        assertThat(mode(jobDir.resolve("spec.json"))).isEqualTo("rw-------");
        assertThat(mode(jobDir.resolve("job.sh"))).isEqualTo("rwx------");
        assertThat(mode(jobDir.resolve("secrets"))).isEqualTo("rwx------");
        assertThat(mode(jobDir.resolve("secrets/token"))).isEqualTo("rw-------");
        assertThat(jobDir.resolve("spec.json")).content().doesNotContain("not-really-a-secret", home.toString());

        scheduler.remove(id);
        assertThat(jobDir).doesNotExist();
        assertThat(scheduler.get(id)).isEmpty();
        assertThat(records.list(SlurmJobRecord.TYPE)).isEmpty();
    }

    @Test
    void cancelStopsALongJobOnTheClusterAndRemoveLeavesNothing() throws IOException {
        SlurmCluster.require();
        String id = SlurmTestJobs.id("ssh-cancel");
        Path pid = tmp.resolve("pid");
        String script = "echo $$ > " + pid + ".tmp && mv " + pid + ".tmp " + pid + "; exec sleep 60";
        submit(SlurmTestJobs.spec(id, 2, 1, script, null), Map.of());
        SlurmCluster.await("task 0 runs its command", SlurmTestJobs.TIMEOUT, () -> Files.exists(pid));
        long command = Long.parseLong(Files.readString(pid).strip());

        Job cancelled = scheduler.cancel(id);
        SlurmCluster.await("the command is gone", Duration.ofSeconds(10), () -> ProcessHandle.of(command)
                .map(p -> !p.isAlive())
                .orElse(true));
        Job after = scheduler.await(id, SlurmTestJobs.TIMEOUT, ProgressListener.NONE);

        assertThat(cancelled.tasks().get(1).state()).isEqualTo(JobState.CANCELLED);
        assertThat(after.tasks()).extracting(TaskStatus::state).containsOnly(JobState.CANCELLED);
        scheduler.remove(id);
        assertThat(node.home().resolve(".corc/slurm/jobs").resolve(id)).doesNotExist();
        assertThat(records.list(SlurmJobRecord.TYPE)).isEmpty();
    }

    /** Checked with a stand-in sbatch on the login node: what corc writes there, not what Slurm does with it. */
    @Test
    void withoutARunnerSettingTheBatchScriptStartsCorcJobioRunFromTheLoginShellsPath() throws IOException {
        Path sbatch = Files.createDirectories(node.home().resolve("bin")).resolve("sbatch");
        Files.writeString(sbatch, "#!/bin/sh\necho 4242\n");
        Files.setPosixFilePermissions(sbatch, PosixFilePermissions.fromString("rwx------"));
        Scheduler defaults = SlurmTestJobs.scheduler(home, records, Map.of("login", node.login()));
        JobSpec spec = SlurmTestJobs.staged(
                SlurmTestJobs.spec(SlurmTestJobs.id("ssh-runner"), 2, 1, "true", null),
                "jobs",
                tmp.resolve("storage"),
                home);

        Job job = defaults.submit(spec, ProgressListener.NONE);

        Path jobDir = node.home().resolve(".corc/slurm/jobs").resolve(spec.id());
        assertThat(job.details()).containsEntry("slurm_job_id", "4242");
        assertThat(jobDir.resolve("job.sh"))
                .content()
                .contains("\ncorc jobio run --spec \"$dir/spec.json\" --task-index \"$task\"");
        assertThat(jobDir.resolve("spec.json"))
                .content()
                .contains("corc.storage.name")
                .doesNotContain("corc.home");
    }

    @Test
    void aLoginNodeWhoseHostKeyChangedIsRefused() {
        try (SlurmHost first = SlurmScheduler.defaultHosts(home)
                .apply(SlurmSettings.from(new PluginConfig("corc.schedulers.slurm", Map.of("login", node.login()))))
                .get()) {
            first.homeDirectory(); // the first login records the key: trust on first use
        }
        KnownHosts knownHosts = KnownHosts.inHome(home);
        assertThat(knownHosts.lookup(node.server.host(), node.server.port())).hasValue(node.server.hostPublicKey());
        node.server.changeHostKey();

        JobSpec spec = SlurmTestJobs.spec(SlurmTestJobs.id("ssh-key"), 1, 1, "true", null);
        assertThatThrownBy(() -> scheduler.submit(spec, ProgressListener.NONE))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CONFLICT);
                    assertThat(e.getMessage())
                            .contains("corc@127.0.0.1:" + node.server.port())
                            .contains("has changed");
                    assertThat(e.hint()).get().asString().contains("ssh-keygen -R");
                });
        assertThat(records.list(SlurmJobRecord.TYPE)).isEmpty();
    }

    @Test
    void anUnreachableLoginNodeIsUnavailableNamingTheLogin() {
        int closedPort;
        try (MinaSshServer gone = MinaSshServer.start(tmp.resolve("gone"))) {
            closedPort = gone.port();
        }
        Map<String, Object> login = new LinkedHashMap<>(node.login());
        login.put("port", closedPort);
        Scheduler unreachable = scheduler(login);

        JobSpec spec = SlurmTestJobs.spec(SlurmTestJobs.id("ssh-gone"), 1, 1, "true", null);
        assertThatThrownBy(() -> unreachable.submit(spec, ProgressListener.NONE))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE);
                    assertThat(e.getMessage()).contains("login node corc@127.0.0.1:" + closedPort);
                    assertThat(e.hint()).get().asString().contains("port " + closedPort);
                });
        assertThat(unreachable.check().reason()).contains("corc@127.0.0.1:" + closedPort);
        assertThat(records.list(SlurmJobRecord.TYPE)).isEmpty();
    }

    /** The scheduler with {@code login}; the runner on the "cluster" is this JVM's java and test class path. */
    private Scheduler scheduler(Map<String, Object> login) {
        String runner = Shell.join(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                SlurmTaskRunner.class.getName()));
        return SlurmTestJobs.scheduler(home, records, Map.of("login", login, "runner", runner, "poll_interval", 0.2));
    }

    private Job submit(JobSpec spec, Map<String, String> secrets) {
        submitted.add(spec.id());
        return scheduler.submit(spec, secrets, ProgressListener.NONE);
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
