package io.corc.cli;

import io.corc.api.OrchestratorFactory;
import io.corc.api.ResourceKind;
import io.corc.core.plugin.PluginRegistry;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Builds the command tree. Provider commands ({@code corc <provider> orchestration|job ...}) are added for every
 * installed orchestrator plug-in, so the tree matches the jars on the class path.
 */
final class CommandTree {
    private CommandTree() {}

    /**
     * The tree for {@code args}. Building a picocli command costs reflection, so only the top-level command the
     * arguments address is built in full; the others are stand-ins with their description, enough for the root's
     * {@code --help}. {@code completion} builds everything.
     */
    static CommandLine build(CliContext context, String... args) {
        String addressed = addressedCommand(args);
        boolean everything = "completion".equals(addressed);
        CommandLine root = new CommandLine(new CorcCommand());
        Map<String, TopLevel> commands = new LinkedHashMap<>();
        commands.put("config", new TopLevel(CONFIG_DESCRIPTION, () -> configCommands(context)));
        commands.put("check", new TopLevel(CheckCommand.DESCRIPTION, () -> new CommandLine(new CheckCommand(context))));
        commands.put("job", new TopLevel(JOB_DESCRIPTION, () -> jobCommands(context, null)));
        commands.put("gc", new TopLevel(GcCommand.DESCRIPTION, () -> new CommandLine(new GcCommand(context))));
        commands.put(
                "status", new TopLevel(StatusCommand.DESCRIPTION, () -> new CommandLine(new StatusCommand(context))));
        commands.put(
                "orchestration", new TopLevel(PlacementCommands.DESCRIPTION, () -> PlacementCommands.tree(context)));
        commands.put(
                "up",
                new TopLevel(
                        PlacementCommands.UP_DESCRIPTION, () -> new CommandLine(new PlacementCommands.Up(context))));
        commands.put("storage", new TopLevel(StorageCommands.DESCRIPTION, () -> storageCommands(context)));
        commands.put("configurer", new TopLevel(ConfigurerCommands.DESCRIPTION, () -> Group.of(
                        ConfigurerCommands.DESCRIPTION, "corc configurer apply ID --playbook site.yml")
                .addSubcommand("apply", new ConfigurerCommands.Apply(context))));
        commands.put(
                "spawn",
                new TopLevel(SpawnCommands.SPAWN_DESCRIPTION, () -> new CommandLine(new SpawnCommands.Spawn(context))));
        commands.put(
                "spawns",
                new TopLevel(
                        SpawnCommands.SPAWNS_DESCRIPTION, () -> new CommandLine(new SpawnCommands.Spawns(context))));
        commands.put(
                "unspawn",
                new TopLevel(
                        SpawnCommands.UNSPAWN_DESCRIPTION, () -> new CommandLine(new SpawnCommands.Unspawn(context))));
        commands.put("broker", new TopLevel(BrokerCommands.DESCRIPTION, () -> BrokerCommands.tree(context)));
        for (OrchestratorFactory factory : PluginRegistry.loadProviders(CommandTree.class.getClassLoader())) {
            commands.put(factory.name(), new TopLevel(factory.description(), () -> providerCommands(context, factory)));
        }
        commands.put("jobio", new TopLevel(JOBIO_DESCRIPTION, () -> Group.of(JOBIO_DESCRIPTION)
                .addSubcommand("run", new JobioRunCommand())
                .addSubcommand("stage-in", new JobioStageCommands.StageIn())
                .addSubcommand("stage-out", new JobioStageCommands.StageOut())));
        commands.forEach((name, command) -> {
            if (everything || name.equals(addressed)) {
                CommandLine full = command.full().get();
                mixGlobalOptions(full, context.global);
                if (name.equals("broker")) {
                    BrokerCommands.describeConfigOption(full); // --config names broker.yaml there
                }
                root.addSubcommand(name, full);
            } else {
                root.addSubcommand(name, standIn(command.description()));
            }
        });
        if (everything) {
            CommandLine completion = new CommandLine(new CompletionCommand(root));
            mixGlobalOptions(completion, context.global);
            root.addSubcommand("completion", completion);
        } else {
            root.addSubcommand("completion", standIn(CompletionCommand.DESCRIPTION));
        }
        // "help X" addresses X, so the real help command is needed whenever "help" comes first.
        boolean helpAsked = Arrays.asList(args).contains("help");
        root.addSubcommand("help", helpAsked ? new CommandLine.HelpCommand() : standIn(HELP_DESCRIPTION));
        root.getCommandSpec().addMixin("global", CommandSpec.forAnnotatedObject(context.global));
        return root;
    }

    /** A command that only describes itself: built without reflection, never executed. */
    private static CommandSpec standIn(String description) {
        CommandSpec spec = CommandSpec.create();
        spec.usageMessage().description(description);
        return spec;
    }

    /** A top-level command: its description, and how to build it in full. */
    private record TopLevel(String description, Supplier<CommandLine> full) {}

    private static final String HELP_DESCRIPTION = "Display help information about the specified command.";
    private static final String JOBIO_DESCRIPTION = "The job runner used inside execution environments.";

    /** The first argument that names a command, skipping global options and their values; "help X" addresses X. */
    static String addressedCommand(String... args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--config") || arg.equals("-o") || arg.equals("--output")) {
                i++;
            } else if (arg.equals("help") && i + 1 < args.length) {
                return args[i + 1];
            } else if (!arg.startsWith("-")) {
                return arg;
            }
        }
        return null;
    }

    private static final String CONFIG_DESCRIPTION = "Create, show and check the corc configuration.";
    private static final String JOB_DESCRIPTION = "Run batch jobs and fetch their results.";

    private static CommandLine configCommands(CliContext context) {
        return Group.of(
                        CONFIG_DESCRIPTION,
                        "corc config generate",
                        "corc config show -o yaml",
                        "corc config validate ~/.corc/config.yaml")
                .addSubcommand("generate", new ConfigCommands.Generate(context))
                .addSubcommand("show", new ConfigCommands.Show(context))
                .addSubcommand("validate", new ConfigCommands.Validate(context))
                .addSubcommand("path", new ConfigCommands.PathCommand(context));
    }

    private static CommandLine storageCommands(CliContext context) {
        CommandLine group = Group.of(
                StorageCommands.DESCRIPTION,
                "corc storage put ./data corc://data",
                "corc storage ls corc://data",
                "corc storage get corc://data ./copy",
                "corc storage serve");
        group.getCommandSpec().usageMessage().description(StorageCommands.GRAMMAR);
        return group.addSubcommand("ls", new StorageCommands.Ls(context))
                .addSubcommand("put", new StorageCommands.Put(context))
                .addSubcommand("get", new StorageCommands.Get(context))
                .addSubcommand("rm", new StorageCommands.Rm(context))
                .addSubcommand("sync", new StorageCommands.Sync(context))
                .addSubcommand("serve", new StorageServeCommand(context));
    }

    /** The job commands, bound to a provider's scheduler when {@code provider} is not null. */
    static CommandLine jobCommands(CliContext context, String provider) {
        String prefix = provider == null ? "corc job" : "corc " + provider + " job";
        CommandLine run = new CommandLine(new JobRunCommand(context, provider));
        run.setStopAtPositional(true);
        return Group.of(
                        JOB_DESCRIPTION,
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
        commandLine.getCommandSpec().addMixin("global", CommandSpec.forAnnotatedObject(global));
        for (CommandLine sub : commandLine.getSubcommands().values()) {
            mixGlobalOptions(sub, global);
        }
    }
}
