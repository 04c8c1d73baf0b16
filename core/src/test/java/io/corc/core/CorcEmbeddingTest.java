package io.corc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Job;
import io.corc.api.JobState;
import io.corc.api.ProgressListener;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.api.ResourceState;
import io.corc.api.StateRecord;
import io.corc.api.TaskStatus;
import io.corc.api.TransferReport;
import io.corc.core.gc.GcItem;
import io.corc.core.job.JobRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uses the facade the way a service embedding corc does: no CLI, no configuration file, the embedded default. */
class CorcEmbeddingTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path home;

    @TempDir
    Path work;

    private Corc corc() {
        return Corc.builder().home(home).environment(Map.of()).build();
    }

    @Test
    void runsAJobWithInputsAndBringsEveryTaskOutputHome() throws Exception {
        Path input = Files.writeString(work.resolve("greeting.txt"), "hello");
        Corc corc = corc();
        JobRequest request = JobRequest.of(List.of(
                        "sh",
                        "-c",
                        "cat \"$CORC_INPUT/greeting.txt\" > \"$CORC_OUTPUT/out.txt\"; echo $CORC_TASK_INDEX"))
                .withInputs(List.of(input))
                .withTasks(3, 2);

        Job submitted = corc.runJob(request, ProgressListener.NONE);
        Job done = corc.awaitJob(submitted.id(), WAIT, ProgressListener.NONE);

        assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.tasks()).hasSize(3).allSatisfy(task -> {
            assertThat(task.exitCode()).isZero();
            assertThat(task.computeSeconds()).isNotNull().isGreaterThanOrEqualTo(0.0);
        });
        TransferReport report = corc.downloadResults(done.id(), work.resolve("results"), ProgressListener.NONE);
        assertThat(report.files()).isGreaterThanOrEqualTo(3);
        for (int task = 0; task < 3; task++) {
            Path taskDir = work.resolve("results").resolve(done.id()).resolve(String.valueOf(task));
            assertThat(taskDir.resolve("out.txt")).hasContent("hello");
            assertThat(taskDir.resolve("job.json")).exists();
        }
        assertThat(corc.listJobs(null)).extracting(Job::id).containsExactly(done.id());
        assertThat(corc.listResults(done.id())).isNotEmpty();
    }

    @Test
    void aSecondFacadeOnTheSameHomeSeesTheJobAndCanCancelIt() {
        Job job = corc().runJob(JobRequest.of(List.of("sleep", "60")), ProgressListener.NONE);

        Corc other = corc();
        Job cancelled = other.cancelJob(job.id());

        assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
        assertThat(other.showJob(job.id()).tasks())
                .extracting(TaskStatus::state)
                .containsOnly(JobState.CANCELLED);
        other.deleteJob(job.id(), true);
        assertThatThrownBy(() -> other.showJob(job.id()))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND));
    }

    @Test
    void aFailedSubmissionLeavesNoRecordBehind() {
        Corc corc = corc();
        JobRequest request = JobRequest.of(List.of("true")).withInputs(List.of(work.resolve("missing")));

        assertThatThrownBy(() -> corc.runJob(request, ProgressListener.NONE))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT));
        assertThat(corc.listJobs(null)).isEmpty();
    }

    @Test
    void aJobWhoseSchedulerIsNotInstalledIsListedAsUnknownWithTheReason() {
        Corc corc = corc();
        corc.records()
                .put(StateRecord.create(
                        "job", "job-from-elsewhere", "submitted", Map.of("scheduler", "slurm", "name", "far away")));

        List<Job> jobs = corc.listJobs(null);

        assertThat(jobs).singleElement().satisfies(job -> {
            assertThat(job.state()).isEqualTo(JobState.UNKNOWN);
            assertThat(job.details().get("note")).startsWith("unknown scheduler 'slurm'");
        });
    }

    @Test
    void garbageCollectionFindsWhatCrashesLeftAndRemovesItOnlyWhenAsked() throws Exception {
        Corc corc = corc();
        Instant longAgo = Instant.now().minus(Duration.ofHours(1));
        Map<String, Object> data = Map.of(
                "scheduler",
                "local",
                "storage",
                "local",
                "bucket",
                "corc",
                "input_prefix",
                "input",
                "output_prefix",
                "output");
        corc.records().put(new StateRecord("job", "job-crashed", "staging", data, longAgo, longAgo));
        corc.records().put(new StateRecord("job", "job-in-flight", "staging", data, Instant.now(), Instant.now()));
        Path staged = home.resolve("storage/corc/job-crashed/input/data.txt");
        Files.createDirectories(staged.getParent());
        Files.writeString(staged, "half staged");
        Job finished = corc.awaitJob(
                corc.runJob(JobRequest.of(List.of("true")), ProgressListener.NONE)
                        .id(),
                WAIT,
                ProgressListener.NONE);
        deleteTree(home.resolve("local/jobs").resolve(finished.id()));
        Resource sandbox = corc.start("local", ResourceSpec.of("box", ResourceKind.INSTANCE), ProgressListener.NONE);
        deleteTree(Path.of(sandbox.endpoints().get(0).host()));

        List<GcItem> found = corc.collectGarbage(false);

        assertThat(found)
                .extracting(GcItem::kind, GcItem::id)
                .containsExactlyInAnyOrder(
                        tuple("job", "job-crashed"),
                        tuple("job", finished.id()),
                        tuple("local instance", sandbox.id()));
        assertThat(staged).exists();

        assertThat(corc.collectGarbage(true)).isEmpty();

        assertThat(corc.collectGarbage(false)).isEmpty();
        assertThat(staged).doesNotExist();
        assertThat(corc.records().get("job", "job-in-flight")).isPresent();
        assertThat(corc.records().get("job", finished.id())).isEmpty();
        assertThat(home.resolve("storage/corc").resolve(finished.id()).resolve("output/0/job.json"))
                .exists();
        assertThat(corc.get("local", ResourceKind.INSTANCE, sandbox.id())).isEmpty();
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @Test
    void orchestratesALocalSandbox() {
        Corc corc = corc();
        assertThat(corc.defaultProvider()).isEqualTo("local");

        Resource sandbox =
                corc.start("local", ResourceSpec.of("sandbox", ResourceKind.INSTANCE), ProgressListener.NONE);

        assertThat(sandbox.state()).isEqualTo(ResourceState.RUNNING);
        assertThat(corc.list("local", ResourceKind.INSTANCE))
                .extracting(Resource::id)
                .contains(sandbox.id());
        corc.stop("local", ResourceKind.INSTANCE, sandbox.id(), ProgressListener.NONE);
        corc.stop("local", ResourceKind.INSTANCE, sandbox.id(), ProgressListener.NONE);
        assertThat(corc.get("local", ResourceKind.INSTANCE, sandbox.id())).isEmpty();
    }

    @Test
    void checkReportsEveryInstalledPlugin() {
        assertThat(corc().check())
                .extracting(result -> result.plugin() + "=" + result.ok())
                .containsExactly("provider local (instance)=true", "scheduler local=true", "storage local=true");
    }
}
