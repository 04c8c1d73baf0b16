package io.corc.scheduler.kubernetes;

import io.corc.api.CorcException;
import io.corc.api.PluginConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of {@code corc.schedulers.kubernetes}. Where a job may override one, its spec option
 * {@code kubernetes.<key>} wins (see {@link JobOptions}).
 *
 * @param kubeconfig kubeconfig file, or {@code null} for {@code $KUBECONFIG}, {@code ~/.kube/config} or in-cluster
 * @param context kubeconfig context, or {@code null} for the current one
 * @param namespace namespace, or {@code null} for the context's (else {@code default})
 * @param runnerImage image with corc's job runner, for the stage-in and stage-out containers
 * @param imagePullPolicy pull policy of every container, or {@code null} for Kubernetes' default
 * @param imagePullSecrets secrets for private registries
 * @param serviceAccount service account of the pods, or {@code null}
 * @param defaultImage image of jobs that name none, or {@code null} (such jobs are refused)
 * @param backoffLimit retries of failed tasks (the Job's backoffLimit)
 * @param ttlAfterFinished how long a finished Job stays in the cluster (the Job's ttlSecondsAfterFinished)
 * @param stagingAllowance time added to a job's time limit for staging, in the pod's activeDeadlineSeconds
 * @param startTimeout how long the runner waits for the user's command to start (image pulls)
 * @param gpuResource extended resource name of GPUs, e.g. {@code nvidia.com/gpu}
 * @param runnerCpu CPU request of each runner container
 * @param runnerMemory memory request of each runner container
 * @param nodeSelector node labels every pod must match
 * @param tolerations tolerations of every pod, as {@code key[=value]:effect}
 * @param allowLoopbackStorage accept a storage endpoint on a loopback address (clusters on this machine's network,
 *     such as minikube with the none driver); otherwise such jobs are refused, as pods could not reach it
 */
record KubernetesSettings(
        Path kubeconfig,
        String context,
        String namespace,
        String runnerImage,
        String imagePullPolicy,
        List<String> imagePullSecrets,
        String serviceAccount,
        String defaultImage,
        int backoffLimit,
        Duration ttlAfterFinished,
        Duration stagingAllowance,
        Duration startTimeout,
        String gpuResource,
        String runnerCpu,
        String runnerMemory,
        Map<String, String> nodeSelector,
        List<String> tolerations,
        boolean allowLoopbackStorage) {

    /** The image built from {@code docker/runner/Dockerfile} and published with each release. */
    static final String DEFAULT_RUNNER_IMAGE = "ghcr.io/corc-jvm/corc-runner:" + version();

    KubernetesSettings {
        imagePullSecrets = List.copyOf(imagePullSecrets);
        nodeSelector = Map.copyOf(nodeSelector);
        tolerations = List.copyOf(tolerations);
    }

    static KubernetesSettings from(PluginConfig config) {
        int backoffLimit = config.integer("backoff_limit", 0);
        if (backoffLimit < 0) {
            throw CorcException.invalidInput(config.path() + ".backoff_limit must be 0 or more, got " + backoffLimit);
        }
        Map<String, String> nodeSelector = new LinkedHashMap<>();
        config.section("node_selector").asMap().forEach((key, value) -> nodeSelector.put(key, String.valueOf(value)));
        return new KubernetesSettings(
                config.optionalString("kubeconfig")
                        .map(KubernetesSettings::expandHome)
                        .orElse(null),
                config.optionalString("context").orElse(null),
                config.optionalString("namespace").orElse(null),
                config.string("runner_image", DEFAULT_RUNNER_IMAGE),
                config.optionalString("image_pull_policy").orElse(null),
                config.strings("image_pull_secrets"),
                config.optionalString("service_account").orElse(null),
                config.optionalString("default_image").orElse(null),
                backoffLimit,
                Duration.ofSeconds(config.integer("ttl_seconds_after_finished", 7 * 24 * 3600)),
                Duration.ofSeconds(config.integer("staging_allowance_seconds", 3600)),
                Duration.ofSeconds(config.integer("start_timeout_seconds", 1800)),
                config.string("gpu_resource", "nvidia.com/gpu"),
                config.string("runner_cpu", "100m"),
                config.string("runner_memory", "256Mi"),
                nodeSelector,
                config.strings("tolerations"),
                config.bool("allow_loopback_storage", false));
    }

    private static Path expandHome(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + path.substring(1));
        }
        return Path.of(path);
    }

    private static String version() {
        String version = KubernetesSettings.class.getPackage().getImplementationVersion();
        return version == null ? "latest" : version;
    }
}
