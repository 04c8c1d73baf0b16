package io.corc.scheduler.local;

import io.corc.api.PluginContext;
import io.corc.api.Scheduler;
import io.corc.api.SchedulerFactory;

/** The {@code local} scheduler: runs a job's tasks as processes on this machine. */
public final class LocalSchedulerFactory implements SchedulerFactory {

    @Override
    public String name() {
        return "local";
    }

    @Override
    public String description() {
        return "runs jobs as processes on this machine, detached from the command that submitted them";
    }

    @Override
    public Scheduler create(PluginContext context) {
        return new LocalScheduler(context.name(), LocalSchedulerConfig.from(context), context.home());
    }
}
