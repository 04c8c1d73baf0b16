package io.corc.api;

/**
 * Common shape of every plug-in factory. Factories are found with {@link java.util.ServiceLoader}; they must be
 * cheap to instantiate (no I/O, no SDK initialisation) because the registry loads all of them to list names.
 */
public interface PluginFactory {
    /** The name users type, e.g. {@code local}, {@code oci}, {@code kubernetes}, {@code s3}. Lower case. */
    String name();

    /** One line shown by {@code corc check} and in "unknown plug-in" errors. */
    String description();
}
