package io.corc.cli;

import io.corc.api.OrchestratorFactory;
import io.corc.api.ResourceKind;
import io.corc.core.plugin.PluginRegistry;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Builds the command tree. Provider commands ({@code corc <provider> orchestration|job ...}) are added for every
 * installed orchestrator plug-in, so the tree matches the jars on the class path.
 */
final class CommandTree {
    private CommandTree() {}

    static CommandLine build(CliContext context) {
        CommandLine root = new CommandLine(new CorcCommand());
        root.addSubcommand("config", configCommands(context));
        root.addSubcommand("check", new CheckCommand(context));
        root.addSubcommand("job", jobCommands(context, null));
        for (OrchestratorFactory factory :
                PluginRegistry.load(CommandTree.class.getClassLoader()).orchestrators()) {
            root.addSubcommand(factory.name(), providerCommands(context, factory));
        }
        root.addSubcommand(
                "jobio",
                Group.of("The job runner used inside execution environments.")
                        .addSubcommand("run", new JobioRunCommand()));
        root.addSubcommand("completion", new CompletionCommand(root));
        root.addSubcommand("help", new CommandLine.HelpCommand());
        mixGlobalOptions(root, context.global);
        return root;
    }

    private static CommandLine configCommands(CliContext context) {
        return Group.of(
                        "Create, show and check the corc configuration.",
                        "corc config generate",
                        "corc config show -o yaml",
                        "corc config validate ~/.corc/config.yaml")
                .addSubcommand("generate", new ConfigCommands.Generate(context))
                .addSubcommand("show", new ConfigCommands.Show(context))
                .addSubcommand("validate", new ConfigCommands.Validate(context))
                .addSubcommand("path", new ConfigCommands.PathCommand(context));
    }

    /** The job commands, bound to a provider's scheduler when {@code provider} is not null. */
    static CommandLine jobCommands(CliContext context, String provider) {
        String prefix = provider == null ? "corc job" : "corc " + provider + " job";
        CommandLine run = new CommandLine(new JobRunCommand(context, provider));
        run.setStopAtPositional(true);
        return Group.of(
                        "Run batch jobs and fetch their results.",
                        prefix + " run --wait -- sh -c 'echo hello > \"$CORC_OUTPUT/hello.txt\"'",
                        prefix + " list",
                        prefix + " result get JOB_ID")
                .addSubcommand("run", run)
                .addSubcommand("list", new JobCommands.ListJobs(context, provider))
                .addSubcommand("show", new JobCommands.Show(context))
                .addSubcommand("logs", new JobCommands.Logs(context))
                .addSubcommand("cancel", new JobCommands.Cancel(context))
                .addSubcommand("delete", new JobCommands.Delete(context))
                .addSubcommand(
                        "result",
                        Group.of("Fetch, list or delete a job's outputs.", prefix + " result get JOB_ID --path out")
                                .addSubcommand("get", new ResultCommands.Get(context))
                                .addSubcommand("list", new ResultCommands.ListResults(context))
                                .addSubcommand("delete", new ResultCommands.Delete(context)));
    }

    private static CommandLine providerCommands(CliContext context, OrchestratorFactory factory) {
        String name = factory.name();
        CommandLine orchestration = Group.of(
                "Start, stop, list and show " + name + " resources.",
                "corc " + name + " orchestration instance start --min-cores 2",
                "corc " + name + " orchestration instance list");
        for (ResourceKind kind : ResourceKind.values()) {
            orchestration.addSubcommand(kind.cliName(), kindCommands(context, name, kind));
        }
        return Group.of(factory.description())
                .addSubcommand("orchestration", orchestration)
                .addSubcommand("job", jobCommands(context, name));
    }

    private static CommandLine kindCommands(CliContext context, String provider, ResourceKind kind) {
        String noun = kind.name().toLowerCase(Locale.ROOT);
        String prefix = "corc " + provider + " orchestration " + noun;
        return Group.of(
                        "Manage " + noun + "s at " + provider + ".",
                        prefix + " plan --min-cores 2 --min-memory 4",
                        prefix + " start --name demo",
                        prefix + " stop ID")
                .addSubcommand("plan", new OrchestrationCommands.PlanCommand(context, provider, kind))
                .addSubcommand("start", new OrchestrationCommands.Start(context, provider, kind))
                .addSubcommand("stop", new OrchestrationCommands.Stop(context, provider, kind))
                .addSubcommand("list", new OrchestrationCommands.ListResources(context, provider, kind))
                .addSubcommand("show", new OrchestrationCommands.Show(context, provider, kind));
    }

    private static void mixGlobalOptions(CommandLine commandLine, GlobalOptions global) {
        CommandSpec spec = commandLine.getCommandSpec();
        if (!(spec.userObject() instanceof CommandLine.HelpCommand)) {
            spec.addMixin("global", CommandSpec.forAnnotatedObject(global));
        }
        for (CommandLine sub : commandLine.getSubcommands().values()) {
            mixGlobalOptions(sub, global);
        }
    }
}
