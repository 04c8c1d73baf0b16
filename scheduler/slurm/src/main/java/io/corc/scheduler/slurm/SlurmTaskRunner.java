package io.corc.scheduler.slurm;

import io.corc.api.JobSpec;
import io.corc.api.Storage;
import io.corc.api.TaskReport;
import io.corc.jobio.JobJson;
import io.corc.jobio.JobRunner;
import io.corc.jobio.StorageLoader;
import io.corc.jobio.TaskListener;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The default job runner on a Slurm node: runs one task with {@link JobRunner} and exits with the command's exit
 * code, or 1 when the command succeeded but staging failed, so that Slurm's own state agrees with job.json. Takes
 * the arguments of {@code corc jobio run}: {@code --spec FILE --task-index N --work-dir DIR
 * [--storage-secrets-dir DIR]}.
 */
public final class SlurmTaskRunner {
    private SlurmTaskRunner() {}

    public static void main(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        if (args.length % 2 != 0
                || !options.keySet().stream()
                        .allMatch(k -> k.equals("--spec")
                                || k.equals("--task-index")
                                || k.equals("--work-dir")
                                || k.equals("--storage-secrets-dir"))
                || !options.containsKey("--spec")
                || !options.containsKey("--task-index")
                || !options.containsKey("--work-dir")) {
            System.err.println("usage: SlurmTaskRunner --spec FILE --task-index N --work-dir DIR"
                    + " [--storage-secrets-dir DIR]");
            System.exit(2);
        }
        try {
            JobSpec spec = JobJson.readSpec(Path.of(options.get("--spec")));
            Map<String, Object> local = options.containsKey("--storage-secrets-dir")
                    ? Map.of("secrets_dir", options.get("--storage-secrets-dir"))
                    : Map.of();
            Storage storage = StorageLoader.forSpec(spec, Path.of(System.getProperty("user.home"), ".corc"), local);
            TaskReport report = new JobRunner(storage)
                    .run(
                            spec,
                            Integer.parseInt(options.get("--task-index")),
                            Path.of(options.get("--work-dir")),
                            TaskListener.NONE);
            int code = report.exitCode() >= 0 && report.exitCode() < 256 ? report.exitCode() : 1;
            if (code == 0 && report.error() != null) {
                System.err.println(report.error());
                code = 1;
            }
            System.exit(code);
        } catch (RuntimeException e) {
            System.err.println("corc job runner failed: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }
}
