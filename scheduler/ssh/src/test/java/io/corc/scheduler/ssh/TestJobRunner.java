package io.corc.scheduler.ssh;

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
 * corc's job runner as {@code corc jobio run} runs it (same arguments, same classes), started on the test host by
 * the ssh scheduler's runner staging; the corc jar is not built in this module's tests.
 */
public final class TestJobRunner {
    private TestJobRunner() {}

    public static void main(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
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
        System.out.println(JobJson.toJson(report));
        System.exit(report.exitCode() >= 0 && report.exitCode() < 256 ? report.exitCode() : 1);
    }
}
