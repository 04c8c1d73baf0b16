package io.corc.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The root command. */
@Command(
        name = "corc",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        // One element per paragraph: picocli wraps each to the terminal width.
        description = {
            "Orchestrate cloud resources and run batch jobs on them: OCI, AWS EC2, any jclouds cloud, or this machine"
                    + " (the embedded default, no account needed).",
            "",
            "Exit codes: 0 ok, 1 failed outcome (job failed, check failed), 2 invalid input, 3 not found,"
                    + " 4 authentication, 5 capacity/quota, 6 conflict, 7 provider unavailable, 70 internal,"
                    + " 130 cancelled."
        },
        footer = {
            "",
            "Examples:",
            "  corc job run --wait -- sh -c 'echo hello > \"$CORC_OUTPUT/hello.txt\"'",
            "  corc job result get JOB_ID",
            "  corc storage put ./data corc://data",
            "  corc local orchestration instance start --name sandbox",
            "  corc check",
            "  corc config generate",
            "  source <(corc completion bash)"
        })
final class CorcCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.INVALID_INPUT;
    }
}
