package io.corc.scheduler.kubernetes;

import static java.util.Objects.requireNonNull;

import io.corc.api.CheckResult;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Feature;
import io.corc.api.Features;
import io.corc.api.Job;
import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.LogLine;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.Resource;
import io.corc.api.Scheduler;
import io.corc.api.Staging;
import io.corc.api.StateRecord;
import io.corc.api.TaskStatus;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs corc jobs on a Kubernetes cluster as indexed batch/v1 Jobs (see {@link JobManifests} for the objects). Each
 * submission is recorded in the state store with the kubeconfig, context and namespace it went to, so later
 * commands find the job even after the user switched context. Waiting is watch-based.
 */
final class KubernetesScheduler implements Scheduler {
    static final String RECORD_TYPE = "kubernetes-job";
    private static final Duration RESYNC = Duration.ofSeconds(30);

    private final String name;
    private final KubernetesSettings settings;
    private final RecordStore records;
    private final ClientSource clients;
    private volatile Target target;

    /** Where jobs go: a kubeconfig (or the usual places when {@code null}) and a context. */
    private record Target(Path kubeconfig, String context) {}

    /** Where one job is. */
    private record Location(KubernetesClient client, String namespace, String where) {}

    KubernetesScheduler(String name, KubernetesSettings settings, RecordStore records, ClientSource clients) {
        this.name = requireNonNull(name, "name is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.records = requireNonNull(records, "records is null");
        this.clients = requireNonNull(clients, "clients is null");
        this.target = new Target(settings.kubeconfig(), settings.context());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Features features() {
        return Features.of(Feature.CONTAINER_IMAGES, Feature.PARALLEL_TASKS, Feature.LOG_FOLLOW, Feature.GPUS);
    }

    /** A corc-orchestrated cluster names its kubeconfig (and context) in its details. */
    @Override
    public void prepare(Resource resource) {
        String kubeconfig = resource.details().get("kubeconfig");
        if (kubeconfig != null && !kubeconfig.isBlank()) {
            target = new Target(Path.of(kubeconfig), resource.details().get("context"));
        }
    }

    @Override
    public CheckResult check() {
        try {
            KubernetesClient client = client(target);
            String namespace = defaultNamespace(client);
            client.batch()
                    .v1()
                    .jobs()
                    .inNamespace(namespace)
                    .list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder()
                            .withLimit(1L)
                            .build());
            return CheckResult.ok(name, "cluster " + client.getMasterUrl() + ", namespace " + namespace);
        } catch (KubeconfigClients.NotConfigured e) {
            return CheckResult.notConfigured(
                    name,
                    e.getMessage() + e.hint().map(h -> " (hint: " + h + ")").orElse(""));
        } catch (RuntimeException e) {
            CorcException error = KubernetesErrors.translate(e, "list jobs", "cluster of " + describe(target));
            return CheckResult.failed(
                    name,
                    error.getMessage()
                            + error.hint().map(h -> " (hint: " + h + ")").orElse(""));
        }
    }

    @Override
    public Job submit(JobSpec spec, ProgressListener progress) {
        return submit(spec, Map.of(), progress);
    }

    @Override
    public Job submit(JobSpec spec, Map<String, String> runnerSecrets, ProgressListener progress) {
        String image = spec.image() != null ? spec.image() : settings.defaultImage();
        if (image == null || image.isBlank()) {
            throw CorcException.invalidInput(
                            "the kubernetes scheduler runs each task in a container image, and the" + " job names none")
                    .withHint("add --image (e.g. --image nielsbohr/mccode-job-runner:latest for McStas) or set"
                            + " corc.schedulers.kubernetes.default_image");
        }
        checkStaging(spec);
        String context = spec.options().get(JobOptions.PREFIX + "context");
        Target submitTarget = context == null ? target : new Target(target.kubeconfig(), context);
        KubernetesClient client = client(submitTarget);
        JobOptions options = JobOptions.of(spec, settings, defaultNamespace(client));
        String where = where(client, options.namespace());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("namespace", options.namespace());
        if (submitTarget.kubeconfig() != null) {
            data.put("kubeconfig", submitTarget.kubeconfig().toString());
        }
        if (submitTarget.context() != null) {
            data.put("context", submitTarget.context());
        }
        // Written once, before any API call: where the job is, or would be. Should this process die before the Job
        // exists, the record still names the place, and remove() (corc gc, for the core's job record that never
        // got past staging) looks there and deletes whatever did get created.
        records.put(StateRecord.create(RECORD_TYPE, spec.id(), "submitted", data));
        progress.onProgress("creating Kubernetes job", 0, 1);
        // Job first, then its Secret already owned by it: two API calls, and the cluster deletes the Secret with the
        // Job. A pod that starts before the Secret exists waits in ContainerCreating until the kubelet can mount it.
        boolean jobCreated = false;
        boolean secretCreated = false;
        try {
            io.fabric8.kubernetes.api.model.batch.v1.Job job = client.batch()
                    .v1()
                    .jobs()
                    .inNamespace(options.namespace())
                    .resource(JobManifests.job(spec, image, options, settings))
                    .create();
            jobCreated = true;
            client.secrets()
                    .inNamespace(options.namespace())
                    .resource(JobManifests.ownedBy(JobManifests.secret(spec, options.namespace(), runnerSecrets), job))
                    .create();
            secretCreated = true;
            progress.onProgress("creating Kubernetes job", 1, 1);
            return TaskStates.toJob(job, List.of(), name);
        } catch (RuntimeException e) {
            CorcException error = KubernetesErrors.translate(e, "submit job " + spec.id(), where);
            rollBack(client, options.namespace(), spec.id(), secretCreated, jobCreated, error);
            throw error;
        }
    }

    /** Pods cannot read this machine's files or loopback addresses: refuse early instead of failing in the pod. */
    private void checkStaging(JobSpec spec) {
        Staging staging = spec.staging();
        if (staging == null) {
            return;
        }
        String storage = spec.options().getOrDefault(Staging.STORAGE_NAME_OPTION, staging.storage());
        if (storage.equals("local")) {
            throw CorcException.invalidInput("job " + spec.id() + " stages its files through local storage, which"
                            + " pods in a cluster cannot reach")
                    .withHint("stage through S3: --storage-s3 --storage-endpoint URL --storage-bucket NAME, or"
                            + " corc.storage.backend: s3 in the configuration");
        }
        String endpoint = spec.options().get(Staging.STORAGE_CONFIG_OPTION_PREFIX + "endpoint");
        if (endpoint != null && isLoopback(endpoint) && !settings.allowLoopbackStorage()) {
            throw CorcException.invalidInput("the storage endpoint " + endpoint + " is a loopback address, which"
                            + " pods in a cluster cannot reach")
                    .withHint("use an address the cluster can reach (its S3 service, MinIO in the cluster, the"
                            + " machine's network address)");
        }
    }

    private static boolean isLoopback(String endpoint) {
        try {
            String host = URI.create(endpoint).getHost();
            return host != null
                    && (host.equals("localhost") || InetAddress.getByName(host).isLoopbackAddress());
        } catch (Exception e) {
            return false;
        }
    }

    private void rollBack(
            KubernetesClient client,
            String namespace,
            String jobId,
            boolean secretCreated,
            boolean jobCreated,
            CorcException error) {
        try {
            if (jobCreated) {
                client.batch()
                        .v1()
                        .jobs()
                        .inNamespace(namespace)
                        .withName(jobId)
                        .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                        .delete();
            }
            if (secretCreated) {
                client.secrets()
                        .inNamespace(namespace)
                        .withName(JobManifests.secretName(jobId))
                        .delete();
            }
            records.delete(RECORD_TYPE, jobId);
        } catch (RuntimeException cleanup) {
            // the record stays, so corc job delete / gc can finish the clean-up
            error.addSuppressed(cleanup);
            records.update(RECORD_TYPE, jobId, r -> r == null ? null : r.withStatus("rollback-pending"));
        }
    }

    @Override
    public List<Job> list() {
        KubernetesClient client = client(target);
        Set<String> namespaces = new LinkedHashSet<>();
        namespaces.add(defaultNamespace(client));
        for (StateRecord record : records.list(RECORD_TYPE)) {
            if (sameTarget(record, target) && record.string("namespace") != null) {
                namespaces.add(record.string("namespace"));
            }
        }
        List<Job> jobs = new ArrayList<>();
        for (String namespace : namespaces) {
            try {
                List<io.fabric8.kubernetes.api.model.batch.v1.Job> found = client.batch()
                        .v1()
                        .jobs()
                        .inNamespace(namespace)
                        .withLabel(JobManifests.MANAGED_BY_LABEL, JobManifests.MANAGED_BY)
                        .list()
                        .getItems();
                if (found.isEmpty()) {
                    continue;
                }
                Map<String, List<Pod>> podsByJob = new LinkedHashMap<>();
                for (Pod pod : client.pods()
                        .inNamespace(namespace)
                        .withLabel(JobManifests.MANAGED_BY_LABEL, JobManifests.MANAGED_BY)
                        .list()
                        .getItems()) {
                    String jobId = pod.getMetadata().getLabels().get(JobManifests.JOB_ID_LABEL);
                    podsByJob.computeIfAbsent(jobId, k -> new ArrayList<>()).add(pod);
                }
                for (io.fabric8.kubernetes.api.model.batch.v1.Job job : found) {
                    jobs.add(TaskStates.toJob(
                            job, podsByJob.getOrDefault(job.getMetadata().getName(), List.of()), name));
                }
            } catch (RuntimeException e) {
                throw KubernetesErrors.translate(e, "list jobs", where(client, namespace));
            }
        }
        jobs.sort(Comparator.comparing((Job j) -> j.submittedAt() == null ? Instant.EPOCH : j.submittedAt())
                .reversed());
        return jobs;
    }

    @Override
    public Optional<Job> get(String jobId) {
        Location location = locate(jobId);
        try {
            io.fabric8.kubernetes.api.model.batch.v1.Job job = location.client()
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace(location.namespace())
                    .withName(jobId)
                    .get();
            if (job == null) {
                return Optional.empty();
            }
            return Optional.of(TaskStates.toJob(job, pods(location, jobId), name));
        } catch (RuntimeException e) {
            throw KubernetesErrors.translate(e, "read job " + jobId, location.where());
        }
    }

    private List<Pod> pods(Location location, String jobId) {
        return location.client()
                .pods()
                .inNamespace(location.namespace())
                .withLabel(JobManifests.JOB_ID_LABEL, jobId)
                .list()
                .getItems();
    }

    @Override
    public void logs(String jobId, Integer taskIndex, boolean follow, Consumer<LogLine> sink) {
        Location location = locate(jobId);
        Job job = get(jobId)
                .orElseThrow(() -> CorcException.notFound("job '" + jobId + "' not found in " + location.where()));
        new PodLogs(location.client(), location.namespace(), jobId, this::get).send(job, taskIndex, follow, sink);
    }

    @Override
    public Job cancel(String jobId) {
        Location location = locate(jobId);
        Job before = get(jobId)
                .orElseThrow(() -> CorcException.notFound("job '" + jobId + "' not found in " + location.where()));
        if (before.state().isFinished()) {
            return before;
        }
        try {
            location.client()
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace(location.namespace())
                    .withName(jobId)
                    .patch(
                            PatchContext.of(PatchType.JSON_MERGE),
                            "{\"metadata\":{\"annotations\":{\"" + JobManifests.CANCELLED_ANNOTATION + "\":\""
                                    + Instant.now() + "\"}},\"spec\":{\"suspend\":true}}");
            // suspend makes the controller delete running pods; delete them now so cancel is immediate
            for (Pod pod : pods(location, jobId)) {
                String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
                if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
                    location.client()
                            .pods()
                            .inNamespace(location.namespace())
                            .resource(pod)
                            .delete();
                }
            }
        } catch (RuntimeException e) {
            throw KubernetesErrors.translate(e, "cancel job " + jobId, location.where());
        }
        return get(jobId).orElse(before);
    }

    @Override
    public void remove(String jobId) {
        Location location = locate(jobId);
        try {
            location.client()
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace(location.namespace())
                    .withName(jobId)
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                    .delete();
            location.client()
                    .pods()
                    .inNamespace(location.namespace())
                    .withLabel(JobManifests.JOB_ID_LABEL, jobId)
                    .delete();
            location.client()
                    .secrets()
                    .inNamespace(location.namespace())
                    .withName(JobManifests.secretName(jobId))
                    .delete();
        } catch (RuntimeException e) {
            throw KubernetesErrors.translate(e, "delete job " + jobId, location.where());
        }
        records.delete(RECORD_TYPE, jobId);
    }

    /**
     * Waits on watches of the Job and its pods (re-reading at least every 30 s in case a watch drops), reporting
     * how many tasks are pending, running, succeeded and failed, and why a task is stuck.
     */
    @Override
    public Job await(String jobId, Duration timeout, ProgressListener progress) {
        Location location = locate(jobId);
        Instant deadline = Instant.now().plus(timeout);
        BlockingQueue<Boolean> changes = new LinkedBlockingQueue<>();
        Watcher<Object> wake = new Watcher<>() {
            @Override
            public void eventReceived(Action action, Object resource) {
                changes.offer(Boolean.TRUE);
            }

            @Override
            public void onClose(WatcherException cause) {
                changes.offer(Boolean.TRUE);
            }
        };
        @SuppressWarnings({"unchecked", "rawtypes"})
        Watcher<io.fabric8.kubernetes.api.model.batch.v1.Job> jobWatcher = (Watcher) wake;
        @SuppressWarnings({"unchecked", "rawtypes"})
        Watcher<Pod> podWatcher = (Watcher) wake;
        try (Watch jobs = location.client()
                        .batch()
                        .v1()
                        .jobs()
                        .inNamespace(location.namespace())
                        .withName(jobId)
                        .watch(jobWatcher);
                Watch pods = location.client()
                        .pods()
                        .inNamespace(location.namespace())
                        .withLabel(JobManifests.JOB_ID_LABEL, jobId)
                        .watch(podWatcher)) {
            while (true) {
                Job job = get(jobId)
                        .orElseThrow(
                                () -> CorcException.notFound("job '" + jobId + "' not found in " + location.where()));
                progress.onProgress(
                        describeProgress(job), finished(job), job.tasks().size());
                Duration left = Duration.between(Instant.now(), deadline);
                if (job.state().isFinished() || left.isNegative() || left.isZero()) {
                    return job;
                }
                long waitMillis = Math.min(left.toMillis(), RESYNC.toMillis());
                if (changes.poll(waitMillis, TimeUnit.MILLISECONDS) != null) {
                    changes.clear();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CorcException(ErrorCategory.CANCELLED, "interrupted while waiting for job " + jobId);
        } catch (RuntimeException e) {
            throw KubernetesErrors.translate(e, "watch job " + jobId, location.where());
        }
    }

    private static long finished(Job job) {
        return job.tasks().stream().filter(t -> t.state().isFinished()).count();
    }

    /** "tasks: 2 pending, 1 running, 3 succeeded, 0 failed; task 4: cannot pull the image ..." */
    static String describeProgress(Job job) {
        StringBuilder text = new StringBuilder("tasks: ")
                .append(job.count(JobState.PENDING))
                .append(" pending, ")
                .append(job.count(JobState.RUNNING))
                .append(" running, ")
                .append(job.count(JobState.SUCCEEDED))
                .append(" succeeded, ")
                .append(job.count(JobState.FAILED))
                .append(" failed");
        job.tasks().stream()
                .filter(t -> !t.state().isFinished() && t.message() != null && t.state() == JobState.PENDING)
                .findFirst()
                .map(TaskStatus::message)
                .ifPresent(message -> text.append("; ").append(message));
        return text.toString();
    }

    /** The cluster and namespace of a job: as recorded at submission, else the current target's default. */
    private Location locate(String jobId) {
        Optional<StateRecord> record = records.get(RECORD_TYPE, jobId);
        Target jobTarget = record.map(r -> new Target(
                        r.string("kubeconfig") == null ? null : Path.of(r.string("kubeconfig")), r.string("context")))
                .orElse(target);
        KubernetesClient client = client(jobTarget);
        String namespace = record.map(r -> r.string("namespace")).orElseGet(() -> defaultNamespace(client));
        return new Location(client, namespace, where(client, namespace));
    }

    private static boolean sameTarget(StateRecord record, Target target) {
        String kubeconfig =
                target.kubeconfig() == null ? null : target.kubeconfig().toString();
        return java.util.Objects.equals(record.string("kubeconfig"), kubeconfig)
                && java.util.Objects.equals(record.string("context"), target.context());
    }

    private KubernetesClient client(Target of) {
        return clients.client(of.kubeconfig(), of.context());
    }

    private String defaultNamespace(KubernetesClient client) {
        if (settings.namespace() != null) {
            return settings.namespace();
        }
        String namespace = client.getNamespace();
        return namespace == null || namespace.isBlank() ? "default" : namespace;
    }

    private static String where(KubernetesClient client, String namespace) {
        return "namespace " + namespace + " on " + client.getMasterUrl();
    }

    private static String describe(Target target) {
        return (target.kubeconfig() == null
                        ? "the default kubeconfig"
                        : target.kubeconfig().toString())
                + (target.context() == null ? "" : " context " + target.context());
    }
}
