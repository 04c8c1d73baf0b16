package io.corc.provider.oci;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.ProgressListener;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.api.ResourceState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 50 start/stop cycles (each a whole VCN stack and an instance) while 10 % of all OCI calls fail at random (seeded):
 * 429, 500, 503, or an answer that comes after the client's read timeout although the call took effect. Every cycle
 * must complete, and no object may ever be created twice.
 */
class OciChaosTest {
    private final OciFixture fixture = new OciFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void fiftyStartStopCyclesWithTenPercentFailingCallsCompleteWithoutDuplicates() {
        fixture.oci.chaos(20261204L, 0.10, 300);
        OciInstanceOrchestrator orchestrator = fixture.orchestrator(Map.of("max_attempts", 8), Duration.ofMillis(150));
        ResourceSpec spec = new ResourceSpec(
                "chaos",
                ResourceKind.INSTANCE,
                2,
                8,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                null,
                List.of(OciFixture.KEY),
                null);

        for (int cycle = 0; cycle < 50; cycle++) {
            Resource resource = orchestrator.start(spec, ProgressListener.NONE);
            assertThat(resource.state()).as("cycle %d", cycle).isEqualTo(ResourceState.RUNNING);
            orchestrator.stop(resource.id(), ProgressListener.NONE);
            assertThat(orchestrator.get(resource.id())).as("cycle %d", cycle).isEmpty();
        }

        assertThat(fixture.oci.chaosInjected).as("faults injected").containsOnlyKeys("429", "500", "503", "timeout");
        // 50 x (VCN, gateway, route table, subnet, instance, console capture for the host keys)
        assertThat(fixture.oci.created).hasSize(300);
        assertThat(fixture.oci.created)
                .allSatisfy((object, times) ->
                        assertThat(times).as(object + " created").isEqualTo(1));
        assertThat(fixture.oci.leftovers()).isEmpty();
        assertThat(fixture.records.list(OciInstanceOrchestrator.RECORD_TYPE)).isEmpty();
    }
}
