package io.corc.cli;

import io.corc.api.CorcException;
import io.corc.api.GpuSpec;
import io.corc.api.Job;
import io.corc.api.JobState;
import io.corc.api.ResourceRequest;
import io.corc.api.TransferReport;
import io.corc.core.Corc;
import io.corc.core.job.JobRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code corc [provider] job run}: stage inputs, submit, and optionally wait and fetch the results. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Run a command as a batch job of one or more tasks.",
            "",
            "Each task sees $CORC_TASK_INDEX, its inputs in $CORC_INPUT, and writes its results to $CORC_OUTPUT,"
                    + " which corc stores per task together with job.json, stdout.log and stderr.log (names"
                    + " reserved).",
            "",
            "Put the command after '--'. Without one, corc.job.commands of the configuration runs. A single"
                    + " argument with spaces that is not a file is split on spaces, as the Python corc did."
        },
        footer = {
            "",
            "Examples:",
            "  corc job run --wait -- sh -c 'echo hello > \"$CORC_OUTPUT/hello.txt\"'",
            "  corc job run --num-jobs 10 --num-parallel 2 --input ./instr -- mcrun instr/demo.instr -n 1e6",
            "  corc job run -o json -- /bin/echo Hello World",
            "  corc job run --resource i-1a2b3c --input ./instr --wait -- mcrun instr/demo.instr -n 1e6",
            "  corc job run --storage-s3 --storage-bucket my-bucket --wait --storage-download-path out -- ./sim.sh"
        })
final class JobRunCommand implements Callable<Integer> {
    private final CliContext context;
    private final String provider;

    @Parameters(arity = "0..*", paramLabel = "COMMAND", description = "The command and its arguments.")
    List<String> command = new ArrayList<>();

    @Option(names = "--name", description = "Display name (default: the job id).")
    String name;

    @Option(
            names = {"--num-jobs", "--job-meta-num-jobs"},
            paramLabel = "N",
            description = "Number of tasks (default: corc.job.meta.num_jobs, 1).")
    Integer numJobs;

    @Option(
            names = {"--num-parallel", "--job-meta-num-parallel"},
            paramLabel = "N",
            description = "Tasks running at once (default: corc.job.meta.num_parallel, 1).")
    Integer numParallel;

    @Option(names = "--input", paramLabel = "PATH", description = "File or directory to stage as input; repeatable.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--env", paramLabel = "KEY=VALUE", description = "Environment of the command; repeatable.")
    Map<String, String> env = new LinkedHashMap<>();

    @Option(names = "--image", description = "Container image (container schedulers only).")
    String image;

    @Option(
            names = {"--working-dir", "--job-working-dir"},
            paramLabel = "DIR",
            description = "Working directory of the command (default: the task directory).")
    String workingDir;

    @Option(names = "--cores", description = "CPU cores per task.")
    double cores;

    @Option(names = "--memory", paramLabel = "GB", description = "Memory per task in GiB.")
    double memoryGb;

    @Option(names = "--gpus", description = "GPUs per task.")
    int gpus;

    @Option(names = "--time-limit", paramLabel = "DURATION", description = "Limit per task, e.g. 30m, 2h, 90s.")
    String timeLimit;

    @Option(
            names = "--capture",
            negatable = true,
            description = "Store stdout/stderr with the outputs (default: corc.job.capture, true).")
    Boolean capture;

    @Option(
            names = "--scheduler",
            description = "Scheduler to use (default: the provider's, else corc.schedulers.default).")
    String scheduler;

    @Option(
            names = "--scheduler-option",
            paramLabel = "KEY=VALUE",
            description = "A setting of the scheduler for this job only; repeatable. Kubernetes:"
                    + " kubernetes.namespace, kubernetes.context, kubernetes.node_selector=k=v,...,"
                    + " kubernetes.tolerations=key[=value]:Effect,..., kubernetes.backoff_limit,"
                    + " kubernetes.service_account, kubernetes.image_pull_policy. Slurm: slurm.partition,"
                    + " slurm.account, slurm.qos, slurm.extra_sbatch_options='--opt=v ...'.")
    Map<String, String> schedulerOptions = new LinkedHashMap<>();

    @Option(
            names = "--resource",
            paramLabel = "ID",
            description = "Run on this orchestrated resource: an instance over SSH (scheduler ssh), a cluster"
                    + " through its kubeconfig (scheduler kubernetes), unless --scheduler says otherwise.")
    String resource;

    @Option(names = "--namespace", description = "Kubernetes namespace (kubernetes.namespace).")
    String namespace;

    @Option(names = "--context", description = "kubeconfig context (kubernetes.context).")
    String kubeContext;

    @Option(names = "--wait", description = "Wait until the job has finished and show where its results are.")
    boolean await;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            description = "With --wait: give up after this long (default: no limit).")
    String timeout;

    @Option(
            names = "--storage-download-path",
            paramLabel = "DIR",
            description = "With --wait: download the results to DIR/JOB_ID/ (default: corc.storage.download_path;"
                    + " unset, nothing is downloaded).")
    Path downloadPath;

    @Mixin
    StorageOptions storage;

    JobRunCommand(CliContext context, String provider) {
        this.context = context;
        this.provider = provider;
    }

    @Override
    public Integer call() {
        if (downloadPath != null && !await) {
            throw CorcException.invalidInput("--storage-download-path downloads the results, which needs --wait")
                    .withHint("add --wait, or fetch them later with corc job result get JOB_ID --path DIR");
        }
        storage.apply(context);
        Corc corc = context.corc();
        List<Path> resolvedInputs =
                inputs.stream().map(p -> context.workingDirectory().resolve(p)).toList();
        JobRequest request = new JobRequest(
                splitLikeCorc(command),
                name,
                // on a resource, its kind picks the scheduler (Corc.runJobOn)
                scheduler != null
                        ? scheduler
                        : provider == null || resource != null ? null : corc.schedulerFor(provider),
                resolvedInputs,
                numJobs,
                numParallel,
                env,
                image,
                workingDir,
                new ResourceRequest(cores, memoryGb, new GpuSpec(gpus, null)),
                timeLimit == null ? null : Durations.parse("--time-limit", timeLimit),
                capture,
                schedulerOptions());
        ProgressDisplay progress = context.progress();
        Job job = resource == null
                ? corc.runJob(request, progress)
                : corc.runJobOn(corc.findResource(resource), request, progress);
        if (!await) {
            progress.finish();
            context.emit(
                    Views.document("success", "job", Views.job(job), "msg", "Job submitted"),
                    out -> out.println(
                            "Submitted job " + job.id() + " (" + job.tasks().size() + " task(s) on " + job.scheduler()
                                    + "). Follow it with: corc job show " + job.id()));
            return ExitCodes.OK;
        }
        Duration limit = timeout == null ? Duration.ofDays(3650) : Durations.parse("--timeout", timeout);
        Job done = corc.awaitJob(job.id(), limit, progress);
        progress.finish();
        if (!done.state().isFinished()) {
            throw new CorcException(
                            io.corc.api.ErrorCategory.CANCELLED,
                            "gave up waiting for job " + done.id() + " after " + timeout + "; it is "
                                    + Views.lower(done.state()))
                    .withHint("the job keeps running; corc job show " + done.id() + " follows it");
        }
        String location = corc.resultLocation(job.id());
        Path downloadDir = StorageOptions.downloadDirectory(context, downloadPath);
        Map<String, Object> download = null;
        TransferReport report = null;
        if (downloadDir != null) {
            ProgressDisplay transfer = context.progress().transfer(-1);
            report = corc.downloadResults(job.id(), downloadDir, transfer);
            transfer.finish();
            download = Views.download(downloadDir.resolve(job.id()), report);
        }
        TransferReport downloaded = report;
        // outputs left out of the download (an upload cut off, files deleted since) make a succeeded job's outcome
        // partial, as in result get
        boolean complete = report == null || report.whole();
        boolean succeeded = done.state() == JobState.SUCCEEDED;
        String status = !succeeded ? Views.lower(done.state()) : complete ? "success" : "partial";
        context.emit(Views.document(status, "job", Views.job(done), "results", location, "download", download), out -> {
            out.println("Job " + done.id() + " " + Views.lower(done.state()) + ": " + done.count(JobState.SUCCEEDED)
                    + " of " + done.tasks().size() + " task(s) succeeded.");
            out.println("Results: " + location);
            if (downloaded == null) {
                out.println("Fetch them with: corc job result get " + done.id());
            } else {
                ResultCommands.printDownload(out, done.id(), downloaded, downloadDir.resolve(done.id()));
            }
        });
        return succeeded && complete ? ExitCodes.OK : ExitCodes.FAILED_OUTCOME;
    }

    private Map<String, String> schedulerOptions() {
        Map<String, String> options = new LinkedHashMap<>(schedulerOptions);
        if (namespace != null) {
            options.put("kubernetes.namespace", namespace);
        }
        if (kubeContext != null) {
            options.put("kubernetes.context", kubeContext);
        }
        return options;
    }

    /**
     * corc took the command as one string and split it on spaces; keep that working for a single argument, unless
     * the argument names an existing file (a program whose path has a space).
     */
    static List<String> splitLikeCorc(List<String> command) {
        if (command.size() == 1
                && command.get(0).strip().contains(" ")
                && !java.nio.file.Files.exists(java.nio.file.Path.of(command.get(0)))) {
            return Arrays.stream(command.get(0).strip().split("\\s+")).toList();
        }
        return command;
    }
}
