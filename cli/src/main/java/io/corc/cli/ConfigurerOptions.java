package io.corc.cli;

import io.corc.api.ConfigurerSpec;
import io.corc.api.PluginConfig;
import io.corc.api.ProgressListener;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Which configurer to apply and the playbooks to run; shared by {@code configurer apply} and {@code start}. */
final class ConfigurerOptions {
    static final String DEFAULT = "ansible";

    @Option(
            names = "--configurer",
            paramLabel = "NAME",
            description = "Configurer to apply: ansible (default) or ssh. Its settings are corc.configurers.<NAME>.")
    String configurer;

    @Option(
            names = "--playbook",
            paramLabel = "FILE",
            description = "Ansible playbook to run; repeat for several, run in order. Replaces"
                    + " configurers.ansible.playbook_paths.")
    List<Path> playbooks = List.of();

    boolean requested() {
        return configurer != null || !playbooks.isEmpty();
    }

    /** The spec for this invocation; relative playbook paths resolve against the working directory. */
    ConfigurerSpec toSpec(Path workingDirectory) {
        String name = configurer == null ? DEFAULT : configurer;
        Map<String, Object> options = new LinkedHashMap<>();
        if (!playbooks.isEmpty()) {
            options.put(
                    "playbook_paths",
                    playbooks.stream()
                            .map(p -> workingDirectory.resolve(p).normalize().toString())
                            .toList());
        }
        return new ConfigurerSpec(name, new PluginConfig("--configurer " + name, options));
    }

    /**
     * Prints each line the configurer reports (ansible's output) to stderr as it comes, so stdout holds only the
     * result, also with {@code -o json}.
     */
    static ProgressListener lines(CliContext context) {
        return (step, done, total) -> {
            synchronized (context.err) {
                context.err.println(step);
                context.err.flush();
            }
        };
    }
}
