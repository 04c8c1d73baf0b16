package io.corc.scheduler.local;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.JobSpec;
import io.corc.api.LocalMachine;
import io.corc.api.ResourceRequest;
import java.util.Locale;

/** Refuses, before anything starts, a job whose tasks ask for more than this machine has. */
final class MachineFit {
    private MachineFit() {}

    static void require(JobSpec spec, LocalMachine machine, String scheduler) {
        ResourceRequest asked = spec.resources();
        boolean tooManyCores = asked.cores() > machine.cores();
        boolean tooMuchMemory = machine.memoryGb() > 0 && asked.memoryGb() > machine.memoryGb();
        if (tooManyCores || tooMuchMemory) {
            throw new CorcException(
                    ErrorCategory.CAPACITY,
                    String.format(
                            Locale.ROOT,
                            "each task asks for %s cores and %.1f GiB; this machine has %d cores and %.1f GiB",
                            formatCores(asked.cores()),
                            asked.memoryGb(),
                            machine.cores(),
                            machine.memoryGb()),
                    scheduler,
                    "job run",
                    "ask for less with --cores/--memory, or use a cluster scheduler",
                    null);
        }
    }

    private static String formatCores(double cores) {
        return cores == Math.rint(cores) ? Long.toString((long) cores) : Double.toString(cores);
    }
}
