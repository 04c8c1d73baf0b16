package io.corc.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** A command about one job: the shared context and the job id argument ({@code JOB_ID} or --job-meta-name). */
abstract class JobIdCommand implements Callable<Integer> {
    final CliContext context;

    @Mixin
    JobIdArgument jobId;

    JobIdCommand(CliContext context) {
        this.context = context;
    }
}
