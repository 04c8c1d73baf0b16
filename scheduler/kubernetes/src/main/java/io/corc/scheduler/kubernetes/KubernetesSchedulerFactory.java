package io.corc.scheduler.kubernetes;

import io.corc.api.PluginContext;
import io.corc.api.Scheduler;
import io.corc.api.SchedulerFactory;

/** The {@code kubernetes} scheduler: runs jobs as indexed batch/v1 Jobs on the cluster of a kubeconfig. */
public final class KubernetesSchedulerFactory implements SchedulerFactory {

    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public String description() {
        return "runs jobs as Kubernetes Jobs (one pod per task) in any container image, staging through S3";
    }

    @Override
    public Scheduler create(PluginContext context) {
        return new KubernetesScheduler(
                context.name(),
                KubernetesSettings.from(context.config()),
                context.records(),
                KubeconfigClients.of(context.config()));
    }
}
