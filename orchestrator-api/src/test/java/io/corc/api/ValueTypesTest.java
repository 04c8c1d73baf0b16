package io.corc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValueTypesTest {

    @Test
    void jobStateFollowsTasks() {
        TaskStatus done = task(0, JobState.SUCCEEDED);
        assertThat(Job.stateOf(List.of(done, task(1, JobState.SUCCEEDED)))).isEqualTo(JobState.SUCCEEDED);
        assertThat(Job.stateOf(List.of(done, task(1, JobState.FAILED)))).isEqualTo(JobState.FAILED);
        assertThat(Job.stateOf(List.of(done, task(1, JobState.PENDING)))).isEqualTo(JobState.RUNNING);
        assertThat(Job.stateOf(List.of(task(0, JobState.PENDING)))).isEqualTo(JobState.PENDING);
        assertThat(Job.stateOf(List.of(task(0, JobState.CANCELLED), task(1, JobState.FAILED))))
                .isEqualTo(JobState.CANCELLED);
    }

    @Test
    void stagingLayoutIsJobIdThenPrefixThenTask() {
        Staging staging = new Staging("local", "corc", "job-1", "/in/", null);
        assertThat(staging.inputKeyPrefix()).isEqualTo("job-1/in/");
        assertThat(staging.outputKeyPrefix(3)).isEqualTo("job-1/output/3/");
    }

    @Test
    void missingFeatureExplainsWhy() {
        Features features = Features.of(Feature.INSTANCES).without(Feature.GPUS, "no GPUs on this host");
        assertThat(features.supports(Feature.INSTANCES)).isTrue();
        assertThat(features.whyMissing(Feature.GPUS)).contains("no GPUs on this host");
        assertThatThrownBy(() -> features.require(Feature.GPUS, "local"))
                .isInstanceOf(CorcException.class)
                .hasMessage("local does not support gpus: no GPUs on this host");
    }

    @Test
    void pluginConfigNamesThePathOfAWrongType() {
        PluginConfig config = new PluginConfig("corc.job.meta", Map.of("num_jobs", "many"));
        assertThatThrownBy(() -> config.integer("num_jobs", 1))
                .isInstanceOf(CorcException.class)
                .hasMessage("corc.job.meta.num_jobs must be an integer, got 'many'");
        assertThat(config.section("absent").path()).isEqualTo("corc.job.meta.absent");
    }

    @Test
    void jobSpecRejectsAnEmptyCommandWithAHint() {
        assertThatThrownBy(() -> new JobSpec("j", "j", List.of(), null, null, null, 1, 1, null, null, true, null, null))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.hint()).isPresent();
                });
    }

    @Test
    void transferReportKeepsMissingAndIncompleteApartAndEachThroughTheOther() {
        TransferReport plain = new TransferReport(1, 2, 3, 0.5);
        assertThat(plain.missing()).isEmpty();
        assertThat(plain.whole()).isTrue();
        assertThat(new TransferReport(1, 2, 3, 0.5, null, null).missing()).isEmpty();

        List<String> keys = new java.util.ArrayList<>(List.of("t/a.txt"));
        TransferReport report = plain.withMissing(keys).withIncomplete(List.of("t/1/"));
        keys.add("t/b.txt"); // copied, not shared
        assertThat(report.missing()).containsExactly("t/a.txt");
        assertThat(report.incomplete()).containsExactly("t/1/");
        assertThat(report.withMissing(null).incomplete()).containsExactly("t/1/");
        assertThat(report.withMissing(null).missing()).isEmpty();
        assertThat(report.whole()).isFalse();
        assertThat(plain.withMissing(List.of("k")).whole()).isFalse();
        assertThat(report.files()).isEqualTo(1);
    }

    private static TaskStatus task(int index, JobState state) {
        return new TaskStatus(index, state, null, null, null, null, null, null, null, null);
    }
}
