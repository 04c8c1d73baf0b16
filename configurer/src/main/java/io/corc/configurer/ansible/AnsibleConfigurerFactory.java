package io.corc.configurer.ansible;

import io.corc.api.Configurer;
import io.corc.api.ConfigurerFactory;
import io.corc.api.PluginContext;
import java.nio.file.Path;

/** The {@code ansible} configurer: runs Ansible playbooks against a resource over SSH. */
public final class AnsibleConfigurerFactory implements ConfigurerFactory {
    public static final String NAME = "ansible";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "runs Ansible playbooks (ansible-playbook) against a resource over SSH";
    }

    @Override
    public Configurer create(PluginContext context) {
        return new AnsibleConfigurer(
                context.config(), context.home(), System.getenv(), Path.of("").toAbsolutePath());
    }
}
