package io.corc.scheduler.slurm;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import java.util.stream.Collectors;

/** sbatch's refusals as one clear exception with sbatch's own words in it. */
final class SbatchErrors {
    private SbatchErrors() {}

    static CorcException refused(String jobId, CommandOutput output, SlurmHost host, String plugin) {
        if (output.exitCode() == CommandOutput.NOT_FOUND) {
            return new CorcException(
                    ErrorCategory.INVALID_INPUT,
                    "sbatch is not installed on " + host.describe(),
                    plugin,
                    "job submit",
                    host instanceof SshSlurmHost
                            ? "corc runs it in a login shell there (sh -l): make ~/.profile put Slurm's commands on"
                                    + " the PATH, or check corc.schedulers.slurm.login.host"
                            : "install Slurm's client commands (Debian: slurm-client) or set"
                                    + " corc.schedulers.slurm.login to submit on a login node",
                    null);
        }
        String text = output.errorText()
                .lines()
                .map(line -> line.replaceFirst("^sbatch: error: ", "").strip())
                .filter(line -> !line.isEmpty())
                .distinct()
                .collect(Collectors.joining("; "));
        boolean unreachable = text.contains("Unable to contact slurm controller")
                || text.contains("Socket timed out")
                || text.contains("Connection refused");
        return new CorcException(
                unreachable ? ErrorCategory.UNAVAILABLE : ErrorCategory.INVALID_INPUT,
                "sbatch on " + host.describe() + " refused job " + jobId + ": " + text,
                plugin,
                "job submit",
                unreachable
                        ? "check that the Slurm controller is up: sinfo"
                        : "fix what Slurm refused: the partition, account, qos and extra_sbatch_options of"
                                + " corc.schedulers.slurm, or the job's --cores, --memory, --gpus, --time-limit and"
                                + " --scheduler-option slurm.*",
                null);
    }
}
