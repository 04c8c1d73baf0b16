package io.corc.cli;

import io.corc.api.JobSpec;
import io.corc.api.Storage;
import io.corc.jobio.JobJson;
import io.corc.jobio.StorageLoader;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every {@code corc jobio} command shares: the spec, the task, its directory and the storage secrets. */
final class JobioOptions {
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

    JobSpec spec() {
        return JobJson.readSpec(specFile);
    }

    /** The storage the spec stages through, or {@code null} when it stages nothing. */
    Storage storage(JobSpec spec) {
        Map<String, Object> local = secretsDir == null ? Map.of() : Map.of("secrets_dir", secretsDir.toString());
        return StorageLoader.forSpec(spec, Path.of(System.getProperty("user.home"), ".corc"), local);
    }

    /** The task index: the option, else what the scheduler set (Kubernetes indexed jobs, Slurm arrays), else 0. */
    int taskIndex() {
        if (taskIndex != null) {
            return taskIndex;
        }
        for (String variable : new String[] {"CORC_TASK_INDEX", "JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"}) {
            String value = System.getenv(variable);
            if (value != null && !value.isBlank()) {
                return Integer.parseInt(value.strip());
            }
        }
        return 0;
    }
}
