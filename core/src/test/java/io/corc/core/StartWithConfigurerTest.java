package io.corc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.ConfigurerSpec;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.PluginConfig;
import io.corc.api.ProgressListener;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.api.ResourceState;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configurer step of start, and applying a configurer to a resource found by its id alone. */
class StartWithConfigurerTest {
    @TempDir
    Path home;

    private Corc corc() {
        return Corc.builder().home(home).environment(Map.of()).build();
    }

    @Test
    void startAppliesTheConfigurerOnceTheResourceRuns() {
        List<String> steps = new CopyOnWriteArrayList<>();
        ConfigurerSpec marker = new ConfigurerSpec("marker", new PluginConfig("request", Map.of("content", "set up")));

        Resource resource = corc().start("local", spec(), marker, (step, done, total) -> steps.add(step));

        assertThat(resource.state()).isEqualTo(ResourceState.RUNNING);
        assertThat(Path.of(resource.endpoints().get(0).host()).resolve("marker.txt"))
                .hasContent("set up");
        assertThat(steps).contains("writing marker");
    }

    @Test
    void failedConfigurationLeavesTheResourceRunningAndSaysHowToRetry() {
        Corc corc = corc();
        ConfigurerSpec failing = new ConfigurerSpec("marker", new PluginConfig("request", Map.of("fail", true)));

        assertThatThrownBy(() -> corc.start("local", spec(), failing, ProgressListener.NONE))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.getMessage()).isEqualTo("task 'marker' failed");
                    assertThat(e.hint())
                            .get()
                            .asString()
                            .contains(
                                    "is running",
                                    "corc configurer apply local-",
                                    "corc local orchestration instance stop local-");
                });
        List<Resource> running = corc.list("local", ResourceKind.INSTANCE);
        assertThat(running).hasSize(1);
        assertThat(corc.findResource(running.get(0).id())).isEqualTo(running.get(0));
    }

    @Test
    void configureFindsTheResourceByIdAndUsesTheConfiguredSection() {
        Corc corc = corc();
        Resource resource = corc.start("local", spec(), ProgressListener.NONE);

        corc.configure(
                corc.findResource(resource.id()),
                new ConfigurerSpec("marker", PluginConfig.empty("request")),
                ProgressListener.NONE);

        assertThat(Path.of(resource.endpoints().get(0).host()).resolve("marker.txt"))
                .hasContent("default");
    }

    @Test
    void unknownResourceAndUnknownConfigurerAreClearErrors() {
        Corc corc = corc();
        Resource resource = corc.start("local", spec(), ProgressListener.NONE);

        assertThatThrownBy(() -> corc.findResource("local-nothere")).isInstanceOfSatisfying(CorcException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND);
            assertThat(e.getMessage()).contains("'local-nothere' not found");
        });
        assertThatThrownBy(() -> corc.configure(
                        resource, new ConfigurerSpec("chef", PluginConfig.empty("r")), ProgressListener.NONE))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.getMessage() + e.hint().orElse("")).contains("chef", "marker");
                });
    }

    private static ResourceSpec spec() {
        return ResourceSpec.of("box", ResourceKind.INSTANCE);
    }
}
