package io.corc.provider.jclouds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import io.corc.api.CheckResult;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.InMemoryRecordStore;
import io.corc.api.Plan;
import io.corc.api.PluginConfig;
import io.corc.api.ProgressListener;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.api.ResourceState;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The jclouds provider on {@code openstack-nova} against {@link FakeNova}: Keystone v3 password authentication scoped
 * to a project (what jclouds sends), flavors as hardware, servers created with corc's metadata and its keys as
 * cloud-init user data, list/show/stop, and rollback when Nova cannot place the server or the quota is reached.
 */
class JcloudsNovaTest {
    private FakeNova nova;
    private InMemoryRecordStore records;

    @BeforeEach
    void start() {
        nova = new FakeNova();
        records = new InMemoryRecordStore();
    }

    @AfterEach
    void stop() {
        nova.shutdown();
    }

    /** Settings for {@code nova}: the openrc variables a user would source, plus fast polling. */
    static JcloudsSettings settings(FakeNova nova, Map<String, Object> extra) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("provider", "openstack-nova");
        values.put(
                "properties",
                Map.of(
                        "jclouds.compute.poll-status.initial-period", "10",
                        "jclouds.compute.poll-status.max-period", "50",
                        "jclouds.compute.timeout.node-running", "3000",
                        "jclouds.compute.timeout.node-terminated", "10000"));
        values.putAll(extra);
        return JcloudsSettings.from(
                new PluginConfig("corc.providers.jclouds", values),
                Map.of(
                        "OS_AUTH_URL", nova.keystone(),
                        "OS_USERNAME", "alice",
                        "OS_PASSWORD", "s3cret",
                        "OS_PROJECT_NAME", "physics",
                        "OS_USER_DOMAIN_NAME", "Default",
                        "OS_PROJECT_DOMAIN_NAME", "Default",
                        "OS_REGION_NAME", "RegionOne"));
    }

    private JcloudsOrchestrator orchestrator() {
        return new JcloudsOrchestrator(settings(nova, Map.of()), records);
    }

    private static ResourceSpec spec(String name, int cores, double memoryGb, List<String> keys) {
        return new ResourceSpec(
                name,
                ResourceKind.INSTANCE,
                cores,
                memoryGb,
                null,
                null,
                io.corc.api.ImageSpec.ofId(FakeNova.UBUNTU),
                null,
                null,
                false,
                null,
                Map.of("team", "physics"),
                keys,
                null);
    }

    @Test
    void checkAuthenticatesWithKeystoneV3ScopedToTheProjectAndCountsTheFlavors() {
        CheckResult check = orchestrator().check();

        assertThat(check.ok()).as(check.reason()).isTrue();
        assertThat(check.reason()).contains("openstack-nova", "4 hardware profiles");
        JsonObject auth = nova.authBodies.get(0).getAsJsonObject("auth");
        assertThat(auth.getAsJsonObject("identity")
                        .getAsJsonArray("methods")
                        .get(0)
                        .getAsString())
                .isEqualTo("password");
        JsonObject user =
                auth.getAsJsonObject("identity").getAsJsonObject("password").getAsJsonObject("user");
        assertThat(user.get("name").getAsString()).isEqualTo("alice");
        assertThat(user.get("password").getAsString()).isEqualTo("s3cret");
        assertThat(user.getAsJsonObject("domain").get("name").getAsString()).isEqualTo("Default");
        JsonObject project = auth.getAsJsonObject("scope").getAsJsonObject("project");
        assertThat(project.get("name").getAsString()).isEqualTo("physics");
        assertThat(project.getAsJsonObject("domain").get("name").getAsString()).isEqualTo("Default");
        assertThat(nova.requests()).contains("GET /compute/v2.1/flavors/detail");
    }

    @Test
    void keystoneVersion2SendsTenantAndPasswordCredentialsToTheV2TokensApi() {
        JcloudsSettings v2 = JcloudsSettings.from(
                new PluginConfig(
                        "corc.providers.jclouds",
                        Map.of(
                                "provider", "openstack-nova",
                                "keystone_version", "2",
                                "endpoint", nova.keystone().replace("/v3", "/v2.0"),
                                "identity", "physics:alice",
                                "credential", "s3cret")),
                Map.of());

        CheckResult check = new JcloudsOrchestrator(v2, records).check();

        assertThat(check.ok()).as(check.reason()).isTrue();
        assertThat(nova.requests())
                .contains("POST /identity/v2.0/tokens")
                .doesNotContain("POST /identity/v3/auth/tokens");
        JsonObject auth = nova.authBodies.get(0).getAsJsonObject("auth");
        assertThat(auth.get("tenantName").getAsString()).isEqualTo("physics");
        assertThat(auth.getAsJsonObject("passwordCredentials").get("username").getAsString())
                .isEqualTo("alice");
    }

    @Test
    void aRejectedPasswordIsAnAuthenticationProblem() {
        nova.rejectPassword = true;

        assertThat(orchestrator().check().ok()).isFalse();
        assertThatThrownBy(() -> orchestrator().plan(spec("x", 1, 1, List.of())))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.AUTHENTICATION));
    }

    @Test
    void planPicksTheSmallestFlavorMeetingTheMinimumsAndPlansOfferTheNextOnes() {
        JcloudsOrchestrator orchestrator = orchestrator();

        Plan plan = orchestrator.plan(spec("x", 2, 3, List.of()));

        assertThat(plan.shape()).isEqualTo("RegionOne/3"); // m1.medium: 2 vCPUs, 4096 MB
        assertThat(plan.cores()).isEqualTo(2);
        assertThat(plan.memoryGb()).isEqualTo(4.0);
        assertThat(plan.region()).isEqualTo("RegionOne");
        assertThat(plan.hourlyPrice()).isNull();
        assertThat(orchestrator.plans(spec("x", 1, 1, List.of())))
                .extracting(c -> c.plan().shape())
                .containsExactly("RegionOne/2", "RegionOne/3", "RegionOne/4");
        assertThat(nova.requests()).noneMatch(r -> r.startsWith("POST /compute"));
    }

    @Test
    void startCreatesAServerWithCorcsMetadataAndKeysThenListShowAndStopIt() {
        JcloudsOrchestrator orchestrator = orchestrator();
        String key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHcorcTestKeyOnly corc@laptop";

        Resource started = orchestrator.start(spec("web", 1, 2, List.of(key)), ProgressListener.NONE);

        assertThat(started.state()).isEqualTo(ResourceState.RUNNING);
        assertThat(started.details()).containsEntry("shape", "RegionOne/2").containsEntry("location", "RegionOne");
        assertThat(started.endpoints()).singleElement().satisfies(e -> {
            assertThat(e.protocol()).isEqualTo("ssh");
            assertThat(e.host()).isEqualTo("127.0.0.1");
            assertThat(e.port()).isEqualTo(22);
        });
        FakeNova.Server server = nova.live().get(0);
        assertThat(server.name).startsWith("corc-");
        assertThat(server.flavorId).isEqualTo("2");
        assertThat(server.imageId).isEqualTo(FakeNova.UBUNTU);
        assertThat(server.metadata)
                .containsEntry("corc-owner", "corc")
                .containsEntry("corc-resource", started.id())
                .containsEntry("team", "physics");
        String userData = new String(Base64.getDecoder().decode(server.userData), StandardCharsets.UTF_8);
        assertThat(userData).startsWith("#cloud-config\n").contains("ssh_authorized_keys:", key);
        JsonObject created = nova.createBodies.get(0).getAsJsonObject("server");
        assertThat(created.has("key_name")).as("no Nova key pair is needed").isFalse();
        assertThat(nova.requests()).noneMatch(r -> r.contains("os-security-groups") || r.contains("os-keypairs"));

        assertThat(orchestrator.list()).extracting(Resource::id).containsExactly(started.id());
        assertThat(orchestrator.get(started.id()).orElseThrow().state()).isEqualTo(ResourceState.RUNNING);

        orchestrator.stop(started.id(), ProgressListener.NONE);

        assertThat(nova.live()).isEmpty();
        assertThat(nova.requests()).contains("DELETE /compute/v2.1/servers/" + server.id);
        assertThat(orchestrator.get(started.id())).isEmpty();
        orchestrator.stop(started.id(), ProgressListener.NONE); // idempotent
    }

    @Test
    void aServerNovaCannotPlaceIsDeletedAndTheStartFailsAsCapacity() {
        nova.noValidHost = true;
        JcloudsOrchestrator orchestrator = orchestrator();

        assertThatThrownBy(() -> orchestrator.start(spec("full", 1, 1, List.of()), ProgressListener.NONE))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY));

        assertThat(nova.servers).hasSize(1);
        assertThat(nova.live()).as("rolled back").isEmpty();
        assertThat(records.list(JcloudsOrchestrator.RECORD_TYPE)).isEmpty();
    }

    @Test
    void aQuotaAnswerIsCapacitySoPlacementMovesOnAndNothingIsLeft() {
        nova.quotaExceeded = true;
        JcloudsOrchestrator orchestrator = orchestrator();

        assertThatThrownBy(() -> orchestrator.start(spec("over", 1, 1, List.of()), ProgressListener.NONE))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY);
                    assertThat(e.getMessage()).contains("Quota exceeded");
                });

        assertThat(nova.live()).isEmpty();
        assertThat(records.list(JcloudsOrchestrator.RECORD_TYPE)).isEmpty();
    }
}
