package io.corc.provider.jclouds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.corc.api.CloudObject;
import io.corc.api.InMemoryRecordStore;
import io.corc.api.LiveContractTest;
import io.corc.api.LiveTests;
import io.corc.api.Orchestrator;
import io.corc.api.PluginConfig;
import io.corc.api.PluginContext;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jclouds.ContextBuilder;
import org.jclouds.compute.ComputeService;
import org.jclouds.compute.ComputeServiceContext;
import org.jclouds.compute.domain.NodeMetadata;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/**
 * The shared orchestrator contract against a real OpenStack through jclouds' {@code openstack-nova} (tag {@code live}:
 * {@code ./mvnw -Plive}; docs/testing.md). Credentials come from an openrc file's variables ({@code OS_AUTH_URL},
 * {@code OS_USERNAME}, {@code OS_PASSWORD}, {@code OS_PROJECT_NAME}, ...), which is what the provider reads; it does
 * not read {@code clouds.yaml}. {@code CORC_LIVE_OS_IMAGE_ID} picks the image (Nova uuid), {@code
 * CORC_LIVE_OS_SECURITY_GROUPS} the groups (comma-separated). Each start makes one server of the smallest flavor with
 * one core; every one is deleted in the test or, after a failed assertion, in the base class's clean-up.
 */
@Tag(LiveTests.TAG)
class JcloudsNovaLiveContractTest extends LiveContractTest {
    private Path corcHome;
    private Map<String, Object> config;

    @BeforeEach
    void credentials() throws IOException {
        for (String variable : List.of("OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD")) {
            assumeTrue(
                    LiveTests.env(variable) != null,
                    "OpenStack live test skipped: " + variable + " is not set (source your project's openrc file;"
                            + " clouds.yaml is not read by the jclouds provider)");
        }
        config = new LinkedHashMap<>();
        config.put("provider", "openstack-nova");
        config.put("group", "corc-live");
        String image = LiveTests.env("CORC_LIVE_OS_IMAGE_ID");
        if (image != null) {
            config.put("image_id", image);
        }
        String groups = LiveTests.env("CORC_LIVE_OS_SECURITY_GROUPS");
        if (groups != null) {
            config.put(
                    "security_groups",
                    Arrays.stream(groups.split(",")).map(String::strip).toList());
        }
        // a server Nova cannot place fails the test in 10 minutes rather than jclouds' default 20
        config.put("properties", Map.of("jclouds.compute.timeout.node-running", String.valueOf(10 * 60 * 1000)));
        corcHome = Files.createTempDirectory("corc-live-jclouds");
    }

    @Override
    protected Orchestrator create() {
        return new JcloudsOrchestratorFactory()
                .create(
                        ResourceKind.INSTANCE,
                        new PluginContext(
                                "jclouds",
                                new PluginConfig("corc.providers.jclouds", config),
                                corcHome,
                                new InMemoryRecordStore()));
    }

    @Override
    protected String cloud() {
        return "OpenStack";
    }

    /** Asks Nova itself, through a jclouds context of the same settings: the server is gone or terminated. */
    @Override
    protected void assertNothingLeft(Resource stopped) {
        assertThat(stopped.objects()).extracting(CloudObject::type).contains("node");
        JcloudsSettings settings =
                JcloudsSettings.from(new PluginConfig("corc.providers.jclouds", config), System.getenv());
        ContextBuilder builder = ContextBuilder.newBuilder(settings.provider())
                .credentials(settings.identity(), settings.credential())
                .overrides(settings.overrides());
        if (!settings.endpoint().isBlank()) {
            builder.endpoint(settings.endpoint());
        }
        try (ComputeServiceContext context = builder.buildView(ComputeServiceContext.class)) {
            ComputeService compute = context.getComputeService();
            for (CloudObject object : stopped.objects()) {
                if (object.createdByCorc()) {
                    NodeMetadata node = compute.getNodeMetadata(object.id());
                    assertThat(node == null || node.getStatus() == NodeMetadata.Status.TERMINATED)
                            .as("server %s is gone (now %s)", object.id(), node == null ? null : node.getStatus())
                            .isTrue();
                }
            }
            assertThat(compute.listNodesDetailsMatching(n -> n != null).stream()
                            .filter(n -> n.getStatus() != NodeMetadata.Status.TERMINATED)
                            .filter(n -> stopped.id().equals(n.getUserMetadata().get("corc-resource")))
                            .map(NodeMetadata::getId))
                    .as("servers with corc-resource=%s", stopped.id())
                    .isEmpty();
        }
    }
}
