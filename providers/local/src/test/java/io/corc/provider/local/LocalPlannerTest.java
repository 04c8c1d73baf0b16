package io.corc.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.GpuSpec;
import io.corc.api.LocalMachine;
import io.corc.api.Plan;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class LocalPlannerTest {
    private final FakeRecordStore records = new FakeRecordStore();
    private final LocalInstanceOrchestrator orchestrator =
            new LocalInstanceOrchestrator(Path.of("/tmp/corc-plan-test"), records, new LocalMachine(2, 7.63, "x86_64"));

    @Test
    void plansTheLocalMachineForFree() {
        Plan plan = orchestrator.plan(spec(2, 4, 0, false));

        assertThat(plan.provider()).isEqualTo("local");
        assertThat(plan.kind()).isEqualTo(ResourceKind.INSTANCE);
        assertThat(plan.shape()).isEqualTo("local");
        assertThat(plan.cores()).isEqualTo(2);
        assertThat(plan.memoryGb()).isEqualTo(7.63);
        assertThat(plan.gpus()).isZero();
        assertThat(plan.hourlyPrice()).isEqualTo(0.0);
        assertThat(plan.reason()).isEqualTo("the local machine: 2 cores, 7.6 GiB of memory");
        assertThat(records.list(LocalInstanceOrchestrator.RECORD_TYPE)).isEmpty();
    }

    @Test
    void moreCoresThanTheMachineHasIsACapacityError() {
        assertThatThrownBy(() -> orchestrator.plan(spec(4, 0, 0, false)))
                .isInstanceOfSatisfying(CorcException.class, capacity())
                .hasMessage("the local machine has 2 cores; 4 were asked");
    }

    @Test
    void moreMemoryThanTheMachineHasIsACapacityError() {
        assertThatThrownBy(() -> orchestrator.plan(spec(0, 16, 0, false)))
                .isInstanceOfSatisfying(CorcException.class, capacity())
                .hasMessage("the local machine has 7.6 GiB of memory; 16 GiB were asked");
    }

    @Test
    void anyGpuIsACapacityError() {
        assertThatThrownBy(() -> orchestrator.plan(spec(0, 0, 1, false)))
                .isInstanceOfSatisfying(CorcException.class, capacity())
                .hasMessage("the local machine offers no GPUs to corc; 1 was asked (GPU detection is not implemented"
                        + " for local sandboxes)");
    }

    @Test
    void spotAndClustersAreInvalidInput() {
        assertThatThrownBy(() -> orchestrator.plan(spec(0, 0, 0, true)))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT))
                .hasMessage("local does not support spot: not applicable to the local machine");
        assertThatThrownBy(() -> orchestrator.plan(ResourceSpec.of("c", ResourceKind.CLUSTER)))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT))
                .hasMessage("the local provider has no container cluster; use kubernetes");
    }

    @Test
    void detectsTheRealMachine() {
        LocalMachine machine = LocalMachine.detect();

        assertThat(machine.cores()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(machine.memoryGb()).isPositive();
        assertThat(LocalMachine.normalize("amd64")).isEqualTo("x86_64");
        assertThat(LocalMachine.normalize("aarch64")).isEqualTo("arm64");
    }

    private static Consumer<CorcException> capacity() {
        return e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY);
            assertThat(e.plugin()).contains("local");
            assertThat(e.hint())
                    .hasValue("ask for less, or use a cloud provider (corc check lists the installed ones)");
        };
    }

    private static ResourceSpec spec(int cores, double memoryGb, int gpus, boolean spot) {
        return new ResourceSpec(
                "s",
                ResourceKind.INSTANCE,
                cores,
                memoryGb,
                new GpuSpec(gpus, null),
                null,
                null,
                null,
                null,
                spot,
                null,
                null,
                null,
                null);
    }
}
