package io.corc.api;

/** Builds a {@link Scheduler}. Registered in {@code META-INF/services/io.corc.api.SchedulerFactory}. */
public interface SchedulerFactory extends PluginFactory {
    Scheduler create(PluginContext context);
}
