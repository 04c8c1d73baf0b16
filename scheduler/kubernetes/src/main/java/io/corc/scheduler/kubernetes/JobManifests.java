package io.corc.scheduler.kubernetes;

import io.corc.api.JobSpec;
import io.corc.api.ResourceRequest;
import io.corc.jobio.ContainerTask;
import io.corc.jobio.JobJson;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
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
        return new SecretBuilder()
                .withNewMetadata()
                .withName(secretName(spec.id()))
                .withNamespace(namespace)
                .withLabels(labels(spec.id()))
                .endMetadata()
                .withType("Opaque")
                .withImmutable(true)
                .withData(data)
                .build();
    }

    /** Makes the Job own the Secret, so the cluster deletes the Secret with the Job (after its TTL, say). */
    static Secret ownedBy(Secret secret, Job job) {
        return new SecretBuilder(secret)
                .editMetadata()
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion("batch/v1")
                        .withKind("Job")
                        .withName(job.getMetadata().getName())
                        .withUid(job.getMetadata().getUid())
                        .withBlockOwnerDeletion(false)
                        .build())
                .endMetadata()
                .build();
    }

    static Job job(JobSpec spec, String image, JobOptions options, KubernetesSettings settings) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(NAME_ANNOTATION, spec.name());
        annotations.put(CAPTURE_ANNOTATION, Boolean.toString(spec.capture()));
        annotations.put(IMAGE_ANNOTATION, image);
        Long podDeadline = spec.timeLimit() == null
                ? null
                : spec.timeLimit().plus(settings.stagingAllowance()).toSeconds();
        return new JobBuilder()
                .withNewMetadata()
                .withName(spec.id())
                .withNamespace(options.namespace())
                .withLabels(labels(spec.id()))
                .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                .withCompletionMode("Indexed")
                .withCompletions(spec.numJobs())
                .withParallelism(spec.numParallel())
                .withBackoffLimit(options.backoffLimit())
                .withTtlSecondsAfterFinished((int) settings.ttlAfterFinished().toSeconds())
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels(spec.id()))
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withShareProcessNamespace(true)
                .withActiveDeadlineSeconds(podDeadline)
                .withServiceAccountName(options.serviceAccount())
                // the user's command needs no API access unless a service account was asked for
                .withAutomountServiceAccountToken(options.serviceAccount() == null ? false : null)
                .withNodeSelector(options.nodeSelector().isEmpty() ? null : options.nodeSelector())
                .withTolerations(options.tolerations().stream()
                        .map(t -> new TolerationBuilder()
                                .withKey(t.key())
                                .withOperator(t.value() == null ? "Exists" : "Equal")
                                .withValue(t.value())
                                .withEffect(t.effect())
                                .build())
                        .toList())
                .withImagePullSecrets(settings.imagePullSecrets().stream()
                        .map(LocalObjectReference::new)
                        .toList())
                .addNewVolume()
                .withName(WORK_VOLUME)
                .withNewEmptyDir()
                .endEmptyDir()
                .endVolume()
                .addNewVolume()
                .withName(SECRET_VOLUME)
                .withNewSecret()
                .withSecretName(secretName(spec.id()))
                .withDefaultMode(0400)
                .endSecret()
                .endVolume()
                .withInitContainers(runner(STAGE_IN, stageInArgs(), options, settings))
                .withContainers(
                        task(spec, image, options, settings),
                        runner(STAGE_OUT, stageOutArgs(settings), options, settings))
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
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
        return new ContainerBuilder()
                .withName(name)
                .withImage(settings.runnerImage())
                .withImagePullPolicy(options.imagePullPolicy())
                .withArgs(args)
                .withEnv(indexVariable())
                .withVolumeMounts(workMount(), secretMount())
                .withResources(new ResourceRequirementsBuilder()
                        .addToRequests("cpu", new Quantity(settings.runnerCpu()))
                        .addToRequests("memory", new Quantity(settings.runnerMemory()))
                        .build())
                .withTerminationMessagePolicy("File")
                .build();
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
        return new ContainerBuilder()
                .withName(TASK)
                .withImage(image)
                .withImagePullPolicy(options.imagePullPolicy())
                .withCommand(command)
                .withWorkingDir(spec.workingDir() == null ? TASK_DIR : spec.workingDir())
                .withEnv(env)
                .withVolumeMounts(workMount())
                .withResources(resources(spec.resources(), settings.gpuResource()))
                .build();
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
        return new ResourceRequirementsBuilder()
                .withRequests(requests.isEmpty() ? null : requests)
                .withLimits(limits.isEmpty() ? null : limits)
                .build();
    }

    private static Quantity cpu(double cores) {
        long millis = (long) Math.ceil(cores * 1000);
        return millis % 1000 == 0 ? new Quantity(Long.toString(millis / 1000)) : new Quantity(millis + "m");
    }

    private static EnvVar indexVariable() {
        return new EnvVarBuilder()
                .withName("CORC_TASK_INDEX")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("metadata.annotations['" + INDEX_ANNOTATION + "']")
                .endFieldRef()
                .endValueFrom()
                .build();
    }

    private static VolumeMount workMount() {
        return new VolumeMountBuilder()
                .withName(WORK_VOLUME)
                .withMountPath(WORK_MOUNT)
                .build();
    }

    private static VolumeMount secretMount() {
        return new VolumeMountBuilder()
                .withName(SECRET_VOLUME)
                .withMountPath(SECRET_MOUNT)
                .withReadOnly(true)
                .build();
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
