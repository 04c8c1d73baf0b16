package io.corc.scheduler.slurm;

import io.corc.ssh.Shell;

/**
 * The batch script every task of a job's array runs: corc's job runner for task {@code $SLURM_ARRAY_TASK_ID},
 * which stages the inputs in, runs the command, writes job.json and stages the outputs out. The runner gets the
 * same arguments as {@code corc jobio run}, so either can be configured as the runner.
 */
final class BatchScript {
    private BatchScript() {}

    /**
     * @param runner the shell words that start the runner
     * @param withSecrets whether the job directory holds storage credentials for the runner
     */
    static String render(String jobId, JobLayout layout, String runner, boolean withSecrets) {
        String dir = Shell.quote(layout.dir());
        StringBuilder script = new StringBuilder();
        script.append("#!/bin/sh\n")
                .append("# corc job ")
                .append(jobId)
                .append(": one task of the array per run\n")
                .append("umask 077\n")
                .append("task=\"${SLURM_ARRAY_TASK_ID:?this script runs as a task of a Slurm job array}\"\n")
                .append("dir=")
                .append(dir)
                .append('\n')
                .append("mkdir -p \"$dir/tasks/$task\" || exit 1\n")
                .append(runner)
                .append(" --spec \"$dir/spec.json\" --task-index \"$task\" --work-dir \"$dir/tasks/$task\"");
        if (withSecrets) {
            script.append(" --storage-secrets-dir \"$dir/secrets\"");
        }
        script.append(" </dev/null\n")
                .append("code=$?\n")
                .append("echo \"$code\" > \"$dir/tasks/$task/runner.exit\"\n")
                .append("exit \"$code\"\n");
        return script.toString();
    }
}
