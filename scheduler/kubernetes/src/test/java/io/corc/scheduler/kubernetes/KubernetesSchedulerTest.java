package io.corc.scheduler.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.InMemoryRecordStore;
import io.corc.api.Job;
import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.LogLine;
import io.corc.api.ProgressListener;
import io.corc.api.ResourceRequest;
import io.corc.api.TaskReport;
import io.corc.api.TaskStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scheduler against the fabric8 mock API server in CRUD mode, with the test playing the Job controller. */
@EnableKubernetesMockClient(crud = true)
class KubernetesSchedulerTest {
    static KubernetesClient client;
    static KubernetesMockServer server;

    private InMemoryRecordStore records;
    private KubernetesScheduler scheduler;
    private FakeJobController controller;
    private static final java.util.concurrent.atomic.AtomicInteger COUNTER =
            new java.util.concurrent.atomic.AtomicInteger();

    @BeforeEach
    void setUp() {
        records = new InMemoryRecordStore();
        scheduler = new KubernetesScheduler(
                "kubernetes", JobManifestsTest.SETTINGS, records, (kubeconfig, context) -> client);
        controller = new FakeJobController(client, client.getNamespace());
    }

    private JobSpec spec(int tasks) {
        String id = "job-20261122-1200" + String.format("%02d", COUNTER.incrementAndGet()) + "-test";
        return new JobSpec(
                id,
                "scan",
                List.of("echo", "hi"),
                "busybox:1.36",
                Map.of(),
                null,
                tasks,
                2,
                new ResourceRequest(1, 0.5, null),
                null,
                false,
                new io.corc.api.Staging("s3", "bucket", id, null, null),
                Map.of("corc.storage.name", "s3", "corc.storage.config.endpoint", "https://s3.example.org"));
    }

    private static TaskReport report(JobSpec spec, int index, int exitCode) {
        Instant now = Instant.now();
        return new TaskReport(
                1,
                spec.id(),
                index,
                spec.command(),
                exitCode,
                "node-1",
                now.minusSeconds(10),
                now,
                1.5,
                7.25,
                0.5,
                null);
    }

    @Test
    void submitCreatesTheSecretOwnedByTheJobAndRecordsWhereItWent() {
        JobSpec spec = spec(3);
        Job job = scheduler.submit(
                spec, Map.of("aws_access_key_id", "AKIA", "aws_secret_access_key", "s3cr3t"), ProgressListener.NONE);

        assertThat(job.id()).isEqualTo(spec.id());
        assertThat(job.tasks()).hasSize(3).allMatch(t -> t.state() == JobState.PENDING);
        var created = controller.job(spec.id());
        assertThat(created.getSpec().getCompletions()).isEqualTo(3);
        assertThat(created.getMetadata().getUid()).isNotBlank();
        Secret secret = client.secrets()
                .inNamespace("test")
                .withName(spec.id() + "-corc")
                .get();
        assertThat(secret.getData()).containsKeys("spec.json", "aws_access_key_id", "aws_secret_access_key");
        assertThat(secret.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("Job");
            assertThat(owner.getUid()).isEqualTo(created.getMetadata().getUid());
        });
        assertThat(records.get(KubernetesScheduler.RECORD_TYPE, spec.id())
                        .orElseThrow()
                        .string("namespace"))
                .isEqualTo("test");
        // the secret values never reach the job's annotations or the record
        assertThat(created.toString()).doesNotContain("s3cr3t");
        assertThat(records.list(KubernetesScheduler.RECORD_TYPE).toString()).doesNotContain("s3cr3t");
    }

    @Test
    void perTaskStatesExitCodesTimingsAndFailureReasonsInPlainWords() {
        JobSpec spec = spec(4);
        scheduler.submit(spec, Map.of(), ProgressListener.NONE);
        controller.succeeded(controller.startPod(spec.id(), 0), report(spec, 0, 0));
        controller.oomKilled(controller.startPod(spec.id(), 1));
        controller.imagePullBackOff(controller.startPod(spec.id(), 2));
        controller.unschedulable(controller.startPod(spec.id(), 3));

        Job job = scheduler.get(spec.id()).orElseThrow();
        TaskStatus done = job.tasks().get(0);
        assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.exitCode()).isZero();
        assertThat(done.stageInSeconds()).isEqualTo(1.5);
        assertThat(done.computeSeconds()).isEqualTo(7.25);
        assertThat(done.stageOutSeconds()).isEqualTo(0.5);
        assertThat(done.host()).isEqualTo("node-1");

        TaskStatus oom = job.tasks().get(1);
        assertThat(oom.state()).isEqualTo(JobState.FAILED);
        assertThat(oom.exitCode()).isEqualTo(137);
        assertThat(oom.message()).contains("out of memory (OOMKilled)").contains("--memory");

        assertThat(job.tasks().get(2).state()).isEqualTo(JobState.PENDING);
        assertThat(job.tasks().get(2).message()).startsWith("cannot pull the image (ImagePullBackOff)");
        assertThat(job.tasks().get(3).message())
                .isEqualTo("cannot be scheduled: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");
        assertThat(job.state()).isEqualTo(JobState.RUNNING);
        assertThat(KubernetesScheduler.describeProgress(job))
                .isEqualTo("tasks: 2 pending, 0 running, 1 succeeded, 1 failed; cannot pull the image"
                        + " (ImagePullBackOff): Back-off pulling image \"mccode/mcstas:nope\"");
        assertThat(job.details()).containsEntry("namespace", "test").containsEntry("image", "busybox:1.36");
    }

    @Test
    void awaitWakesOnWatchEventsAndReportsProgress() throws Exception {
        JobSpec spec = spec(2);
        scheduler.submit(spec, Map.of(), ProgressListener.NONE);
        List<String> steps = new CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch watching = new java.util.concurrent.CountDownLatch(1);
        CompletableFuture<Job> waiting = CompletableFuture.supplyAsync(
                () -> scheduler.await(spec.id(), Duration.ofMinutes(5), (step, done, total) -> {
                    steps.add(step + " " + done + "/" + total);
                    watching.countDown();
                }));
        assertThat(watching.await(30, TimeUnit.SECONDS)).isTrue();
        Pod first = controller.startPod(spec.id(), 0);
        controller.running(first);
        controller.succeeded(first, report(spec, 0, 0));
        controller.succeeded(controller.startPod(spec.id(), 1), report(spec, 1, 0));
        controller.complete(spec.id(), "0-1");

        Job done = waiting.get(30, TimeUnit.SECONDS);
        assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.finishedAt()).isNotNull();
        assertThat(steps.get(0)).isEqualTo("tasks: 2 pending, 0 running, 0 succeeded, 0 failed 0/2");
        assertThat(steps.get(steps.size() - 1)).isEqualTo("tasks: 0 pending, 0 running, 2 succeeded, 0 failed 2/2");
    }

    @Test
    void listShowsCorcJobsNewestFirstAndTasksWhosePodsAreGoneByTheCompletedIndexes() {
        JobSpec older = spec(1);
        JobSpec newer = spec(2);
        scheduler.submit(older, Map.of(), ProgressListener.NONE);
        scheduler.submit(newer, Map.of(), ProgressListener.NONE);
        controller.complete(newer.id(), "0-1"); // pods already garbage collected

        List<Job> jobs = scheduler.list();
        assertThat(jobs).extracting(Job::id).contains(older.id(), newer.id());
        Job listed =
                jobs.stream().filter(j -> j.id().equals(newer.id())).findFirst().orElseThrow();
        assertThat(listed.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(listed.tasks()).allMatch(t -> t.state() == JobState.SUCCEEDED);
    }

    @Test
    void aJobIsOverOnlyWhenTheJobControllerSaysSoAsAFailedPodMayBeRetried() {
        JobSpec spec = spec(1);
        scheduler.submit(spec, Map.of(), ProgressListener.NONE);
        controller.oomKilled(controller.startPod(spec.id(), 0));
        assertThat(scheduler.get(spec.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);

        Pod retry = controller.startPod(spec.id(), 0);
        controller.succeeded(retry, report(spec, 0, 0));
        assertThat(scheduler.get(spec.id()).orElseThrow().tasks().get(0).state())
                .isEqualTo(JobState.SUCCEEDED);
        assertThat(scheduler.get(spec.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        controller.complete(spec.id(), "0");
        assertThat(scheduler.get(spec.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void aFailedJobMarksTasksThatNeverRanAsNotRun() {
        JobSpec spec = spec(3);
        scheduler.submit(spec, Map.of(), ProgressListener.NONE);
        controller.oomKilled(controller.startPod(spec.id(), 0));
        controller.fail(spec.id(), "BackoffLimitExceeded");

        Job job = scheduler.get(spec.id()).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.tasks().get(0).state()).isEqualTo(JobState.FAILED);
        assertThat(job.tasks().get(2).state()).isEqualTo(JobState.CANCELLED);
        assertThat(job.tasks().get(2).message()).contains("a task failed and no retries were left");
        assertThat(job.details().get("failure")).contains("no retries were left");
    }

    @Test
    void cancelSuspendsTheJobAndDeletesUnfinishedPodsButKeepsFinishedTasks() {
        JobSpec spec = spec(2);
        scheduler.submit(spec, Map.of(), ProgressListener.NONE);
        controller.succeeded(controller.startPod(spec.id(), 0), report(spec, 0, 0));
        controller.running(controller.startPod(spec.id(), 1));

        Job cancelled = scheduler.cancel(spec.id());

        assertThat(controller.job(spec.id()).getSpec().getSuspend()).isTrue();
        assertThat(cancelled.tasks().get(0).state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(cancelled.tasks().get(1).state()).isEqualTo(JobState.CANCELLED);
        assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
        assertThat(client.pods()
                        .inNamespace("test")
                        .withLabel("corc.io/job-id", spec.id())
                        .list()
                        .getItems())
                .singleElement()
                .satisfies(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Succeeded"));
        // idempotent: cancelling again changes nothing
        assertThat(scheduler.cancel(spec.id()).state()).isEqualTo(JobState.CANCELLED);
    }

    @Test
    void removeDeletesJobPodsSecretAndRecordAndIsIdempotent() {
        JobSpec spec = spec(1);
        scheduler.submit(spec, Map.of("aws_access_key_id", "A", "aws_secret_access_key", "B"), ProgressListener.NONE);
        controller.startPod(spec.id(), 0);

        scheduler.remove(spec.id());
        scheduler.remove(spec.id());

        assertThat(controller.job(spec.id())).isNull();
        assertThat(client.secrets()
                        .inNamespace("test")
                        .withName(spec.id() + "-corc")
                        .get())
                .isNull();
        assertThat(client.pods()
                        .inNamespace("test")
                        .withLabel("corc.io/job-id", spec.id())
                        .list()
                        .getItems())
                .isEmpty();
        assertThat(records.get(KubernetesScheduler.RECORD_TYPE, spec.id())).isEmpty();
        assertThat(scheduler.get(spec.id())).isEmpty();
    }

    @Test
    void aRefusedJobLeavesNothingBehind() {
        JobSpec spec = spec(1);
        server.expect()
                .post()
                .withPath("/apis/batch/v1/namespaces/test/jobs")
                .andReturn(
                        403,
                        new StatusBuilder()
                                .withCode(403)
                                .withMessage(
                                        "jobs.batch \"" + spec.id()
                                                + "\" is forbidden: exceeded quota: compute, requested: requests.cpu=1, used: requests.cpu=8, limited: requests.cpu=8")
                                .build())
                .once();

        assertThatThrownBy(() -> scheduler.submit(spec, Map.of("aws_access_key_id", "A"), ProgressListener.NONE))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY);
                    assertThat(e.getMessage()).contains("exceeded quota").contains("namespace test");
                    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("quota"));
                });
        assertThat(client.secrets()
                        .inNamespace("test")
                        .withName(spec.id() + "-corc")
                        .get())
                .isNull();
        assertThat(records.get(KubernetesScheduler.RECORD_TYPE, spec.id())).isEmpty();
    }

    @Test
    void aRefusedSecretRollsBackTheJob() {
        JobSpec spec = spec(2);
        server.expect()
                .post()
                .withPath("/api/v1/namespaces/test/secrets")
                .andReturn(
                        403,
                        new StatusBuilder()
                                .withCode(403)
                                .withMessage("secrets is forbidden: User \"ci\" cannot create resource \"secrets\"")
                                .build())
                .once();

        assertThatThrownBy(() -> scheduler.submit(spec, Map.of("aws_access_key_id", "A"), ProgressListener.NONE))
                .isInstanceOfSatisfying(CorcException.class, e -> assertThat(e.getMessage())
                        .contains("cannot create resource")
                        .contains("namespace test"));
        assertThat(controller.job(spec.id())).isNull();
        assertThat(records.get(KubernetesScheduler.RECORD_TYPE, spec.id())).isEmpty();
    }

    @Test
    void refusesJobsPodsCouldNotRun() {
        JobSpec noImage =
                new JobSpec("job-x", "x", List.of("true"), null, null, null, 1, 1, null, null, false, null, null);
        assertThatThrownBy(() -> scheduler.submit(noImage, ProgressListener.NONE))
                .hasMessageContaining("runs each task in a container image")
                .isInstanceOfSatisfying(CorcException.class, e -> assertThat(e.hint())
                        .hasValueSatisfying(h -> assertThat(h).contains("--image")));
        JobSpec local = new JobSpec(
                "job-y",
                "y",
                List.of("true"),
                "busybox",
                null,
                null,
                1,
                1,
                null,
                null,
                false,
                new io.corc.api.Staging("local", "b", "job-y", null, null),
                null);
        assertThatThrownBy(() -> scheduler.submit(local, ProgressListener.NONE))
                .hasMessageContaining("local storage, which pods");
        JobSpec loopback = new JobSpec(
                "job-z",
                "z",
                List.of("true"),
                "busybox",
                null,
                null,
                1,
                1,
                null,
                null,
                false,
                new io.corc.api.Staging("s3", "b", "job-z", null, null),
                Map.of("corc.storage.config.endpoint", "http://127.0.0.1:9000"));
        assertThatThrownBy(() -> scheduler.submit(loopback, ProgressListener.NONE))
                .hasMessageContaining("loopback address");
        assertThat(client.batch()
                        .v1()
                        .jobs()
                        .inNamespace("test")
                        .withName("job-z")
                        .get())
                .isNull();
    }

    @Test
    void logsOfEveryTaskOrOne() {
        JobSpec spec = spec(2);
        scheduler.submit(spec, Map.of(), ProgressListener.NONE);
        Pod zero = controller.succeeded(controller.startPod(spec.id(), 0), report(spec, 0, 0));
        Pod one = controller.succeeded(controller.startPod(spec.id(), 1), report(spec, 1, 0));
        server.expect()
                .get()
                .withPath("/api/v1/namespaces/test/pods/" + zero.getMetadata().getName()
                        + "/log?pretty=false&container=task")
                .andReturn(200, "hello from 0\nsecond line\n")
                .always();
        server.expect()
                .get()
                .withPath("/api/v1/namespaces/test/pods/" + one.getMetadata().getName()
                        + "/log?pretty=false&container=task")
                .andReturn(200, "hello from 1\n")
                .always();

        List<LogLine> all = new ArrayList<>();
        scheduler.logs(spec.id(), null, false, all::add);
        assertThat(all)
                .extracting(l -> l.taskIndex() + ":" + l.text())
                .containsExactly("0:hello from 0", "0:second line", "1:hello from 1");
        List<LogLine> second = new ArrayList<>();
        scheduler.logs(spec.id(), 1, false, second::add);
        assertThat(second).extracting(LogLine::text).containsExactly("hello from 1");
        assertThatThrownBy(() -> scheduler.logs(spec.id(), 5, false, l -> {})).hasMessageContaining("has no task 5");
    }

    @Test
    void followStreamsEachTasksLogUntilTheJobIsOver() {
        JobSpec spec = spec(1);
        scheduler.submit(spec, Map.of(), ProgressListener.NONE);
        Pod pod = controller.succeeded(controller.startPod(spec.id(), 0), report(spec, 0, 0));
        controller.complete(spec.id(), "0");
        server.expect()
                .get()
                .withPath("/api/v1/namespaces/test/pods/" + pod.getMetadata().getName()
                        + "/log?pretty=false&container=task&follow=true")
                .andReturn(200, "streamed 1\nstreamed 2\n")
                .always();

        List<LogLine> lines = new ArrayList<>();
        scheduler.logs(spec.id(), null, true, lines::add);

        assertThat(lines).extracting(LogLine::text).containsExactly("streamed 1", "streamed 2");
    }

    @Test
    void checkNamesTheClusterAndNamespace() {
        assertThat(scheduler.check().ok()).isTrue();
        assertThat(scheduler.check().reason()).contains("namespace test");
    }

    @Test
    void anUnreachableApiServerIsReportedInPlainWordsAndLeavesNoRecord() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (io.fabric8.kubernetes.client.KubernetesClient down =
                new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                        .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder()
                                .withMasterUrl("https://127.0.0.1:" + closedPort)
                                .withNamespace("test")
                                .withRequestRetryBackoffLimit(0)
                                .build())
                        .build()) {
            KubernetesScheduler offline =
                    new KubernetesScheduler("kubernetes", JobManifestsTest.SETTINGS, records, (k, c) -> down);
            JobSpec spec = spec(1);

            assertThatThrownBy(() -> offline.submit(spec, Map.of("aws_access_key_id", "A"), ProgressListener.NONE))
                    .isInstanceOfSatisfying(CorcException.class, e -> {
                        assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE);
                        assertThat(e.getMessage())
                                .contains("connection refused")
                                .contains("namespace test");
                        assertThat(e.hint())
                                .hasValueSatisfying(h -> assertThat(h).contains("kubeconfig"));
                    });
            assertThat(records.get(KubernetesScheduler.RECORD_TYPE, spec.id())).isEmpty();
        }
    }
}
