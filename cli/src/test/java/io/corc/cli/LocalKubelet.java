package io.corc.cli;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The Job controller and kubelet the mock API server lacks, for end-to-end tests: for every Job created it makes
 * the pods of its indexes and runs their containers on this machine: the runner containers' arguments through
 * corc's CLI in this JVM, the user's container command in /bin/sh, the pod's volumes as directories. Pod and Job
 * statuses, with the stage-out container's termination message, are written back as a real cluster would.
 */
final class LocalKubelet implements AutoCloseable {
    private final KubernetesClient client;
    private final String namespace;
    private final Path root;
    private final ExecutorService pods = Executors.newFixedThreadPool(4);
    private final List<Future<?>> running = new ArrayList<>();
    private final java.util.concurrent.ScheduledExecutorService poller;
    private final java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();

    LocalKubelet(KubernetesClient client, String namespace, Path root) {
        this.client = client;
        this.namespace = namespace;
        this.root = root;
        // polls rather than watches: the mock server stalls for seconds when a watch closes with events in flight
        this.poller = Executors.newSingleThreadScheduledExecutor();
        poller.scheduleWithFixedDelay(this::startNewJobs, 0, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void startNewJobs() {
        try {
            for (Job job :
                    client.batch().v1().jobs().inNamespace(namespace).list().getItems()) {
                if (seen.add(job.getMetadata().getName())) {
                    synchronized (running) {
                        running.add(pods.submit(() -> runJob(job.getMetadata().getName())));
                    }
                }
            }
        } catch (RuntimeException e) {
            // the server is shutting down
        }
    }

    private Void runJob(String name) throws Exception {
        Job job =
                client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
        int tasks = job.getSpec().getCompletions();
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int index = 0; index < tasks; index++) {
            int taskIndex = index;
            results.add(CompletableFuture.supplyAsync(() -> runPod(job, taskIndex)));
        }
        StringBuilder completed = new StringBuilder();
        boolean failed = false;
        for (int index = 0; index < tasks; index++) {
            if (results.get(index).get() == 0) {
                completed.append(completed.length() == 0 ? "" : ",").append(index);
            } else {
                failed = true;
            }
        }
        Job current =
                client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
        current.setStatus(new JobStatusBuilder()
                .withCompletedIndexes(completed.toString())
                .withCompletionTime(failed ? null : Instant.now().toString())
                .withConditions(new JobConditionBuilder()
                        .withType(failed ? "Failed" : "Complete")
                        .withReason(failed ? "BackoffLimitExceeded" : null)
                        .withStatus("True")
                        .build())
                .build());
        client.batch().v1().jobs().inNamespace(namespace).resource(current).updateStatus();
        return null;
    }

    private int runPod(Job job, int index) {
        String jobName = job.getMetadata().getName();
        Pod pod = client.pods()
                .inNamespace(namespace)
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName(jobName + "-" + index + "-local")
                        .withNamespace(namespace)
                        .withLabels(job.getSpec().getTemplate().getMetadata().getLabels())
                        .addToAnnotations("batch.kubernetes.io/job-completion-index", Integer.toString(index))
                        .withCreationTimestamp(Instant.now().toString())
                        .endMetadata()
                        .withSpec(job.getSpec().getTemplate().getSpec())
                        .withNewStatus()
                        .withPhase("Pending")
                        .endStatus()
                        .build())
                .create();
        try {
            Path podDir = Files.createDirectories(root.resolve(jobName + "-" + index));
            Path secretDir = Files.createDirectories(podDir.resolve("secret"));
            String secretName = pod.getSpec().getVolumes().stream()
                    .filter(v -> v.getSecret() != null)
                    .findFirst()
                    .orElseThrow()
                    .getSecret()
                    .getSecretName();
            // corc creates the Secret just after the Job; like a kubelet, wait until the volume can be mounted
            var secretResource = client.secrets().inNamespace(namespace).withName(secretName);
            Secret secret = secretResource.get();
            if (secret == null) {
                secret = secretResource.waitUntilCondition(Objects::nonNull, 30, TimeUnit.SECONDS);
            }
            for (Map.Entry<String, String> item : secret.getData().entrySet()) {
                Files.write(
                        secretDir.resolve(item.getKey()), Base64.getDecoder().decode(item.getValue()));
            }
            Map<String, String> paths = Map.of(
                    "/corc", podDir.resolve("corc").toString(),
                    "/var/run/corc", secretDir.toString(),
                    "/dev/termination-log", podDir.resolve("termination-log").toString());

            int stageIn = corc(pod.getSpec().getInitContainers().get(0), paths, index);
            if (stageIn != 0) {
                return finish(pod, "Failed", List.of(terminated("corc-stage-in", stageIn, null)));
            }
            setPhase(pod, "Running", List.of());
            CompletableFuture<Integer> stageOut = CompletableFuture.supplyAsync(
                    () -> corc(pod.getSpec().getContainers().get(1), paths, index));
            int task = shell(pod.getSpec().getContainers().get(0), paths, index);
            int out = stageOut.get();
            String message = Files.exists(podDir.resolve("termination-log"))
                    ? Files.readString(podDir.resolve("termination-log"))
                    : null;
            return finish(
                    pod,
                    out == 0 ? "Succeeded" : "Failed",
                    List.of(terminated("task", task, null), terminated("corc-stage-out", out, message)));
        } catch (Exception e) {
            throw new IllegalStateException("pod " + index + " of " + jobName + " failed to run", e);
        }
    }

    /** A runner container: its arguments to corc, in this JVM. */
    private static int corc(Container container, Map<String, String> paths, int index) {
        // the kubelet expands $(VAR) from the container's environment
        List<String> args = container.getArgs().stream()
                .map(a -> map(a.replace("$(CORC_TASK_INDEX)", Integer.toString(index)), paths))
                .toList();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(sink, true, StandardCharsets.UTF_8);
        Map<String, String> env = new HashMap<>();
        env.put("CORC_TASK_INDEX", Integer.toString(index));
        env.put("PATH", System.getenv("PATH"));
        return Main.run(stream, stream, env, false, args.toArray(String[]::new));
    }

    /** The user's container: its command in /bin/sh with its environment. */
    private static int shell(Container container, Map<String, String> paths, int index)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(
                        container.getCommand().stream().map(a -> map(a, paths)).toList())
                .directory(Path.of(map(container.getWorkingDir(), paths)).toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv("PATH"));
        for (EnvVar variable : container.getEnv()) {
            builder.environment()
                    .put(
                            variable.getName(),
                            variable.getValueFrom() != null
                                    ? Integer.toString(index)
                                    : map(variable.getValue(), paths));
        }
        return builder.start().waitFor();
    }

    private static String map(String value, Map<String, String> paths) {
        for (Map.Entry<String, String> path : paths.entrySet()) {
            if (value.equals(path.getKey()) || value.startsWith(path.getKey() + "/")) {
                return path.getValue() + value.substring(path.getKey().length());
            }
        }
        return value;
    }

    private void setPhase(Pod pod, String phase, List<ContainerStatus> statuses) {
        Pod current = client.pods()
                .inNamespace(namespace)
                .withName(pod.getMetadata().getName())
                .get();
        client.pods()
                .inNamespace(namespace)
                .resource(new PodBuilder(current)
                        .editStatus()
                        .withPhase(phase)
                        .withStartTime(Instant.now().toString())
                        .withContainerStatuses(statuses)
                        .endStatus()
                        .build())
                .updateStatus();
    }

    private int finish(Pod pod, String phase, List<ContainerStatus> statuses) {
        setPhase(pod, phase, statuses);
        return phase.equals("Succeeded") ? 0 : 1;
    }

    private static ContainerStatus terminated(String name, int exitCode, String message) {
        return new ContainerStatusBuilder()
                .withName(name)
                .withState(new ContainerStateBuilder()
                        .withNewTerminated()
                        .withExitCode(exitCode)
                        .withMessage(message)
                        .endTerminated()
                        .build())
                .build();
    }

    /** Waits until every job seen so far has been run. */
    void awaitIdle() throws Exception {
        List<Future<?>> snapshot;
        synchronized (running) {
            snapshot = new ArrayList<>(running);
        }
        for (Future<?> job : snapshot) {
            job.get();
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
        pods.shutdownNow();
    }
}
