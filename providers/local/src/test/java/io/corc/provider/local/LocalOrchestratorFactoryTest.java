package io.corc.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Orchestrator;
import io.corc.api.OrchestratorFactory;
import io.corc.api.PluginConfig;
import io.corc.api.PluginContext;
import io.corc.api.ResourceKind;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalOrchestratorFactoryTest {
    @TempDir
    Path temp;

    @Test
    void isFoundByServiceLoaderAndOrchestratesInstancesOnly() {
        OrchestratorFactory factory = ServiceLoader.load(OrchestratorFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equals("local"))
                .findFirst()
                .orElseThrow();

        assertThat(factory.kinds()).containsExactly(ResourceKind.INSTANCE);
        assertThatThrownBy(() -> factory.create(ResourceKind.CLUSTER, context(Map.of())))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT))
                .hasMessage("the local provider has no container cluster; use kubernetes");
    }

    @Test
    void rootDefaultsToTheCorcHomeAndCanBeConfigured() {
        LocalOrchestratorFactory factory = new LocalOrchestratorFactory();

        Orchestrator byDefault = factory.create(ResourceKind.INSTANCE, context(Map.of("root", "")));
        Orchestrator configured = factory.create(
                ResourceKind.INSTANCE,
                context(Map.of("root", temp.resolve("elsewhere").toString())));

        assertThat(byDefault.check().reason()).isEqualTo("local sandboxes under " + temp.resolve("home/local"));
        assertThat(configured.check().reason()).isEqualTo("local sandboxes under " + temp.resolve("elsewhere"));
    }

    private PluginContext context(Map<String, Object> config) {
        return new PluginContext(
                "local", new PluginConfig("corc.providers.local", config), temp.resolve("home"), new FakeRecordStore());
    }
}
