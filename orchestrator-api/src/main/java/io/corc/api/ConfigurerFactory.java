package io.corc.api;

/** Builds a {@link Configurer}. Registered in {@code META-INF/services/io.corc.api.ConfigurerFactory}. */
public interface ConfigurerFactory extends PluginFactory {
    Configurer create(PluginContext context);
}
