package io.corc.api;

/** Builds a {@link Storage}. Registered in {@code META-INF/services/io.corc.api.StorageFactory}. */
public interface StorageFactory extends PluginFactory {
    Storage create(PluginContext context);
}
