package io.corc.jobio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.JobSpec;
import io.corc.api.Staging;
import io.corc.api.StoredObject;
import io.corc.api.TaskReport;
import io.corc.storage.local.LocalStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobRunnerTest {
    private static final String BUCKET = "corc-jobs";

    @TempDir
    Path temp;

    private LocalStorage storage;
    private Path taskDir;

    @BeforeEach
    void setUp() {
        storage = new LocalStorage(temp.resolve("storage"));
        taskDir = temp.resolve("task");
    }

    @Test
    void stagesInRunsAndStagesOutWithReport() throws IOException {
        Path inputFile = Files.writeString(temp.resolve("data.txt"), "input data\n");
        storage.put(BUCKET, "job-1/input/data.txt", inputFile);
        String script =
                "cat \"$CORC_INPUT/data.txt\" > \"$CORC_OUTPUT/result.txt\"; echo to-stdout; echo to-stderr >&2;"
                        + " echo \"$CORC_JOB_ID $CORC_TASK_INDEX $CORC_NUM_JOBS $GREETING\" > \"$CORC_OUTPUT/env.txt\";"
                        + " sleep 0.3";
        JobSpec spec = spec(List.of("sh", "-c", script), true, staging(), null, 2, Map.of("GREETING", "hello"));
        RecordingListener listener = new RecordingListener();
        Instant before = Instant.now();

        TaskReport report = new JobRunner(storage).run(spec, 1, taskDir, listener);

        assertThat(report.schemaVersion()).isEqualTo(1);
        assertThat(report.jobId()).isEqualTo("job-1");
        assertThat(report.taskIndex()).isEqualTo(1);
        assertThat(report.command()).isEqualTo(spec.command());
        assertThat(report.exitCode()).isZero();
        assertThat(report.error()).isNull();
        assertThat(report.host()).isNotBlank();
        assertThat(report.startedAt()).isBetween(before, report.endedAt());
        assertThat(report.endedAt()).isBeforeOrEqualTo(Instant.now());
        assertThat(report.stageInSeconds()).isGreaterThanOrEqualTo(0.0);
        assertThat(report.computeSeconds()).isGreaterThanOrEqualTo(0.25).isLessThan(20.0);
        assertThat(report.stageOutSeconds()).isGreaterThan(0.0);
        assertThat(listener.phases).containsExactly("stage-in", "running", "stage-out", "done");
        assertThat(listener.started).hasSize(1);

        Path output = taskDir.resolve("output");
        assertThat(output.resolve("result.txt")).hasContent("input data");
        assertThat(output.resolve("env.txt")).hasContent("job-1 1 2 hello");
        assertThat(output.resolve("stdout.log")).hasContent("to-stdout");
        assertThat(output.resolve("stderr.log")).hasContent("to-stderr");
        assertThat(JobJson.readReport(output.resolve("job.json"))).isEqualTo(report);

        assertThat(storage.list(BUCKET, "job-1/output/1/"))
                .extracting(StoredObject::key)
                .containsExactly(
                        "job-1/output/1/.corc-manifest",
                        "job-1/output/1/env.txt",
                        "job-1/output/1/job.json",
                        "job-1/output/1/result.txt",
                        "job-1/output/1/stderr.log",
                        "job-1/output/1/stdout.log");
        Path fetched = temp.resolve("fetched.json");
        storage.get(BUCKET, "job-1/output/1/job.json", fetched);
        assertThat(JobJson.readReport(fetched)).isEqualTo(report);
    }

    @Test
    void keepsTheTasksOwnFilesWithReservedNamesAsDotTask() throws IOException {
        String script = "echo mine > \"$CORC_OUTPUT/job.json\"; echo logged; rm \"$CORC_OUTPUT/stdout.log\";"
                + " echo my-log > \"$CORC_OUTPUT/stdout.log\"; echo logged-after";
        JobSpec spec = spec(List.of("sh", "-c", script), true, staging(), null, 1, Map.of());

        TaskReport report = new JobRunner(storage).run(spec, 0, taskDir, TaskListener.NONE);

        Path output = taskDir.resolve("output");
        assertThat(report.exitCode()).isZero();
        assertThat(JobJson.readReport(output.resolve("job.json"))).isEqualTo(report);
        assertThat(output.resolve("job.json.task")).hasContent("mine");
        assertThat(output.resolve("stdout.log")).hasContent("logged\nlogged-after");
        assertThat(output.resolve("stdout.log.task")).hasContent("my-log");
        assertThat(storage.list(BUCKET, "job-1/output/0/"))
                .extracting(StoredObject::key)
                .contains("job-1/output/0/job.json.task", "job-1/output/0/stdout.log.task");
    }

    @Test
    void withoutCaptureLogsStayBesideTheOutput() {
        JobSpec spec = spec(List.of("sh", "-c", "echo out; echo err >&2; pwd"), false, null, null, 1, Map.of());

        TaskReport report = new JobRunner(null).run(spec, 0, taskDir, TaskListener.NONE);

        assertThat(report.exitCode()).isZero();
        assertThat(taskDir.resolve("stdout.log")).hasContent("out\n" + taskDir.toAbsolutePath());
        assertThat(taskDir.resolve("stderr.log")).hasContent("err");
        assertThat(taskDir.resolve("output")).isDirectoryContaining(p -> p.endsWith("job.json"));
        assertThat(taskDir.resolve("output/stdout.log")).doesNotExist();
        assertThat(report.stageOutSeconds()).isZero();
    }

    @Test
    void runsInTheWorkingDirectoryOfTheSpec() throws IOException {
        Path workDir = Files.createDirectory(temp.resolve("work"));
        JobSpec spec = spec(List.of("pwd"), true, null, null, 1, Map.of(), workDir.toString());

        new JobRunner(null).run(spec, 0, taskDir, TaskListener.NONE);

        assertThat(taskDir.resolve("output/stdout.log")).hasContent(workDir.toString());
    }

    @Test
    void recordsTheExitCodeOfAFailingCommand() {
        TaskReport report = new JobRunner(null)
                .run(spec(List.of("sh", "-c", "exit 3"), true, null, null, 1, Map.of()), 0, taskDir, TaskListener.NONE);

        assertThat(report.exitCode()).isEqualTo(3);
        assertThat(report.error()).isNull();
    }

    @Test
    void reportsOneHundredTwentyEightPlusTheSignalOfAKilledCommand() {
        TaskReport report = new JobRunner(null)
                .run(
                        spec(List.of("sh", "-c", "kill -TERM $$"), true, null, null, 1, Map.of()),
                        0,
                        taskDir,
                        TaskListener.NONE);

        assertThat(report.exitCode()).isEqualTo(128 + 15);
    }

    @Test
    void commandNotFoundExitsWith127() {
        RecordingListener listener = new RecordingListener();
        TaskReport report = new JobRunner(null)
                .run(spec(List.of("no-such-command-corc"), true, null, null, 1, Map.of()), 0, taskDir, listener);

        assertThat(report.exitCode()).isEqualTo(127);
        assertThat(report.error()).startsWith("cannot run 'no-such-command-corc': ");
        assertThat(listener.started).isEmpty();
        assertThat(taskDir.resolve("output/job.json")).exists();
    }

    @Test
    void timeLimitKillsTheWholeProcessTree() throws IOException {
        String script =
                "sleep 30 & echo $! > \"$CORC_OUTPUT/child.pid\"; echo $$ > \"$CORC_OUTPUT/shell.pid\"; sleep 30";
        JobSpec spec = spec(List.of("sh", "-c", script), true, null, Duration.ofSeconds(2), 1, Map.of());
        RecordingListener listener = new RecordingListener();

        TaskReport report = new JobRunner(null).run(spec, 0, taskDir, listener);

        assertThat(report.exitCode()).isEqualTo(124);
        assertThat(report.error()).isEqualTo("time limit of 2s exceeded");
        assertThat(report.computeSeconds()).isGreaterThanOrEqualTo(2.0).isLessThan(25.0);
        assertThat(listener.started.get(0).isAlive()).isFalse();
        for (String pidFile : List.of("child.pid", "shell.pid")) {
            long pid = Long.parseLong(
                    Files.readString(taskDir.resolve("output").resolve(pidFile)).strip());
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                    .as(pidFile)
                    .isEmpty();
        }
    }

    @Test
    void stageInFailureSkipsTheCommandButStillUploadsTheReport() throws IOException {
        storage.put(BUCKET, "job-1/input/data.txt", Files.writeString(temp.resolve("data.txt"), "good"));
        Files.writeString(storage.root().resolve(BUCKET).resolve("job-1/input/data.txt"), "evil");
        JobSpec spec = spec(List.of("touch", "ran"), true, staging(), null, 1, Map.of());

        TaskReport report = new JobRunner(storage).run(spec, 0, taskDir, TaskListener.NONE);

        assertThat(report.exitCode()).isEqualTo(125);
        assertThat(report.error()).startsWith("stage-in failed: checksum mismatch for key 'job-1/input/data.txt'");
        assertThat(report.computeSeconds()).isZero();
        assertThat(taskDir.resolve("ran")).doesNotExist();
        assertThat(storage.list(BUCKET, "job-1/output/0/"))
                .extracting(StoredObject::key)
                .containsExactly("job-1/output/0/.corc-manifest", "job-1/output/0/job.json");
    }

    @Test
    void rejectsATaskIndexOutOfRangeAndStagingWithoutStorage() {
        JobSpec plain = spec(List.of("true"), true, null, null, 2, Map.of());
        JobSpec staged = spec(List.of("true"), true, staging(), null, 1, Map.of());

        assertThatThrownBy(() -> new JobRunner(null).run(plain, 2, taskDir, TaskListener.NONE))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT))
                .hasMessage("task index 2 is out of range for 2 task(s)");
        assertThatThrownBy(() -> new JobRunner(null).run(staged, 0, taskDir, TaskListener.NONE))
                .hasMessage("job job-1 stages files but the runner has no storage");
    }

    static Staging staging() {
        return new Staging("local", BUCKET, "job-1", null, null);
    }

    static JobSpec spec(
            List<String> command,
            boolean capture,
            Staging staging,
            Duration timeLimit,
            int numJobs,
            Map<String, String> env) {
        return spec(command, capture, staging, timeLimit, numJobs, env, null);
    }

    static JobSpec spec(
            List<String> command,
            boolean capture,
            Staging staging,
            Duration timeLimit,
            int numJobs,
            Map<String, String> env,
            String workingDir) {
        return new JobSpec(
                "job-1", "test", command, null, env, workingDir, numJobs, 1, null, timeLimit, capture, staging, null);
    }

    private static final class RecordingListener implements TaskListener {
        final List<String> phases = new ArrayList<>();
        final List<ProcessHandle> started = new ArrayList<>();

        @Override
        public void phase(String phase) {
            phases.add(phase);
        }

        @Override
        public void started(ProcessHandle process) {
            started.add(process);
        }
    }
}
