package io.corc.provider.jclouds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.InMemoryRecordStore;
import io.corc.api.Orchestrator;
import io.corc.api.OrchestratorContractTest;
import io.corc.api.Plan;
import io.corc.api.PluginConfig;
import io.corc.api.ProgressListener;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The jclouds provider over jclouds' in-memory {@code stub} compute provider passes the shared contract. */
class JcloudsStubContractTest extends OrchestratorContractTest {
    private JcloudsOrchestrator last;

    @Override
    protected Orchestrator orchestrator() {
        last = new JcloudsOrchestrator(stubSettings(), new InMemoryRecordStore());
        return last;
    }

    private static JcloudsSettings stubSettings() {
        return JcloudsSettings.from(
                new PluginConfig(
                        "corc.providers.jclouds", Map.of("provider", "stub", "identity", "me", "credential", "secret")),
                Map.of());
    }

    @Override
    protected void assertNothingLeft(Resource stopped) {
        assertThat(stopped.objects()).allSatisfy(object -> assertThat(last.nodeGone(object.id()))
                .as("node " + object.id() + " destroyed")
                .isTrue());
    }

    @Test
    void planPicksTheSmallestProfileMeetingTheMinimumsAndHasNoPrice() {
        Orchestrator orchestrator = orchestrator();
        Plan small = orchestrator.plan(ResourceSpec.of("x", ResourceKind.INSTANCE));
        Plan bigger = orchestrator.plan(new ResourceSpec(
                "x",
                ResourceKind.INSTANCE,
                small.cores() + 1,
                0,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                null,
                null,
                null));

        assertThat(small.hourlyPrice()).isNull();
        assertThat(bigger.cores()).isGreaterThan(small.cores());
        assertThatThrownBy(() -> orchestrator.plan(new ResourceSpec(
                        "x",
                        ResourceKind.INSTANCE,
                        10_000,
                        0,
                        null,
                        null,
                        null,
                        null,
                        null,
                        false,
                        null,
                        null,
                        null,
                        null)))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY));
    }

    @Test
    void startTagsTheNodeAndRecordsItsTtl() {
        Orchestrator orchestrator = orchestrator();
        ResourceSpec spec = new ResourceSpec(
                "ttl",
                ResourceKind.INSTANCE,
                0,
                0,
                null,
                null,
                null,
                null,
                null,
                false,
                java.time.Duration.ofHours(2),
                Map.of("team", "physics"),
                null,
                null);

        Resource resource = orchestrator.start(spec, ProgressListener.NONE);
        try {
            assertThat(resource.expiresAt()).isNotNull();
            assertThat(resource.endpoints()).singleElement().satisfies(e -> assertThat(e.protocol())
                    .isEqualTo("ssh"));
            assertThat(resource.details()).containsEntry("jclouds_provider", "stub");
        } finally {
            orchestrator.stop(resource.id(), ProgressListener.NONE);
        }
    }

    @Test
    void plansOffersEveryFittingProfileSmallestFirstEachPinnedByHardwareId() {
        Orchestrator orchestrator = orchestrator();
        java.util.List<io.corc.api.PlanChoice> choices =
                orchestrator.plans(ResourceSpec.of("x", ResourceKind.INSTANCE));

        assertThat(choices).hasSizeGreaterThan(1).hasSizeLessThanOrEqualTo(JcloudsOrchestrator.MAX_CHOICES);
        assertThat(choices.get(0).plan()).isEqualTo(orchestrator.plan(ResourceSpec.of("x", ResourceKind.INSTANCE)));
        for (int i = 1; i < choices.size(); i++) {
            Plan before = choices.get(i - 1).plan();
            Plan plan = choices.get(i).plan();
            assertThat(plan.cores() > before.cores()
                            || (plan.cores() == before.cores() && plan.memoryGb() >= before.memoryGb()))
                    .as("%s after %s", plan.shape(), before.shape())
                    .isTrue();
        }
        assertThat(choices).allSatisfy(c -> assertThat(c.startOptions())
                .containsEntry("hardware_id", c.plan().shape()));
        // a start with a choice's options creates that very profile
        io.corc.api.PlanChoice second = choices.get(1);
        Resource started = orchestrator.start(
                ResourceSpec.of("pinned", ResourceKind.INSTANCE).withOptions(second.startOptions()),
                ProgressListener.NONE);
        try {
            assertThat(started.details()).containsEntry("shape", second.plan().shape());
        } finally {
            orchestrator.stop(started.id(), ProgressListener.NONE);
        }
    }

    @Test
    void aStartCutOffBeforeTheNodeIdWasRecordedIsFailedAndStopFindsTheNodeByItsMetadata() {
        InMemoryRecordStore records = new InMemoryRecordStore();
        JcloudsOrchestrator orchestrator = new JcloudsOrchestrator(stubSettings(), records);
        Resource started = orchestrator.start(ResourceSpec.of("cut", ResourceKind.INSTANCE), ProgressListener.NONE);
        String nodeId = started.objects().get(0).id();
        // what a kill -9 between createNodesInGroup and the record's update leaves: the record without node id
        records.update(
                JcloudsOrchestrator.RECORD_TYPE,
                started.id(),
                r -> new io.corc.api.StateRecord(
                        r.type(),
                        r.id(),
                        "creating",
                        Map.of("name", "cut", "provider", "stub", "hardware", String.valueOf(r.string("hardware"))),
                        r.createdAt(),
                        r.updatedAt()));

        assertThat(orchestrator.get(started.id()).orElseThrow().state()).isEqualTo(io.corc.api.ResourceState.FAILED);
        orchestrator.stop(started.id(), ProgressListener.NONE);

        assertThat(orchestrator.nodeGone(nodeId)).isTrue();
        assertThat(orchestrator.get(started.id())).isEmpty();
    }

    @Test
    void withoutAProviderTheCheckSaysNotSetUp() {
        Orchestrator orchestrator = new JcloudsOrchestrator(
                JcloudsSettings.from(PluginConfig.empty("corc.providers.jclouds"), Map.of()),
                new InMemoryRecordStore());

        assertThat(orchestrator.check().configured()).isFalse();
        assertThat(orchestrator.list()).isEmpty();
    }
}
