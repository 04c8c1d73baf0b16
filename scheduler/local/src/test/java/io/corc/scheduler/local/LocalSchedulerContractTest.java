package io.corc.scheduler.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CheckResult;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Feature;
import io.corc.api.InMemoryRecordStore;
import io.corc.api.JobSpec;
import io.corc.api.PluginConfig;
import io.corc.api.PluginContext;
import io.corc.api.ProgressListener;
import io.corc.api.ResourceRequest;
import io.corc.api.Scheduler;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSchedulerContractTest {
    @TempDir
    Path home;

    @Test
    void aTaskAskingMoreThanThisMachineHasIsRefusedBeforeAnythingStarts() {
        Scheduler scheduler = TestJobs.scheduler(home);
        JobSpec base = TestJobs.spec("job-too-big", 1, 1, "true", Map.of());
        JobSpec tooBig = new JobSpec(
                base.id(),
                base.name(),
                base.command(),
                null,
                Map.of(),
                null,
                1,
                1,
                new ResourceRequest(100_000, 1, null),
                null,
                true,
                null,
                Map.of());

        assertThatThrownBy(() -> scheduler.submit(tooBig, ProgressListener.NONE))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY);
                    assertThat(e.getMessage())
                            .startsWith("each task asks for 100000 cores and 1.0 GiB; this machine has ");
                });
        assertThat(scheduler.list()).isEmpty();
    }

    @Test
    void unknownJobsAreEmptyNotFoundOrIgnored() {
        Scheduler scheduler = TestJobs.scheduler(home);

        assertThat(scheduler.get("job-missing")).isEmpty();
        assertThat(scheduler.get("../escape")).isEmpty();
        assertThat(scheduler.list()).isEmpty();
        assertThatThrownBy(() -> scheduler.cancel("job-missing"))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND));
        assertThatThrownBy(() -> scheduler.logs("job-missing", null, false, line -> {}))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND));
        scheduler.remove("job-missing");
    }

    @Test
    void configDefaultsToTheProcessorsAndTheHome() {
        LocalSchedulerConfig config = LocalSchedulerConfig.from(context(Map.of()));

        assertThat(config.maxParallel()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(config.workDir()).isEqualTo(home.resolve("local/jobs").toAbsolutePath());
    }

    @Test
    void configReadsEveryKeyAndCapsParallelism() {
        Path workDir = home.resolve("elsewhere");
        LocalSchedulerConfig config =
                LocalSchedulerConfig.from(context(Map.of("max_parallel", 3, "work_dir", workDir.toString())));

        assertThat(config.maxParallel()).isEqualTo(3);
        assertThat(config.workDir()).isEqualTo(workDir);
        assertThat(config.threadsFor(10, 8)).isEqualTo(3);
        assertThat(config.threadsFor(10, 2)).isEqualTo(2);
        assertThat(config.threadsFor(1, 2)).isEqualTo(1);
        assertThatThrownBy(() -> LocalSchedulerConfig.from(context(Map.of("max_parallel", -1))))
                .isInstanceOfSatisfying(CorcException.class, e -> assertThat(e.getMessage())
                        .contains("corc.schedulers.local.max_parallel"));
    }

    @Test
    void declaresItsFeaturesAndChecksItsWorkDir() {
        Scheduler scheduler = TestJobs.scheduler(home, Map.of("max_parallel", 3));

        assertThat(scheduler.name()).isEqualTo("local");
        assertThat(scheduler.features().supports(Feature.PARALLEL_TASKS)).isTrue();
        assertThat(scheduler.features().supports(Feature.LOG_FOLLOW)).isTrue();
        assertThat(scheduler.features().whyMissing(Feature.CONTAINER_IMAGES))
                .hasValueSatisfying(reason -> assertThat(reason).contains("kubernetes"));
        CheckResult check = scheduler.check();
        assertThat(check.ok()).isTrue();
        assertThat(check.reason()).contains(home.resolve("local/jobs").toString(), "up to 3 at once");
    }

    private PluginContext context(Map<String, Object> config) {
        return new PluginContext(
                "local", new PluginConfig("corc.schedulers.local", config), home, new InMemoryRecordStore());
    }
}
