package io.corc.scheduler.slurm;

import static java.util.Objects.requireNonNull;

import io.corc.api.TaskReport;

/**
 * The files of one job on the Slurm host, in a directory the compute nodes share:
 *
 * <pre>
 *   spec.json                   the job spec the runner reads
 *   job.sh                      the batch script of the array
 *   secrets/                    storage credentials for the runner, when the storage has any (0600 files)
 *   slurm/&lt;i&gt;.out, .err        the runner's own output (Slurm's -o/-e), where a runner that cannot start says why
 *   tasks/&lt;i&gt;/                 the runner's task directory: input/, output/ (job.json, stdout.log, stderr.log when
 *                               captured), stdout.log and stderr.log otherwise
 *   tasks/&lt;i&gt;/runner.exit      the runner's exit code, written by the batch script when the runner returned
 * </pre>
 */
record JobLayout(String dir) {
    JobLayout {
        requireNonNull(dir, "dir is null");
    }

    static JobLayout in(String workDir, String jobId) {
        return new JobLayout(workDir.endsWith("/") ? workDir + jobId : workDir + "/" + jobId);
    }

    String specFile() {
        return dir + "/spec.json";
    }

    String script() {
        return dir + "/job.sh";
    }

    String secretsDir() {
        return dir + "/secrets";
    }

    String slurmDir() {
        return dir + "/slurm";
    }

    String tasksDir() {
        return dir + "/tasks";
    }

    String taskDir(int index) {
        return tasksDir() + "/" + index;
    }

    String report(int index) {
        return taskDir(index) + "/output/" + TaskReport.FILE_NAME;
    }

    String runnerExit(int index) {
        return taskDir(index) + "/runner.exit";
    }

    /** The runner's own stderr (Slurm's {@code -e}). */
    String runnerErr(int index) {
        return slurmDir() + "/" + index + ".err";
    }

    /** Where the command's {@code stream} ({@code stdout} or {@code stderr}) goes, as the job runner puts it. */
    String log(int index, String stream, boolean captured) {
        return (captured ? taskDir(index) + "/output/" : taskDir(index) + "/") + stream + ".log";
    }
}
