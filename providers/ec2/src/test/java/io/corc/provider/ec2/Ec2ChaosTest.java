package io.corc.provider.ec2;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.api.ResourceState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 50 start/stop cycles while 10 % of all EC2 calls fail at random (seeded): RequestLimitExceeded, 500, 503, or an
 * answer that comes after the client's read timeout although the call took effect. Every cycle must complete, and
 * no instance, security group or key pair may ever be created twice.
 */
class Ec2ChaosTest {
    private final Ec2Fixture fixture = new Ec2Fixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void fiftyStartStopCyclesWithTenPercentFailingCallsCompleteWithoutDuplicates() {
        fixture.ec2.chaos(20261204L, 0.10, 400);
        Ec2InstanceOrchestrator orchestrator =
                fixture.orchestrator(Map.of("max_attempts", 8), new Random(20261204L), Duration.ofMillis(200));
        ResourceSpec spec = new ResourceSpec(
                "chaos",
                ResourceKind.INSTANCE,
                2,
                4,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                null,
                List.of(Ec2Fixture.KEY),
                null);

        for (int cycle = 0; cycle < 50; cycle++) {
            Resource resource = orchestrator.start(spec, ProgressListener());
            assertThat(resource.state()).as("cycle %d", cycle).isEqualTo(ResourceState.RUNNING);
            orchestrator.stop(resource.id(), ProgressListener());
            assertThat(orchestrator.get(resource.id())).as("cycle %d", cycle).isEmpty();
        }

        assertThat(fixture.ec2.chaosInjected)
                .as("faults injected")
                .containsOnlyKeys("RequestLimitExceeded", "500", "503", "timeout");
        assertThat(fixture.ec2.created).hasSize(150); // 50 x (instance, security group, key pair)
        assertThat(fixture.ec2.created)
                .allSatisfy((object, times) ->
                        assertThat(times).as(object + " created").isEqualTo(1));
        assertThat(fixture.ec2.leftovers()).isEmpty();
        assertThat(fixture.records.list(Ec2InstanceOrchestrator.RECORD_TYPE)).isEmpty();
    }

    private static io.corc.api.ProgressListener ProgressListener() {
        return io.corc.api.ProgressListener.NONE;
    }
}
