package io.corc.provider.local;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Feature;
import io.corc.api.LocalMachine;
import io.corc.api.Plan;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import java.util.List;
import java.util.Locale;

/** Checks a spec against the local machine: there is one "shape", the machine itself, and it costs nothing. */
final class LocalPlanner {
    static final String SHAPE = "local";
    private static final String HINT = "ask for less, or use a cloud provider (corc check lists the installed ones)";

    private final LocalMachine machine;

    LocalPlanner(LocalMachine machine) {
        this.machine = machine;
    }

    Plan plan(ResourceSpec spec, String sandboxDescription) {
        if (spec.kind() != ResourceKind.INSTANCE) {
            throw CorcException.invalidInput(LocalOrchestratorFactory.NO_CLUSTERS)
                    .withContext(LocalOrchestratorFactory.NAME, "plan");
        }
        if (spec.spot()) {
            LocalInstanceOrchestrator.FEATURES.require(Feature.SPOT, LocalOrchestratorFactory.NAME);
        }
        if (spec.gpus().count() > 0) {
            throw capacity("the local machine offers no GPUs to corc; "
                    + spec.gpus().count() + " "
                    + (spec.gpus().count() == 1 ? "was" : "were") + " asked (GPU detection is not implemented for"
                    + " local sandboxes)");
        }
        if (spec.minCores() > machine.cores()) {
            throw capacity("the local machine has " + plural(machine.cores(), "core") + "; " + spec.minCores() + " "
                    + (spec.minCores() == 1 ? "was" : "were") + " asked");
        }
        if (machine.memoryGb() > 0 && spec.minMemoryGb() > machine.memoryGb()) {
            throw capacity("the local machine has " + gib(machine.memoryGb()) + " GiB of memory; "
                    + gib(spec.minMemoryGb()) + " GiB " + (spec.minMemoryGb() == 1 ? "was" : "were") + " asked");
        }
        if (spec.architecture() != null
                && !LocalMachine.normalize(spec.architecture()).equals(machine.architecture())) {
            throw capacity(
                    "the local machine is " + machine.architecture() + "; " + spec.architecture() + " was asked");
        }
        return new Plan(
                LocalOrchestratorFactory.NAME,
                ResourceKind.INSTANCE,
                SHAPE,
                SHAPE,
                machine.cores(),
                machine.memoryGb(),
                0,
                0.0,
                List.of(sandboxDescription),
                "the local machine: " + plural(machine.cores(), "core") + ", " + gib(machine.memoryGb())
                        + " GiB of memory");
    }

    private static CorcException capacity(String message) {
        return new CorcException(ErrorCategory.CAPACITY, message, LocalOrchestratorFactory.NAME, "plan", HINT, null);
    }

    private static String plural(int count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }

    /** 16 GiB as "16", 7.63 GiB as "7.6". */
    static String gib(double value) {
        double rounded = Math.round(value * 10) / 10.0;
        return rounded == Math.rint(rounded)
                ? Long.toString((long) rounded)
                : String.format(Locale.ROOT, "%.1f", rounded);
    }
}
