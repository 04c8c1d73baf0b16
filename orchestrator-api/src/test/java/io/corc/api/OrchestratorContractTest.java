package io.corc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every instance orchestrator promises through the SPI, whatever the cloud: start gives a running resource that
 * get and list find; stop removes it and is idempotent; unknown ids are empty, not errors; plan has no side effects;
 * every missing feature has a reason. A provider's test extends this class and says how to build its orchestrator
 * (against its local fake of the cloud) and how to check that nothing is left behind.
 */
public abstract class OrchestratorContractTest {

    /** A fresh orchestrator with empty state, talking to a fresh fake of its cloud. */
    protected abstract Orchestrator orchestrator();

    /** The spec the contract starts; providers may add what they need (an SSH key, say). */
    protected ResourceSpec spec() {
        return ResourceSpec.of("contract", ResourceKind.INSTANCE);
    }

    /** An id of this provider's form that names no resource. */
    protected String unknownId() {
        return "contract-unknown-0";
    }

    /** Asserts that nothing the resource owned exists any more at the provider. */
    protected abstract void assertNothingLeft(Resource stopped);

    @Test
    void providerKindAndFeaturesAreDeclared() {
        Orchestrator orchestrator = orchestrator();

        assertThat(orchestrator.provider()).matches("[a-z0-9-]+");
        assertThat(orchestrator.kind()).isEqualTo(ResourceKind.INSTANCE);
        assertThat(orchestrator.features().supports(Feature.INSTANCES)).isTrue();
        orchestrator.features().missing().forEach((feature, reason) -> assertThat(reason)
                .as("reason for missing " + feature)
                .isNotBlank());
    }

    @Test
    void startGivesARunningResourceThatGetAndListFind() {
        Orchestrator orchestrator = orchestrator();
        List<String> steps = Collections.synchronizedList(new ArrayList<>());

        Resource resource = orchestrator.start(spec(), (step, done, total) -> steps.add(step));
        try {
            assertThat(resource.provider()).isEqualTo(orchestrator.provider());
            assertThat(resource.kind()).isEqualTo(ResourceKind.INSTANCE);
            assertThat(resource.state()).isEqualTo(ResourceState.RUNNING);
            assertThat(resource.name()).isEqualTo(spec().name());
            assertThat(resource.endpoints()).isNotEmpty();
            assertThat(resource.objects()).isNotEmpty();
            assertThat(steps).isNotEmpty();
            assertThat(orchestrator.get(resource.id())).hasValueSatisfying(found -> {
                assertThat(found.id()).isEqualTo(resource.id());
                assertThat(found.state()).isEqualTo(ResourceState.RUNNING);
                assertThat(found.endpoints()).isEqualTo(resource.endpoints());
            });
            assertThat(orchestrator.list()).extracting(Resource::id).containsExactly(resource.id());
        } finally {
            orchestrator.stop(resource.id(), ProgressListener.NONE);
        }
    }

    @Test
    void stopRemovesEverythingAndIsIdempotent() {
        Orchestrator orchestrator = orchestrator();
        Resource resource = orchestrator.start(spec(), ProgressListener.NONE);

        orchestrator.stop(resource.id(), ProgressListener.NONE);

        assertThat(orchestrator.get(resource.id())).isEmpty();
        assertThat(orchestrator.list()).extracting(Resource::id).doesNotContain(resource.id());
        assertNothingLeft(resource);
        orchestrator.stop(resource.id(), ProgressListener.NONE);
        orchestrator.stop(resource.id(), null);
        assertThat(orchestrator.get(resource.id())).isEmpty();
    }

    @Test
    void unknownIdsAreEmptyAndStoppingThemReturns() {
        Orchestrator orchestrator = orchestrator();

        assertThat(orchestrator.get(unknownId())).isEmpty();
        assertThat(orchestrator.get("../../etc/passwd")).isEmpty();
        orchestrator.stop(unknownId(), ProgressListener.NONE);
        assertThat(orchestrator.list()).isEmpty();
    }

    @Test
    void planCreatesNothing() {
        Orchestrator orchestrator = orchestrator();

        Plan plan = orchestrator.plan(spec());

        assertThat(plan.provider()).isEqualTo(orchestrator.provider());
        assertThat(plan.kind()).isEqualTo(ResourceKind.INSTANCE);
        assertThat(plan.shape()).isNotBlank();
        assertThat(plan.toCreate()).isNotEmpty();
        assertThat(orchestrator.list()).isEmpty();
    }

    @Test
    void twoStartsGiveTwoResources() {
        Orchestrator orchestrator = orchestrator();

        Resource first = orchestrator.start(spec(), ProgressListener.NONE);
        Resource second = orchestrator.start(spec(), ProgressListener.NONE);
        try {
            assertThat(first.id()).isNotEqualTo(second.id());
            assertThat(orchestrator.list()).extracting(Resource::id).containsExactlyInAnyOrder(first.id(), second.id());
        } finally {
            orchestrator.stop(first.id(), ProgressListener.NONE);
            orchestrator.stop(second.id(), ProgressListener.NONE);
        }
        assertThat(orchestrator.list()).isEmpty();
    }
}
