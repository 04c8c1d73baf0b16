package io.corc.cli;

import io.corc.api.CorcException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The job id, as a positional argument or, as the Python corc spelled it, {@code --job-meta-name}. */
final class JobIdArgument {
    @Parameters(arity = "0..1", paramLabel = "JOB_ID", description = "The job's id (corc job list shows them).")
    String positional;

    @Option(names = "--job-meta-name", paramLabel = "JOB_ID", description = "The job's id (corc-compatible).")
    String option;

    String require() {
        if (positional != null && option != null && !positional.equals(option)) {
            throw CorcException.invalidInput("two different job ids given: " + positional + " and " + option);
        }
        String id = positional != null ? positional : option;
        if (id == null || id.isBlank()) {
            throw CorcException.invalidInput("no job id given").withHint("corc job list shows the jobs corc knows");
        }
        return id;
    }
}
