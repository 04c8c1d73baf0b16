package io.corc.api;

import static java.util.Objects.requireNonNull;

/**
 * What a configurer should do to a resource.
 *
 * @param configurer configurer name, e.g. {@code ssh}, {@code ansible}
 * @param options its settings (playbooks, commands, users)
 */
public record ConfigurerSpec(String configurer, PluginConfig options) {
    public ConfigurerSpec {
        requireNonNull(configurer, "configurer is null");
        requireNonNull(options, "options is null");
    }
}
