package io.corc.cli;

import io.corc.api.JobSpec;
import io.corc.api.TaskReport;
import io.corc.jobio.JobJson;
import io.corc.jobio.JobRunner;
import io.corc.jobio.TaskListener;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code corc jobio run}: the job runner inside an execution environment. Fetches the inputs, runs the command,
 * writes job.json and uploads the outputs; exits with the command's exit code so the scheduler sees it.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Run one task of a job spec: stage in, run, write job.json, stage out.",
        footer = {"", "Examples:", "  corc jobio run --spec /job/spec.json --task-index 0 --work-dir /work"})
final class JobioRunCommand implements Callable<Integer> {
    @Mixin
    JobioOptions options;

    @Override
    public Integer call() {
        JobSpec spec = options.spec();
        TaskReport report =
                new JobRunner(options.storage(spec)).run(spec, options.taskIndex(), options.workDir, TaskListener.NONE);
        System.out.print(JobJson.toJson(report));
        System.out.println();
        return report.exitCode() >= 0 && report.exitCode() < 256 ? report.exitCode() : ExitCodes.FAILED_OUTCOME;
    }
}
