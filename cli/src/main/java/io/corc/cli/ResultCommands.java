package io.corc.cli;

import io.corc.api.StoredObject;
import io.corc.api.TransferReport;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code corc job result get|list|delete}. */
final class ResultCommands {
    /** A task's output prefix, {@code <job-id>/<output prefix>/<task index>/}: the index is the last level. */
    private static final Pattern TASK_PREFIX = Pattern.compile(".*/(\\d+)/");

    private ResultCommands() {}

    @Command(
            name = "get",
            mixinStandardHelpOptions = true,
            description = {
                "Download a job's outputs to DIR/JOB_ID/TASK_INDEX/.",
                "",
                "A task whose upload has not completed (cut off, or the task still runs) is not downloaded but named,"
                        + " and the exit code is then 1."
            },
            footer = {
                "",
                "Examples:",
                "  corc job result get JOB_ID",
                "  corc job result get JOB_ID --path ~/results",
                "  corc job result get JOB_ID --storage-s3 --storage-endpoint http://127.0.0.1:9000"
            })
    static final class Get extends JobIdCommand {

        @Option(
                names = {"--path", "--storage-download-path"},
                paramLabel = "DIR",
                description = "Directory to download into (default: corc.storage.download_path when set, else the"
                        + " current directory).")
        Path path;

        @Mixin
        StorageOptions storage;

        Get(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            String id = jobId.require();
            storage.apply(context);
            Path configured = StorageOptions.downloadDirectory(context, path);
            Path base = configured != null ? configured : context.workingDirectory();
            ProgressDisplay progress = context.progress().transfer(-1);
            TransferReport report = context.corc().downloadResults(id, base, progress);
            progress.finish();
            Path target = base.resolve(id);
            // tasks whose upload was cut off (or still runs) are left out, and files a task's marker lists but the
            // store lost cannot be fetched: either makes the outcome a failure
            boolean complete = report.whole();
            context.emit(
                    Views.document(
                            complete ? "success" : "partial",
                            "job_id",
                            id,
                            "path",
                            target.toString(),
                            "transfer",
                            Views.transfer(report)),
                    out -> printDownload(out, id, report, target));
            return complete ? ExitCodes.OK : ExitCodes.FAILED_OUTCOME;
        }
    }

    /**
     * The human summary of a download of a job's results: what was moved, then one line per task (or other prefix)
     * left out because its upload had not completed, the files the tasks' markers list that the store no longer
     * holds, and what to do about it.
     */
    static void printDownload(PrintStream out, String jobId, TransferReport report, Path target) {
        out.println(StorageCommand.summary(
                "Downloaded", report.withIncomplete(List.of()).withMissing(List.of()), "to " + target));
        for (String prefix : report.incomplete()) {
            Matcher task = TASK_PREFIX.matcher(prefix);
            out.println((task.matches() ? "task " + task.group(1) : prefix)
                    + ": outputs incomplete (upload cut off or still running); not downloaded");
        }
        if (!report.incomplete().isEmpty()) {
            out.println("corc job show " + jobId + " tells whether they still run (run this again once they have"
                    + " finished) or failed");
        }
        if (!report.missing().isEmpty()) {
            out.println(StorageCommand.missing(report.missing()));
            out.println("hint: run the job again to upload its outputs anew, or restore those objects; corc job result"
                    + " list " + jobId + " shows what is there");
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List a job's stored outputs.",
            footer = {"", "Examples:", "  corc job result list JOB_ID"})
    static final class ListResults extends JobIdCommand {

        ListResults(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            List<StoredObject> objects = context.corc().listResults(jobId.require());
            context.emit(
                    Views.document(
                            "success",
                            "objects",
                            objects.stream().map(Views::object).toList()),
                    out -> {
                        Table table = new Table("KEY", "SIZE", "MODIFIED");
                        objects.forEach(o -> table.row(o.key(), o.size(), Views.time(o.lastModified())));
                        table.print(out);
                    });
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            description = "Delete a job's stored outputs.",
            footer = {"", "Examples:", "  corc job result delete JOB_ID"})
    static final class Delete extends JobIdCommand {

        Delete(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            String id = jobId.require();
            int deleted = context.corc().deleteResults(id);
            context.emit(
                    Views.document("success", "job_id", id, "deleted", deleted),
                    out -> out.println("Deleted " + deleted + " stored output file(s) of " + id));
            return ExitCodes.OK;
        }
    }
}
