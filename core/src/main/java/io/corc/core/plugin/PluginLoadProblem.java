package io.corc.core.plugin;

import static java.util.Objects.requireNonNull;

/**
 * A plug-in factory that could not be loaded (missing class, failing constructor, bad name); the registry skips it
 * and keeps the others. {@code corc check} lists these.
 *
 * @param family the plug-in family's noun, e.g. {@code provider}, {@code storage}
 * @param message what went wrong, naming the factory class when known
 * @param cause the underlying error, for {@code --verbose} output
 */
public record PluginLoadProblem(String family, String message, Throwable cause) {
    public PluginLoadProblem {
        requireNonNull(family, "family is null");
        requireNonNull(message, "message is null");
    }
}
