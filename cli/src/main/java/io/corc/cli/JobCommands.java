package io.corc.cli;

import io.corc.api.CorcException;
import io.corc.api.Job;
import io.corc.api.JobState;
import io.corc.api.TaskStatus;
import io.corc.core.Corc;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code corc job list|show|logs|cancel|delete}. */
final class JobCommands {
    private JobCommands() {}

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List the jobs corc knows, newest first.",
            footer = {"", "Examples:", "  corc job list", "  corc job list -o json"})
    static final class ListJobs implements Callable<Integer> {
        private final CliContext context;
        private final String provider;

        ListJobs(CliContext context, String provider) {
            this.context = context;
            this.provider = provider;
        }

        @Override
        public Integer call() {
            Corc corc = context.corc();
            List<Job> jobs = corc.listJobs(provider == null ? null : corc.schedulerFor(provider));
            context.emit(Views.document("success", "jobs", Views.jobs(jobs)), out -> {
                Table table = new Table("ID", "NAME", "SCHEDULER", "STATE", "TASKS OK", "SUBMITTED");
                for (Job job : jobs) {
                    table.row(
                            job.id(),
                            job.name().equals(job.id()) ? "-" : job.name(),
                            job.scheduler(),
                            Views.lower(job.state()),
                            job.count(JobState.SUCCEEDED) + "/" + job.tasks().size(),
                            Views.time(job.submittedAt()));
                }
                if (table.isEmpty()) {
                    out.println("No jobs yet. Start one with: corc job run -- echo hello");
                } else {
                    table.print(out);
                }
            });
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Show a job: state, and per task its state, exit code and stage-in/compute/stage-out times.",
            footer = {"", "Examples:", "  corc job show JOB_ID", "  corc job show JOB_ID -o yaml"})
    static final class Show extends JobIdCommand {

        Show(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            Job job = context.corc().showJob(jobId.require());
            context.emit(Views.document("success", "job", Views.job(job)), out -> printJob(out, job));
            return ExitCodes.OK;
        }

        static void printJob(PrintStream out, Job job) {
            out.println("Job:       " + job.id() + (job.name().equals(job.id()) ? "" : " (" + job.name() + ")"));
            out.println("Scheduler: " + job.scheduler());
            out.println("State:     " + Views.lower(job.state()));
            out.println("Submitted: " + Views.time(job.submittedAt()));
            job.details().forEach((key, value) -> out.println(key + ": " + value));
            Table table =
                    new Table("TASK", "STATE", "EXIT", "HOST", "STAGE-IN s", "COMPUTE s", "STAGE-OUT s", "MESSAGE");
            for (TaskStatus task : job.tasks()) {
                table.row(
                        task.index(),
                        Views.lower(task.state()),
                        task.exitCode(),
                        task.host(),
                        seconds(task.stageInSeconds()),
                        seconds(task.computeSeconds()),
                        seconds(task.stageOutSeconds()),
                        task.message());
            }
            out.println();
            table.print(out);
        }

        private static String seconds(Double value) {
            return value == null ? null : String.format(java.util.Locale.ROOT, "%.2f", value);
        }
    }

    @Command(
            name = "logs",
            mixinStandardHelpOptions = true,
            description = "Print a job's stdout and stderr (all tasks, or one).",
            footer = {"", "Examples:", "  corc job logs JOB_ID", "  corc job logs JOB_ID --task 3 -f"})
    static final class Logs extends JobIdCommand {

        @Option(names = "--task", paramLabel = "INDEX", description = "Only this task.")
        Integer task;

        @Option(
                names = {"-f", "--follow"},
                description = "Keep printing until the job has finished.")
        boolean follow;

        Logs(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            String id = jobId.require();
            if (context.structuredOutput()) {
                if (follow) {
                    throw CorcException.invalidInput(
                                    "--follow prints lines as they come; it cannot be combined with -o")
                            .withHint("drop -o to follow, or drop --follow to get one document");
                }
                List<Map<String, Object>> lines = new ArrayList<>();
                context.corc()
                        .logs(
                                id,
                                task,
                                false,
                                line -> lines.add(Map.of(
                                        "task", line.taskIndex(), "stream", line.stream(), "text", line.text())));
                context.emit(Views.document("success", "job_id", id, "lines", lines), out -> {});
                return ExitCodes.OK;
            }
            context.corc().logs(id, task, follow, line -> {
                PrintStream target = "stderr".equals(line.stream()) ? context.err : context.out;
                target.println(task == null ? "[" + line.taskIndex() + "] " + line.text() : line.text());
            });
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "cancel",
            mixinStandardHelpOptions = true,
            description = "Stop every unfinished task of a job. Finished tasks and stored results stay.",
            footer = {"", "Examples:", "  corc job cancel JOB_ID"})
    static final class Cancel extends JobIdCommand {

        Cancel(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            Job job = context.corc().cancelJob(jobId.require());
            context.emit(
                    Views.document("success", "job", Views.job(job)),
                    out -> out.println("Job " + job.id() + " is " + Views.lower(job.state())));
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            description = "Cancel a job if it runs and forget it: its scheduler files and staged inputs are removed.",
            footer = {"", "Examples:", "  corc job delete JOB_ID", "  corc job delete JOB_ID --results"})
    static final class Delete extends JobIdCommand {

        @Option(names = "--results", description = "Also delete its stored results.")
        boolean results;

        Delete(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            String id = jobId.require();
            context.corc().deleteJob(id, results);
            context.emit(Views.document("success", "job_id", id), out -> out.println("Deleted job " + id));
            return ExitCodes.OK;
        }
    }
}
