package io.corc.scheduler.slurm;

import io.corc.api.PluginContext;
import io.corc.api.Scheduler;
import io.corc.api.SchedulerFactory;

/** The {@code slurm} scheduler: runs a job as a Slurm job array, submitted here or on a login node over SSH. */
public final class SlurmSchedulerFactory implements SchedulerFactory {

    @Override
    public String name() {
        return "slurm";
    }

    @Override
    public String description() {
        return "runs jobs as Slurm job arrays (sbatch here or on a login node over SSH), staging like every scheduler";
    }

    @Override
    public Scheduler create(PluginContext context) {
        SlurmSettings settings = SlurmSettings.from(context.config());
        return new SlurmScheduler(
                context.name(),
                settings,
                context.home(),
                context.records(),
                SlurmScheduler.defaultHosts(context.home()).apply(settings));
    }
}
