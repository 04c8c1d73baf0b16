package io.corc.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands; run alone, it prints its usage and fails as a usage error. */
@Command(mixinStandardHelpOptions = true, versionProvider = VersionProvider.class)
final class Group implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    static CommandLine of(String description, String... examples) {
        CommandLine commandLine = new CommandLine(new Group());
        commandLine.getCommandSpec().usageMessage().description(description);
        if (examples.length > 0) {
            commandLine.getCommandSpec().usageMessage().footer(Examples.footer(examples));
        }
        return commandLine;
    }

    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        commandLine.getErr().println("corc: error: '" + spec.qualifiedName() + "' needs a subcommand");
        commandLine.usage(commandLine.getErr());
        return ExitCodes.INVALID_INPUT;
    }
}
