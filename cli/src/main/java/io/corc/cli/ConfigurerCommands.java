package io.corc.cli;

import io.corc.api.ConfigurerSpec;
import io.corc.api.Resource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code corc configurer apply}: bring a running resource into its configured state. */
final class ConfigurerCommands {
    static final String DESCRIPTION = "Configure running resources with Ansible playbooks or SSH commands.";

    private ConfigurerCommands() {}

    @Command(
            name = "apply",
            mixinStandardHelpOptions = true,
            description = {
                "Apply a configurer to a resource corc started. The ansible configurer runs the playbooks of"
                        + " corc.configurers.ansible.playbook_paths (or --playbook) against the resource over SSH,"
                        + " with corc's key and pinned host key; ansible's output is shown on stderr as it runs.",
                "Running it again is safe where the playbook's tasks are idempotent."
            },
            footer = {
                "",
                "Examples:",
                "  corc configurer apply ID",
                "  corc configurer apply ID --playbook site.yml --playbook users.yml",
                "  corc configurer apply ID --configurer ssh",
                "  corc configurer apply ID -o json 2>ansible.log",
                "",
                "Exit codes: 0 applied; 2 a task failed or the playbook is invalid; 3 no such resource or"
                        + " file; 4 host key or login refused; 7 the resource's SSH port does not answer."
            })
    static final class Apply implements Callable<Integer> {
        private final CliContext context;

        @Parameters(paramLabel = "RESOURCE_ID", description = "The resource's id ('orchestration instance list').")
        String resourceId;

        @Mixin
        ConfigurerOptions options;

        Apply(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Resource resource = context.corc().findResource(resourceId);
            ConfigurerSpec spec = options.toSpec(context.workingDirectory());
            context.corc().configure(resource, spec, ConfigurerOptions.lines(context));
            context.emit(
                    Views.document("success", "configured", view(resource, spec)),
                    out -> out.println("Configured " + resource.id() + " with " + spec.configurer()));
            return ExitCodes.OK;
        }
    }

    static Map<String, Object> view(Resource resource, ConfigurerSpec spec) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("resource", resource.id());
        view.put("provider", resource.provider());
        view.put("configurer", spec.configurer());
        view.put("options", spec.options().asMap());
        return view;
    }
}
