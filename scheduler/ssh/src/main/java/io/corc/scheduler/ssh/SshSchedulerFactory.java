package io.corc.scheduler.ssh;

import io.corc.api.PluginContext;
import io.corc.api.Scheduler;
import io.corc.api.SchedulerFactory;
import io.corc.ssh.ResourceLogin;

/** The {@code ssh} scheduler: runs a job's tasks on one SSH host, detached from corc's connection. */
public final class SshSchedulerFactory implements SchedulerFactory {

    @Override
    public String name() {
        return "ssh";
    }

    @Override
    public String description() {
        return "runs jobs on an SSH host (an instance or a configured host), detached so a dropped connection does"
                + " not stop them; inputs and outputs over SFTP or corc's runner";
    }

    @Override
    public Scheduler create(PluginContext context) {
        return new SshScheduler(
                context.name(),
                SshSchedulerSettings.from(context.config()),
                new ResourceLogin(context.home(), context.config()),
                context.home(),
                context.records());
    }
}
