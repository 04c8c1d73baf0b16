package io.corc.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CheckResult;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Features;
import io.corc.api.InMemoryRecordStore;
import io.corc.api.Job;
import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.LogLine;
import io.corc.api.PluginConfig;
import io.corc.api.PluginContext;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.Scheduler;
import io.corc.api.StateRecord;
import io.corc.api.Storage;
import io.corc.api.StoredObject;
import io.corc.api.TransferReport;
import io.corc.storage.local.LocalStorageFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job pipeline's use of storage: where results are read from, what counts as complete, what a failure leaves. */
class JobServiceStorageTest {
    @TempDir
    Path home;

    @TempDir
    Path work;

    private final RecordStore records = new InMemoryRecordStore();
    private final FakeScheduler scheduler = new FakeScheduler();

    private PluginConfig localConfig(String bucket) {
        return new PluginConfig(
                "corc.storage.local",
                Map.of("bucket_name", bucket, "path", home.resolve("buckets").toString()));
    }

    private Storage local(PluginConfig config) {
        return new LocalStorageFactory().create(new PluginContext("local", config, home, records));
    }

    private final StagingArea.Backends backends = new StagingArea.Backends() {
        @Override
        public PluginConfig configured(String name) {
            return PluginConfig.empty("corc.storage." + name);
        }

        @Override
        public Storage open(String name, PluginConfig config) {
            if (!name.equals("local")) {
                throw CorcException.invalidInput("unknown storage '" + name + "'; known: local");
            }
            return local(config);
        }
    };

    private JobService service(String name, PluginConfig config, Storage storage, Map<String, Object> explicit) {
        StagingArea staging = new StagingArea(name, config, () -> storage, backends, explicit, home);
        return new JobService(PluginConfig.empty("corc.job"), records, n -> scheduler, staging);
    }

    private JobService localService() {
        PluginConfig config = localConfig("corc");
        return service("local", config, local(config), Map.of());
    }

    private Path file(String name, String content) throws Exception {
        Path file = work.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    private JobRequest withInput() throws Exception {
        return JobRequest.of(List.of("true")).withInputs(List.of(file("in.txt", "x")));
    }

    @Test
    void aTaskOutputWithoutItsCommitMarkerIsIncompleteEvenWhenNoTaskHasOne() throws Exception {
        JobService jobs = localService();
        Storage storage = local(localConfig("corc"));
        String id = jobs.run(JobRequest.of(List.of("true")), "fake", ProgressListener.NONE)
                .id();
        // both tasks' uploads were cut off: files, no markers anywhere under the outputs
        storage.put("corc", id + "/output/0/job.json", file("a/job.json", "{}"));
        storage.put("corc", id + "/output/1/job.json", file("b/job.json", "{}"));

        TransferReport none = jobs.downloadResults(id, work.resolve("dl"), ProgressListener.NONE);

        assertThat(none.incomplete()).containsExactly(id + "/output/0/", id + "/output/1/");
        assertThat(none.files()).isZero();
        assertThat(work.resolve("dl").resolve(id).resolve("0/job.json")).doesNotExist();

        // task 0 completes (its upload ends with the marker); task 1 stays cut off
        storage.upload(work.resolve("a"), "corc", id + "/output/0/", ProgressListener.NONE);
        TransferReport some = jobs.downloadResults(id, work.resolve("dl"), ProgressListener.NONE);

        assertThat(some.incomplete()).containsExactly(id + "/output/1/");
        assertThat(work.resolve("dl").resolve(id).resolve("0/job.json")).hasContent("{}");
        assertThat(work.resolve("dl").resolve(id).resolve("1/job.json")).doesNotExist();
    }

    @Test
    void aFileATaskMarkerListsButTheStoreLostIsReportedMissingAlongsideIncompleteTasks() throws Exception {
        JobService jobs = localService();
        Storage storage = local(localConfig("corc"));
        String id = jobs.run(JobRequest.of(List.of("true")), "fake", ProgressListener.NONE)
                .id();
        file("a/kept.txt", "kept");
        file("a/lost.txt", "lost");
        storage.upload(work.resolve("a"), "corc", id + "/output/0/", ProgressListener.NONE);
        storage.put("corc", id + "/output/1/job.json", file("b/job.json", "{}")); // task 1 cut off
        storage.delete("corc", id + "/output/0/lost.txt"); // say, corc storage rm of one key

        TransferReport report = jobs.downloadResults(id, work.resolve("dl"), ProgressListener.NONE);

        assertThat(report.missing()).containsExactly(id + "/output/0/lost.txt");
        assertThat(report.incomplete()).containsExactly(id + "/output/1/");
        assertThat(report.whole()).isFalse();
        assertThat(work.resolve("dl").resolve(id).resolve("0/kept.txt")).hasContent("kept");
        assertThat(work.resolve("dl").resolve(id).resolve("0/lost.txt")).doesNotExist();
    }

    @Test
    void resultsComeFromTheStorageTheJobWasStagedToWhateverIsConfiguredNow() throws Exception {
        String id = localService()
                .run(JobRequest.of(List.of("true")), "fake", ProgressListener.NONE)
                .id();
        local(localConfig("corc")).upload(file("out/r.txt", "result").getParent(), "corc", id + "/output/0/", null);

        // the configuration now names another backend and bucket; every call to it fails
        JobService now = service(
                "elsewhere", new PluginConfig("corc.storage.elsewhere", Map.of("bucket_name", "x")), null, Map.of());

        assertThat(now.listResults(id)).extracting(StoredObject::key).containsExactly(id + "/output/0/r.txt");
        TransferReport report = now.downloadResults(id, work.resolve("dl"), ProgressListener.NONE);
        assertThat(report.incomplete()).isEmpty();
        assertThat(work.resolve("dl").resolve(id).resolve("0/r.txt")).hasContent("result");
        assertThat(now.outputLocation(id)).contains(home.resolve("buckets").toString());
        assertThat(now.deleteResults(id)).isEqualTo(2); // the file and its marker
        assertThat(local(localConfig("corc")).list("corc", id + "/")).isEmpty();
    }

    @Test
    void aBucketGivenExplicitlyWinsOverTheRecordedOne() throws Exception {
        String id = localService()
                .run(JobRequest.of(List.of("true")), "fake", ProgressListener.NONE)
                .id();
        local(localConfig("copy")).upload(file("out/r.txt", "copied").getParent(), "copy", id + "/output/0/", null);

        JobService now = service(
                "elsewhere",
                PluginConfig.empty("corc.storage.elsewhere"),
                null,
                Map.of("corc.storage.local.bucket_name", "copy", "corc.storage.s3.bucket_name", "not-this"));

        assertThat(now.listResults(id)).extracting(StoredObject::key).containsExactly(id + "/output/0/r.txt");
    }

    @Test
    void aRecordedStorageThatCannotBeOpenedIsNamed() {
        records.put(StateRecord.create(
                "job",
                "job-far",
                "submitted",
                Map.of(
                        "scheduler", "fake",
                        "storage", "gcs",
                        "bucket", "far-bucket",
                        "input_prefix", "input",
                        "output_prefix", "output")));

        assertThatThrownBy(() -> localService().listResults("job-far"))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.getMessage())
                            .startsWith("job 'job-far' was staged to storage 'gcs' (bucket 'far-bucket'), which cannot"
                                    + " be opened here: unknown storage 'gcs'");
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("'gcs' storage plug-in"));
                });
    }

    @Test
    void aSubmissionThatFailsBeforeAnythingWasStagedLeavesNoRecordEvenWhenCleanupFails() throws Exception {
        FlakyStorage unreachable = new FlakyStorage(local(localConfig("corc")));
        unreachable.ensureBucketFails = true;
        unreachable.deleteFails = true;
        JobService jobs = service("local", localConfig("corc"), unreachable, Map.of());

        assertThatThrownBy(() -> jobs.run(withInput(), "fake", ProgressListener.NONE))
                .hasMessageContaining("bucket unreachable");
        assertThat(records.list("job")).isEmpty();

        // no inputs, the scheduler rejects the job: nothing was staged either
        unreachable.ensureBucketFails = false;
        scheduler.rejects = true;
        assertThatThrownBy(() -> jobs.run(JobRequest.of(List.of("true")), "fake", ProgressListener.NONE))
                .hasMessageContaining("rejected");
        assertThat(records.list("job")).isEmpty();
    }

    @Test
    void aFailedSubmissionWhoseStagedInputsCannotBeRemovedIsLeftToGc() throws Exception {
        FlakyStorage storage = new FlakyStorage(local(localConfig("corc")));
        storage.deleteFails = true;
        scheduler.rejects = true;
        JobService jobs = service("local", localConfig("corc"), storage, Map.of());

        assertThatThrownBy(() -> jobs.run(withInput(), "fake", ProgressListener.NONE))
                .hasMessageContaining("rejected");

        assertThat(records.list("job")).singleElement().satisfies(r -> assertThat(r.status())
                .isEqualTo(JobService.ROLLBACK_PENDING));
        String id = records.list("job").get(0).id();
        assertThat(storage.list("corc", id + "/")).extracting(StoredObject::key).contains(id + "/input/in.txt");
        assertThat(jobs.abandoned(Instant.now())).extracting(AbandonedJob::id).containsExactly(id);

        storage.deleteFails = false;
        jobs.forget(id);

        assertThat(records.list("job")).isEmpty();
        assertThat(storage.list("corc", id + "/")).isEmpty();
    }

    @Test
    void whatAFailedSubmitLeftInTheSchedulerIsRecordedAndRemovedByGc() throws Exception {
        JobService jobs = localService();
        scheduler.leavesLeftovers = true;

        assertThatThrownBy(() -> jobs.run(withInput(), "fake", ProgressListener.NONE))
                .hasMessageContaining("went away");

        StateRecord record = records.list("job").get(0);
        assertThat(record.status()).isEqualTo(JobService.ROLLBACK_PENDING);
        assertThat(scheduler.get(record.id())).isPresent();
        assertThat(jobs.list(null)).isEmpty(); // not a job anyone submitted successfully
        assertThat(jobs.abandoned(Instant.now())).extracting(AbandonedJob::id).containsExactly(record.id());

        jobs.forget(record.id());

        assertThat(scheduler.get(record.id())).isEmpty();
        assertThat(records.list("job")).isEmpty();
    }

    /** Local storage whose calls can be made to fail like an unreachable store's. */
    private static final class FlakyStorage implements Storage {
        private final Storage delegate;
        boolean ensureBucketFails;
        boolean deleteFails;

        FlakyStorage(Storage delegate) {
            this.delegate = delegate;
        }

        private static CorcException unreachable(String what) {
            return new CorcException(ErrorCategory.UNAVAILABLE, what + " unreachable");
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public Features features() {
            return delegate.features();
        }

        @Override
        public CheckResult check() {
            return delegate.check();
        }

        @Override
        public void ensureBucket(String bucket) {
            if (ensureBucketFails) {
                throw unreachable("bucket");
            }
            delegate.ensureBucket(bucket);
        }

        @Override
        public void put(String bucket, String key, Path file) {
            delegate.put(bucket, key, file);
        }

        @Override
        public void get(String bucket, String key, Path target) {
            delegate.get(bucket, key, target);
        }

        @Override
        public List<StoredObject> list(String bucket, String prefix) {
            return delegate.list(bucket, prefix);
        }

        @Override
        public int delete(String bucket, String prefix) {
            if (deleteFails) {
                throw unreachable("delete");
            }
            return delegate.delete(bucket, prefix);
        }

        @Override
        public TransferReport upload(Path localDir, String bucket, String prefix, ProgressListener progress) {
            return delegate.upload(localDir, bucket, prefix, progress);
        }

        @Override
        public TransferReport download(String bucket, String prefix, Path localDir, ProgressListener progress) {
            return delegate.download(bucket, prefix, localDir, progress);
        }
    }

    /** A scheduler that accepts (and then knows) or rejects every job. */
    private static final class FakeScheduler implements Scheduler {
        boolean rejects;
        /** Rejects and, like a cluster that went away mid-submit, keeps what it created; reports that as Scheduler#submit says. */
        boolean leavesLeftovers;

        private final Map<String, Job> jobs = new HashMap<>();

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public Features features() {
            return Features.of();
        }

        @Override
        public CheckResult check() {
            return CheckResult.ok("fake", "fine");
        }

        @Override
        public Job submit(JobSpec spec, ProgressListener progress) {
            if (rejects) {
                throw CorcException.invalidInput("the scheduler rejected the job");
            }
            Job job = new Job(
                    spec.id(), spec.name(), "fake", JobState.SUCCEEDED, List.of(), Instant.now(), null, Map.of());
            jobs.put(job.id(), job);
            if (leavesLeftovers) {
                CorcException error = new CorcException(ErrorCategory.UNAVAILABLE, "the cluster went away");
                error.addSuppressed(new CorcException(ErrorCategory.UNAVAILABLE, "cannot delete job " + spec.id()));
                throw error;
            }
            return job;
        }

        @Override
        public List<Job> list() {
            return List.copyOf(jobs.values());
        }

        @Override
        public Optional<Job> get(String jobId) {
            return Optional.ofNullable(jobs.get(jobId));
        }

        @Override
        public void logs(String jobId, Integer taskIndex, boolean follow, Consumer<LogLine> sink) {}

        @Override
        public Job cancel(String jobId) {
            return jobs.get(jobId);
        }

        @Override
        public void remove(String jobId) {
            jobs.remove(jobId);
        }
    }
}
