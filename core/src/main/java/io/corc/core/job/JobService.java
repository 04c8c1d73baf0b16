package io.corc.core.job;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Feature;
import io.corc.api.Job;
import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.LogLine;
import io.corc.api.PluginConfig;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.Scheduler;
import io.corc.api.Staging;
import io.corc.api.StateRecord;
import io.corc.api.StoredObject;
import io.corc.api.TransferReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The job pipeline: stage inputs, submit, follow, fetch results. A state record of type {@code job} remembers, for
 * each job, which scheduler runs it and where its files are staged, so later commands need only the job id.
 */
public final class JobService {
    /** Status of the record of a failed submission whose staged files are still to be removed (by corc gc). */
    static final String ROLLBACK_PENDING = "rollback-pending";

    public static final String RECORD_TYPE = "job";
    /** The key of a job record's storage settings (those the job runner got). */
    private static final String STORAGE_SETTINGS = "storage_settings";

    private static final String NO_LONGER_KNOWN = "the scheduler no longer knows this job";
    private static final java.util.regex.Pattern JOB_ID = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final PluginConfig jobConfig;
    private final RecordStore records;
    private final Function<String, Scheduler> schedulers;
    private final StagingArea staging;

    public JobService(
            PluginConfig jobConfig, RecordStore records, Function<String, Scheduler> schedulers, StagingArea staging) {
        this.jobConfig = requireNonNull(jobConfig, "jobConfig is null");
        this.records = requireNonNull(records, "records is null");
        this.schedulers = requireNonNull(schedulers, "schedulers is null");
        this.staging = requireNonNull(staging, "staging is null");
    }

    /**
     * Stages the inputs and submits the job. If submission fails, the staged inputs and the record are removed
     * again before the exception is thrown. When the staged files cannot be removed then, or the scheduler could not
     * remove its part, the record stays as {@value #ROLLBACK_PENDING} for {@code corc gc}.
     */
    public Job run(JobRequest request, String schedulerName, ProgressListener progress) {
        return run(request, schedulerName, schedulers.apply(schedulerName), progress);
    }

    /**
     * As {@link #run(JobRequest, String, ProgressListener)}, on {@code scheduler}, an instance of {@code
     * schedulerName} bound to a resource; later calls for the job use the shared instance, which finds the
     * resource in the scheduler's own job record.
     */
    public Job run(JobRequest request, String schedulerName, Scheduler scheduler, ProgressListener progress) {
        checkInputs(request.inputs());
        if (request.image() != null) {
            scheduler.features().require(Feature.CONTAINER_IMAGES, schedulerName);
        }
        if (request.resources() != null && request.resources().gpus().count() > 0) {
            scheduler.features().require(Feature.GPUS, schedulerName);
        }
        JobSpec spec = claimNewJob(request, schedulerName);
        String jobId = spec.id();
        Staging layout = spec.staging();
        boolean staged = false;
        boolean submitting = false;
        try {
            staging.prepare(layout); // the bucket: nothing of the job's is stored yet
            staged = !request.inputs().isEmpty();
            staging.stageInputs(layout, request.inputs(), progress);
            submitting = true;
            Job job = scheduler.submit(spec, staging.runnerSecrets(), progress);
            records.update(RECORD_TYPE, jobId, record -> record == null ? null : record.withStatus("submitted"));
            return job;
        } catch (RuntimeException e) {
            // a scheduler that could not undo its part says so with a suppressed exception (Scheduler#submit)
            boolean cleaned = !(submitting && e.getSuppressed().length > 0);
            if (staged) {
                try {
                    staging.deleteJobFiles(layout);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                    cleaned = false;
                }
            }
            if (cleaned) {
                records.delete(RECORD_TYPE, jobId);
            } else {
                // storage or cluster unreachable, say: the record stays as the intent to clean up, for corc gc
                records.update(
                        RECORD_TYPE, jobId, record -> record == null ? null : record.withStatus(ROLLBACK_PENDING));
            }
            throw e;
        }
    }

    /**
     * Picks a fresh job id and records the job under it, atomically: ids are random, but a second job under an
     * id in use would overwrite the first one's record (and its rollback delete it), so a taken id is drawn again.
     */
    private JobSpec claimNewJob(JobRequest request, String schedulerName) {
        while (true) {
            String jobId = JobIds.next();
            Staging layout = staging.layoutFor(jobId);
            JobSpec spec = toSpec(jobId, request, layout);
            StateRecord claim = StateRecord.create(
                    RECORD_TYPE, jobId, "staging", recordData(spec, schedulerName, layout, staging.recordedSettings()));
            AtomicBoolean claimed = new AtomicBoolean();
            records.update(RECORD_TYPE, jobId, existing -> {
                claimed.set(existing == null);
                return existing == null ? claim : existing;
            });
            if (claimed.get()) {
                return spec;
            }
        }
    }

    public Job await(String jobId, Duration timeout, ProgressListener progress) {
        return schedulerOf(jobId).await(jobId, timeout, progress);
    }

    /** Every job corc knows, newest first; jobs the scheduler no longer knows show as {@link JobState#UNKNOWN}. */
    public List<Job> list(String schedulerFilter) {
        List<StateRecord> all = new ArrayList<>(records.list(RECORD_TYPE));
        java.util.Collections.reverse(all);
        List<Job> jobs = new ArrayList<>();
        for (StateRecord record : all) {
            if (ROLLBACK_PENDING.equals(record.status())) {
                continue; // a failed submission whose staged files could not be removed yet: not a job
            }
            String schedulerName = record.string("scheduler");
            if (schedulerFilter == null || schedulerFilter.equals(schedulerName)) {
                jobs.add(lookUp(record));
            }
        }
        return jobs;
    }

    public Job show(String jobId) {
        StateRecord record = record(jobId);
        return schedulers
                .apply(record.string("scheduler"))
                .get(jobId)
                .orElseGet(() -> unknown(record, NO_LONGER_KNOWN));
    }

    /** The job as its scheduler reports it; one job whose scheduler cannot answer does not spoil a listing. */
    private Job lookUp(StateRecord record) {
        try {
            return schedulers
                    .apply(record.string("scheduler"))
                    .get(record.id())
                    .orElseGet(() -> unknown(record, NO_LONGER_KNOWN));
        } catch (CorcException e) {
            return unknown(record, e.getMessage());
        }
    }

    public void logs(String jobId, Integer taskIndex, boolean follow, Consumer<LogLine> sink) {
        schedulerOf(jobId).logs(jobId, taskIndex, follow, sink);
    }

    /** Cancels the job; the record says "cancelled" only when the cancel stopped something. */
    public Job cancel(String jobId) {
        Job job = schedulerOf(jobId).cancel(jobId);
        if (job.state() == JobState.CANCELLED) {
            records.update(RECORD_TYPE, jobId, record -> record == null ? null : record.withStatus("cancelled"));
        }
        return job;
    }

    /** Removes the job from its scheduler, its staged inputs and its record; outputs stay unless asked. */
    public void delete(String jobId, boolean withResults) {
        StateRecord record = record(jobId);
        schedulers.apply(record.string("scheduler")).remove(jobId);
        StagingArea.Located files = stagedAt(record);
        staging.deleteInputs(files);
        if (withResults) {
            staging.deleteJobFiles(files);
        }
        records.delete(RECORD_TYPE, jobId);
    }

    /**
     * Jobs nobody owns: submissions that never finished before {@code submittedBefore} (the process died while
     * staging), and jobs their scheduler no longer knows. A job whose scheduler cannot answer is left alone.
     */
    public List<AbandonedJob> abandoned(java.time.Instant submittedBefore) {
        List<AbandonedJob> items = new ArrayList<>();
        for (StateRecord record : records.list(RECORD_TYPE)) {
            if (ROLLBACK_PENDING.equals(record.status())) {
                items.add(new AbandonedJob(
                        record.id(),
                        "its submission failed and what it left (staged files, scheduler objects) could not be removed then",
                        true));
                continue;
            }
            if ("staging".equals(record.status())) {
                if (record.createdAt().isBefore(submittedBefore)) {
                    items.add(new AbandonedJob(
                            record.id(), "its submission never finished (started " + record.createdAt() + ")", true));
                }
                continue;
            }
            try {
                String scheduler = record.string("scheduler");
                if (schedulers.apply(scheduler).get(record.id()).isEmpty()) {
                    items.add(new AbandonedJob(record.id(), "scheduler '" + scheduler + "' no longer knows it", false));
                }
            } catch (CorcException e) {
                // the scheduler cannot answer (not installed, unreachable): not evidence of garbage
            }
        }
        return items;
    }

    /** Removes an abandoned job: everything of a submission that never finished, all but results otherwise. */
    public void forget(String jobId) {
        String status = record(jobId).status();
        if (ROLLBACK_PENDING.equals(status)) {
            StateRecord record = record(jobId);
            schedulers.apply(record.string("scheduler")).remove(jobId); // what a failed submit may have left there
            staging.deleteJobFiles(stagedAt(record));
            records.delete(RECORD_TYPE, jobId);
            return;
        }
        delete(jobId, "staging".equals(status));
    }

    /**
     * Downloads every task's outputs to {@code targetDir/<job-id>/<task-index>/...}, from the storage the job was
     * staged to. A task whose output has no commit marker is left out and named in the report's {@code incomplete};
     * files a task's marker lists that the store no longer holds are named in its {@code missing}.
     */
    public TransferReport downloadResults(String jobId, Path targetDir, ProgressListener progress) {
        return staging.downloadOutputs(stagedAt(record(jobId)), targetDir.resolve(jobId), progress);
    }

    public List<StoredObject> listResults(String jobId) {
        return staging.listOutputs(stagedAt(record(jobId)));
    }

    public int deleteResults(String jobId) {
        return staging.deleteOutputs(stagedAt(record(jobId)));
    }

    /** Where the job's outputs are stored, e.g. {@code s3://bucket/job-.../output/} or a local directory. */
    public String outputLocation(String jobId) {
        StagingArea.Located files = stagedAt(record(jobId));
        return staging.locate(files, files.layout().outputKeyPrefix());
    }

    /** Inputs must exist and have distinct names, since each is staged under its own name. */
    private static void checkInputs(List<Path> inputs) {
        Map<String, Path> byName = new LinkedHashMap<>();
        for (Path input : inputs) {
            if (!Files.exists(input)) {
                throw CorcException.invalidInput("input '" + input + "' does not exist")
                        .withHint("pass existing files or directories with --input");
            }
            Path normalised = input.toAbsolutePath().normalize();
            Path name = normalised.getFileName();
            if (name == null) {
                throw CorcException.invalidInput("input '" + input + "' has no name to stage it under")
                        .withHint("pass a file or directory below /, e.g. --input ./data");
            }
            Path clash = byName.put(name.toString(), input);
            if (clash != null) {
                throw CorcException.invalidInput(
                                "inputs '" + clash + "' and '" + input + "' would both be staged as '" + name + "'")
                        .withHint("each input is staged under its file name; put them in one directory instead");
            }
        }
    }

    /** The request's command, or {@code corc.job.commands} run one after another by sh when none is given. */
    private List<String> command(JobRequest request) {
        if (!request.command().isEmpty()) {
            return request.command();
        }
        List<String> configured = jobConfig.strings("commands");
        if (configured.isEmpty()) {
            throw CorcException.invalidInput("the job has no command")
                    .withHint("put the command after --, e.g. corc job run -- echo hello, or set corc.job.commands");
        }
        return List.of("sh", "-c", String.join("\n", configured));
    }

    private JobSpec toSpec(String jobId, JobRequest request, Staging layout) {
        PluginConfig meta = jobConfig.section("meta");
        int numJobs = request.numJobs() != null ? request.numJobs() : meta.integer("num_jobs", 1);
        int numParallel = request.numParallel() != null ? request.numParallel() : meta.integer("num_parallel", 1);
        String name = request.name() != null ? request.name() : meta.string("name", jobId);
        boolean capture = request.capture() != null ? request.capture() : jobConfig.bool("capture", true);
        String workingDir = request.workingDir() != null ? request.workingDir() : jobConfig.string("working_dir", null);
        Map<String, String> options = new LinkedHashMap<>(request.schedulerOptions());
        options.putAll(staging.runnerOptions()); // corc's own keys win over same-named scheduler options
        return new JobSpec(
                jobId,
                name,
                command(request),
                request.image(),
                request.env(),
                workingDir,
                numJobs,
                numParallel,
                request.resources(),
                request.timeLimit(),
                capture,
                layout,
                options);
    }

    private static Map<String, Object> recordData(
            JobSpec spec, String schedulerName, Staging layout, Map<String, Object> storageSettings) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", spec.name());
        data.put("scheduler", schedulerName);
        data.put("command", spec.command());
        data.put("num_jobs", spec.numJobs());
        data.put("num_parallel", spec.numParallel());
        data.put("storage", layout.storage());
        data.put("bucket", layout.bucket());
        data.put("input_prefix", layout.inputPrefix());
        data.put("output_prefix", layout.outputPrefix());
        data.put(STORAGE_SETTINGS, storageSettings); // plain, non-secret: what the job runner gets too
        return data;
    }

    /** The storage the job was staged to and its layout there, as its record says (see {@link StagingArea}). */
    private StagingArea.Located stagedAt(StateRecord record) {
        Map<String, ?> settings = record.data().get(STORAGE_SETTINGS) instanceof Map<?, ?> map ? stringKeys(map) : null;
        return staging.recorded(layoutOf(record), settings);
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((key, value) -> copy.put(String.valueOf(key), value));
        return copy;
    }

    private static Staging layoutOf(StateRecord record) {
        return new Staging(
                record.string("storage"),
                record.string("bucket"),
                record.id(),
                record.string("input_prefix"),
                record.string("output_prefix"));
    }

    private Scheduler schedulerOf(String jobId) {
        return schedulers.apply(record(jobId).string("scheduler"));
    }

    private StateRecord record(String jobId) {
        Optional<StateRecord> record =
                JOB_ID.matcher(jobId).matches() ? records.get(RECORD_TYPE, jobId) : Optional.empty();
        return record.orElseThrow(() -> new CorcException(
                ErrorCategory.NOT_FOUND,
                "job '" + jobId + "' not found",
                null,
                null,
                "corc job list shows the jobs corc knows",
                null));
    }

    private static Job unknown(StateRecord record, String note) {
        String name = record.string("name");
        return new Job(
                record.id(),
                name == null ? record.id() : name,
                record.string("scheduler"),
                "staging".equals(record.status()) ? JobState.PENDING : JobState.UNKNOWN,
                List.of(),
                record.createdAt(),
                null,
                Map.of("note", note));
    }
}
