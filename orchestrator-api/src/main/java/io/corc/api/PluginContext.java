package io.corc.api;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * What a plug-in factory receives to build a plug-in.
 *
 * @param name the plug-in's configured name (usually its factory name)
 * @param config the plug-in's configuration section, e.g. {@code corc.providers.oci}
 * @param home corc's home directory ({@code ~/.corc} or {@code CORC_HOME}); a plug-in keeps its own files under
 *     {@code home/<name>}, with directories 0700 and files 0600
 * @param records the state store, for recording intent before and after each cloud call
 */
public record PluginContext(String name, PluginConfig config, Path home, RecordStore records) {
    public PluginContext {
        requireNonNull(name, "name is null");
        requireNonNull(config, "config is null");
        requireNonNull(home, "home is null");
        requireNonNull(records, "records is null");
    }
}
