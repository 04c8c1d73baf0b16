package io.corc.cli;

import io.corc.api.JobSpec;
import io.corc.api.TaskReport;
import io.corc.jobio.ContainerTask;
import io.corc.jobio.JobRunner;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code corc jobio stage-in|stage-out}: the runner's halves of a task whose command runs in another container of
 * the same pod (see {@link ContainerTask}). Kubernetes runs stage-in as an init container and stage-out next to the
 * user's container, so the user's image needs no Java and never sees the storage credentials.
 */
final class JobioStageCommands {
    private JobioStageCommands() {}

    @Command(
            name = "stage-in",
            mixinStandardHelpOptions = true,
            description = "Fetch a task's inputs into <work-dir>/input and record the outcome for the other"
                    + " containers. Exits 0 even when the fetch failed: the command is then skipped and the failure"
                    + " reported by stage-out.",
            footer = {
                "",
                "Examples:",
                "  corc jobio stage-in --spec /var/run/corc/spec.json --work-dir /corc/task --control-dir"
                        + " /corc/control --storage-secrets-dir /var/run/corc"
            })
    static final class StageIn implements Callable<Integer> {
        @Mixin
        JobioOptions options;

        @Option(names = "--control-dir", required = true, paramLabel = "DIR", description = "Shared control files.")
        Path controlDir;

        @Override
        public Integer call() {
            JobSpec spec = options.spec();
            JobRunner.StageIn result =
                    new ContainerTask(new JobRunner(options.storage(spec)), options.workDir, controlDir).stageIn(spec);
            if (result.error() != null) {
                System.err.println("corc: " + result.error());
            }
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "stage-out",
            mixinStandardHelpOptions = true,
            description = "Wait for the task's command (run by the wrapper in another container) to finish, then"
                    + " write job.json and upload <work-dir>/output. Exits with the command's exit code, or 1 when"
                    + " only staging failed.",
            footer = {
                "",
                "Examples:",
                "  corc jobio stage-out --spec /var/run/corc/spec.json --work-dir /corc/task --control-dir"
                        + " /corc/control --termination-log /dev/termination-log"
            })
    static final class StageOut implements Callable<Integer> {
        @Mixin
        JobioOptions options;

        @Option(names = "--control-dir", required = true, paramLabel = "DIR", description = "Shared control files.")
        Path controlDir;

        @Option(
                names = "--start-timeout",
                paramLabel = "DURATION",
                defaultValue = "30m",
                description = "Give up when the command has not started after this long (default: ${DEFAULT-VALUE}).")
        String startTimeout;

        @Option(
                names = "--termination-log",
                paramLabel = "FILE",
                description = "Also write the task report here (Kubernetes: /dev/termination-log).")
        Path terminationLog;

        @Override
        public Integer call() {
            JobSpec spec = options.spec();
            TaskReport report = new ContainerTask(new JobRunner(options.storage(spec)), options.workDir, controlDir)
                    .stageOut(
                            spec,
                            options.taskIndex(),
                            Durations.parse("--start-timeout", startTimeout),
                            terminationLog,
                            System.out,
                            System.err);
            if (report.error() != null) {
                System.err.println("corc: " + report.error());
            }
            return ContainerTask.exitCodeOf(report);
        }
    }
}
