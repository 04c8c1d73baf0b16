package io.corc.configurer.ssh;

import io.corc.api.Configurer;
import io.corc.api.ConfigurerFactory;
import io.corc.api.PluginContext;
import java.nio.file.Path;

/** The {@code ssh} configurer: users, files, scripts and commands over plain SSH. */
public final class SshConfigurerFactory implements ConfigurerFactory {
    @Override
    public String name() {
        return SshConfigurer.NAME;
    }

    @Override
    public String description() {
        return "creates users, copies files, runs scripts and commands on a resource over SSH";
    }

    @Override
    public Configurer create(PluginContext context) {
        return new SshConfigurer(context.config(), context.home(), Path.of("").toAbsolutePath());
    }
}
