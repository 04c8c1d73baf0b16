package io.corc.cli;

import io.corc.api.JobSpec;
import io.corc.api.Storage;
import io.corc.api.TaskReport;
import io.corc.jobio.JobJson;
import io.corc.jobio.JobRunner;
import io.corc.jobio.StorageLoader;
import io.corc.jobio.TaskListener;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
    @Option(names = "--spec", required = true, paramLabel = "FILE", description = "The job spec (JSON).")
    Path specFile;

    @Option(names = "--task-index", paramLabel = "N", description = "Task index (default: $JOB_COMPLETION_INDEX or 0).")
    Integer taskIndex;

    @Option(
            names = "--work-dir",
            required = true,
            paramLabel = "DIR",
            description = "Directory for input/ and output/.")
    Path workDir;

    @Option(
            names = "--storage-secrets-dir",
            paramLabel = "DIR",
            description = "Directory with the storage credentials (files aws_access_key_id, aws_secret_access_key),"
                    + " e.g. a mounted Kubernetes secret. Default: the storage's secrets_dir, else the AWS"
                    + " environment variables.")
    Path secretsDir;

    @Override
    public Integer call() {
        JobSpec spec = JobJson.readSpec(specFile);
        Map<String, Object> local = secretsDir == null ? Map.of() : Map.of("secrets_dir", secretsDir.toString());
        Storage storage = StorageLoader.forSpec(spec, Path.of(System.getProperty("user.home"), ".corc"), local);
        int index = taskIndex != null ? taskIndex : indexFromEnvironment();
        TaskReport report = new JobRunner(storage).run(spec, index, workDir, TaskListener.NONE);
        System.out.print(JobJson.toJson(report));
        System.out.println();
        return report.exitCode() >= 0 && report.exitCode() < 256 ? report.exitCode() : ExitCodes.FAILED_OUTCOME;
    }

    /** Kubernetes indexed jobs set JOB_COMPLETION_INDEX; Slurm arrays set SLURM_ARRAY_TASK_ID. */
    private static int indexFromEnvironment() {
        for (String variable : new String[] {"CORC_TASK_INDEX", "JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"}) {
            String value = System.getenv(variable);
            if (value != null && !value.isBlank()) {
                return Integer.parseInt(value.strip());
            }
        }
        return 0;
    }
}
