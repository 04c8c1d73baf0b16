package io.corc.scheduler.kubernetes;

import io.corc.api.JobSpec;
import io.corc.api.ResourceRequest;
import io.corc.jobio.ContainerTask;
import io.corc.jobio.JobJson;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretVolumeSource;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Kubernetes objects of a corc job: one Secret (the spec and the storage credentials, mounted only into corc's
 * runner containers) and one indexed batch/v1 Job whose pods hold three containers sharing an emptyDir and a
 * process namespace:
 *
 * <pre>
 *   init  corc-stage-in   runner image   corc jobio stage-in: inputs into /corc/task/input
 *         task            user's image   sh wrapper ({@link ContainerTask#wrapperScript}) runs the command
 *         corc-stage-out  runner image   corc jobio stage-out: waits for the command, writes job.json, uploads
 * </pre>
 *
 * Pure functions of the spec and settings, so tests can compare the exact objects.
 */
final class JobManifests {
    static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    static final String MANAGED_BY = "corc";
    static final String JOB_ID_LABEL = "corc.io/job-id";
    static final String NAME_ANNOTATION = "corc.io/job-name";
    static final String CAPTURE_ANNOTATION = "corc.io/capture";
    static final String IMAGE_ANNOTATION = "corc.io/image";
    static final String CANCELLED_ANNOTATION = "corc.io/cancelled-at";
    /** Set by the Job controller on every pod of an indexed Job. */
    static final String INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index";

    static final String STAGE_IN = "corc-stage-in";
    static final String TASK = "task";
    static final String STAGE_OUT = "corc-stage-out";

    static final String SPEC_KEY = "spec.json";
    static final String WORK_MOUNT = "/corc";
    static final String TASK_DIR = WORK_MOUNT + "/task";
    static final String CONTROL_DIR = WORK_MOUNT + "/control";
    static final String SECRET_MOUNT = "/var/run/corc";
    static final String TERMINATION_LOG = "/dev/termination-log";

    private static final String WORK_VOLUME = "corc-work";
    private static final String SECRET_VOLUME = "corc-secret";

    private JobManifests() {}

    static String secretName(String jobId) {
        return jobId + "-corc";
    }

    static Map<String, String> labels(String jobId) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        labels.put(JOB_ID_LABEL, jobId);
        return labels;
    }

    /**
     * The job's Secret: {@code spec.json} and one file per storage credential ({@code aws_access_key_id}, ...), the
     * layout {@code corc jobio --storage-secrets-dir} reads.
     */
    static Secret secret(JobSpec spec, String namespace, Map<String, String> runnerSecrets) {
        Map<String, String> data = new TreeMap<>();
        runnerSecrets.forEach((name, value) -> data.put(name, base64(value)));
        data.put(SPEC_KEY, base64(JobJson.toJson(spec)));
        Secret secret = new Secret();
        secret.setMetadata(metadata(secretName(spec.id()), namespace, labels(spec.id()), null));
        secret.setType("Opaque");
        secret.setImmutable(true);
        secret.setData(data);
        return secret;
    }

    /** Makes the Job own {@code secret} (changed and returned), so the cluster deletes it with the Job. */
    static Secret ownedBy(Secret secret, Job job) {
        OwnerReference owner = new OwnerReference();
        owner.setApiVersion("batch/v1");
        owner.setKind("Job");
        owner.setName(job.getMetadata().getName());
        owner.setUid(job.getMetadata().getUid());
        owner.setBlockOwnerDeletion(false);
        secret.getMetadata().setOwnerReferences(List.of(owner));
        return secret;
    }

    // The objects are assembled with setters: fabric8's nested builders copy every subtree at each level, which made
    // building a Job cost as much client CPU as sending it (bench/k8s-submit.sh).
    static Job job(JobSpec spec, String image, JobOptions options, KubernetesSettings settings) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(NAME_ANNOTATION, spec.name());
        annotations.put(CAPTURE_ANNOTATION, Boolean.toString(spec.capture()));
        annotations.put(IMAGE_ANNOTATION, image);

        PodSpec pod = new PodSpec();
        pod.setRestartPolicy("Never");
        pod.setShareProcessNamespace(true);
        pod.setActiveDeadlineSeconds(
                spec.timeLimit() == null
                        ? null
                        : spec.timeLimit().plus(settings.stagingAllowance()).toSeconds());
        pod.setServiceAccountName(options.serviceAccount());
        // the user's command needs no API access unless a service account was asked for
        pod.setAutomountServiceAccountToken(options.serviceAccount() == null ? false : null);
        pod.setNodeSelector(options.nodeSelector().isEmpty() ? null : options.nodeSelector());
        pod.setTolerations(
                options.tolerations().stream().map(JobManifests::toleration).toList());
        pod.setImagePullSecrets(settings.imagePullSecrets().stream()
                .map(LocalObjectReference::new)
                .toList());
        Volume work = new Volume();
        work.setName(WORK_VOLUME);
        work.setEmptyDir(new EmptyDirVolumeSource());
        Volume secret = new Volume();
        secret.setName(SECRET_VOLUME);
        SecretVolumeSource secretSource = new SecretVolumeSource();
        secretSource.setSecretName(secretName(spec.id()));
        secretSource.setDefaultMode(0400);
        secret.setSecret(secretSource);
        pod.setVolumes(List.of(work, secret));
        pod.setInitContainers(List.of(runner(STAGE_IN, stageInArgs(), options, settings)));
        pod.setContainers(List.of(
                task(spec, image, options, settings), runner(STAGE_OUT, stageOutArgs(settings), options, settings)));

        PodTemplateSpec template = new PodTemplateSpec();
        template.setMetadata(metadata(null, null, labels(spec.id()), null));
        template.setSpec(pod);

        io.fabric8.kubernetes.api.model.batch.v1.JobSpec jobSpec =
                new io.fabric8.kubernetes.api.model.batch.v1.JobSpec();
        jobSpec.setCompletionMode("Indexed");
        jobSpec.setCompletions(spec.numJobs());
        jobSpec.setParallelism(spec.numParallel());
        jobSpec.setBackoffLimit(options.backoffLimit());
        jobSpec.setTtlSecondsAfterFinished((int) settings.ttlAfterFinished().toSeconds());
        jobSpec.setTemplate(template);

        Job job = new Job();
        job.setApiVersion("batch/v1");
        job.setKind("Job");
        job.setMetadata(metadata(spec.id(), options.namespace(), labels(spec.id()), annotations));
        job.setSpec(jobSpec);
        return job;
    }

    private static Toleration toleration(JobOptions.Toleration wanted) {
        Toleration toleration = new Toleration();
        toleration.setKey(wanted.key());
        toleration.setOperator(wanted.value() == null ? "Exists" : "Equal");
        toleration.setValue(wanted.value());
        toleration.setEffect(wanted.effect());
        return toleration;
    }

    private static ObjectMeta metadata(
            String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {
        ObjectMeta metadata = new ObjectMeta();
        metadata.setName(name);
        metadata.setNamespace(namespace);
        metadata.setLabels(labels);
        metadata.setAnnotations(annotations);
        return metadata;
    }

    private static List<String> stageInArgs() {
        return List.of(
                "jobio",
                "stage-in",
                "--spec",
                SECRET_MOUNT + "/" + SPEC_KEY,
                "--work-dir",
                TASK_DIR,
                "--control-dir",
                CONTROL_DIR,
                "--storage-secrets-dir",
                SECRET_MOUNT);
    }

    private static List<String> stageOutArgs(KubernetesSettings settings) {
        List<String> args = new ArrayList<>(stageInArgs());
        args.set(1, "stage-out");
        args.addAll(List.of(
                // expanded by the kubelet from the container's environment (the pod's completion index)
                "--task-index",
                "$(CORC_TASK_INDEX)",
                "--termination-log",
                TERMINATION_LOG,
                "--start-timeout",
                settings.startTimeout().toSeconds() + "s"));
        return args;
    }

    /** A runner container: the runner image's entrypoint is {@code corc}, so only arguments are given. */
    private static Container runner(String name, List<String> args, JobOptions options, KubernetesSettings settings) {
        Container runner = container(name, settings.runnerImage(), options);
        runner.setArgs(args);
        runner.setEnv(List.of(indexVariable()));
        runner.setVolumeMounts(List.of(workMount(), secretMount()));
        ResourceRequirements resources = new ResourceRequirements();
        Map<String, Quantity> requests = new LinkedHashMap<>();
        requests.put("cpu", new Quantity(settings.runnerCpu()));
        requests.put("memory", new Quantity(settings.runnerMemory()));
        resources.setRequests(requests);
        runner.setResources(resources);
        runner.setTerminationMessagePolicy("File");
        return runner;
    }

    private static Container task(JobSpec spec, String image, JobOptions options, KubernetesSettings settings) {
        List<String> command =
                new ArrayList<>(List.of("/bin/sh", "-c", ContainerTask.wrapperScript(spec.capture()), "corc-task"));
        command.addAll(spec.command());
        List<EnvVar> env = new ArrayList<>();
        new TreeMap<>(spec.env()).forEach((name, value) -> env.add(new EnvVar(name, value, null)));
        env.add(new EnvVar("CORC_JOB_ID", spec.id(), null));
        env.add(new EnvVar("CORC_NUM_JOBS", Integer.toString(spec.numJobs()), null));
        env.add(indexVariable());
        env.add(new EnvVar("CORC_INPUT", TASK_DIR + "/input", null));
        env.add(new EnvVar("CORC_OUTPUT", TASK_DIR + "/output", null));
        env.add(new EnvVar(ContainerTask.CONTROL_DIR_VARIABLE, CONTROL_DIR, null));
        Container task = container(TASK, image, options);
        task.setCommand(command);
        task.setWorkingDir(spec.workingDir() == null ? TASK_DIR : spec.workingDir());
        task.setEnv(env);
        task.setVolumeMounts(List.of(workMount()));
        task.setResources(resources(spec.resources(), settings.gpuResource()));
        return task;
    }

    private static Container container(String name, String image, JobOptions options) {
        Container container = new Container();
        container.setName(name);
        container.setImage(image);
        container.setImagePullPolicy(options.imagePullPolicy());
        return container;
    }

    /**
     * Requests and limits only for what the spec asks ({@code null} when nothing): cores as the CPU request (no CPU
     * limit, so a task is not throttled), memory as request and limit, GPUs as the limit of the GPU resource.
     */
    static ResourceRequirements resources(ResourceRequest request, String gpuResource) {
        Map<String, Quantity> requests = new LinkedHashMap<>();
        Map<String, Quantity> limits = new LinkedHashMap<>();
        if (request.cores() > 0) {
            requests.put("cpu", cpu(request.cores()));
        }
        if (request.memoryGb() > 0) {
            Quantity memory = new Quantity(
                    BigDecimal.valueOf(request.memoryGb() * 1024)
                            .setScale(0, RoundingMode.CEILING)
                            .toPlainString(),
                    "Mi");
            requests.put("memory", memory);
            limits.put("memory", memory);
        }
        if (request.gpus().count() > 0) {
            limits.put(gpuResource, new Quantity(Integer.toString(request.gpus().count())));
        }
        if (requests.isEmpty() && limits.isEmpty()) {
            return null;
        }
        ResourceRequirements resources = new ResourceRequirements();
        resources.setRequests(requests.isEmpty() ? null : requests);
        resources.setLimits(limits.isEmpty() ? null : limits);
        return resources;
    }

    private static Quantity cpu(double cores) {
        long millis = (long) Math.ceil(cores * 1000);
        return millis % 1000 == 0 ? new Quantity(Long.toString(millis / 1000)) : new Quantity(millis + "m");
    }

    private static EnvVar indexVariable() {
        EnvVarSource source = new EnvVarSource();
        ObjectFieldSelector field = new ObjectFieldSelector();
        field.setFieldPath("metadata.annotations['" + INDEX_ANNOTATION + "']");
        source.setFieldRef(field);
        EnvVar index = new EnvVar();
        index.setName("CORC_TASK_INDEX");
        index.setValueFrom(source);
        return index;
    }

    private static VolumeMount workMount() {
        VolumeMount mount = new VolumeMount();
        mount.setName(WORK_VOLUME);
        mount.setMountPath(WORK_MOUNT);
        return mount;
    }

    private static VolumeMount secretMount() {
        VolumeMount mount = new VolumeMount();
        mount.setName(SECRET_VOLUME);
        mount.setMountPath(SECRET_MOUNT);
        mount.setReadOnly(true);
        return mount;
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
