package io.corc.scheduler.kubernetes;

import io.corc.api.TaskReport;
import io.corc.jobio.JobJson;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;

/**
 * Plays the Job controller and kubelet against the mock API server (which has neither): creates a job's pods from
 * its template and moves them through the states a real cluster reports.
 */
final class FakeJobController {
    private final KubernetesClient client;
    private final String namespace;

    FakeJobController(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    Job job(String jobId) {
        return client.batch().v1().jobs().inNamespace(namespace).withName(jobId).get();
    }

    /** Creates the pod of task {@code index} as the Job controller does (labels from the template, index annotation). */
    Pod startPod(String jobId, int index) {
        Job job = job(jobId);
        Pod pod = new PodBuilder()
                .withNewMetadata()
                .withName(jobId + "-" + index + "-x" + System.nanoTime() % 100000)
                .withNamespace(namespace)
                .withLabels(job.getSpec().getTemplate().getMetadata().getLabels())
                .addToLabels(JobManifests.INDEX_ANNOTATION, Integer.toString(index))
                .addToAnnotations(JobManifests.INDEX_ANNOTATION, Integer.toString(index))
                .withCreationTimestamp(Instant.now().toString())
                .endMetadata()
                .withSpec(job.getSpec().getTemplate().getSpec())
                .withNewStatus()
                .withPhase("Pending")
                .endStatus()
                .build();
        return client.pods().inNamespace(namespace).resource(pod).create();
    }

    Pod running(Pod pod) {
        return setStatus(
                pod,
                "Running",
                null,
                List.of(
                        status(
                                JobManifests.TASK,
                                new ContainerStateBuilder()
                                        .withNewRunning()
                                        .withStartedAt(Instant.now().toString())
                                        .endRunning()
                                        .build()),
                        status(
                                JobManifests.STAGE_OUT,
                                new ContainerStateBuilder()
                                        .withNewRunning()
                                        .endRunning()
                                        .build())));
    }

    Pod succeeded(Pod pod, TaskReport report) {
        return setStatus(
                pod,
                "Succeeded",
                null,
                List.of(
                        terminated(JobManifests.TASK, 0, "Completed", null),
                        terminated(JobManifests.STAGE_OUT, 0, "Completed", JobJson.toJson(report))));
    }

    Pod oomKilled(Pod pod) {
        return setStatus(
                pod,
                "Failed",
                null,
                List.of(
                        terminated(JobManifests.TASK, 137, "OOMKilled", null),
                        terminated(JobManifests.STAGE_OUT, 137, "Error", null)));
    }

    Pod imagePullBackOff(Pod pod) {
        return setStatus(
                pod,
                "Pending",
                null,
                List.of(status(
                        JobManifests.TASK,
                        new ContainerStateBuilder()
                                .withNewWaiting()
                                .withReason("ImagePullBackOff")
                                .withMessage("Back-off pulling image \"mccode/mcstas:nope\"")
                                .endWaiting()
                                .build())));
    }

    Pod unschedulable(Pod pod) {
        Pod copy = new PodBuilder(pod)
                .editStatus()
                .withPhase("Pending")
                .withConditions(new PodConditionBuilder()
                        .withType("PodScheduled")
                        .withStatus("False")
                        .withReason("Unschedulable")
                        .withMessage("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.")
                        .build())
                .endStatus()
                .build();
        return client.pods().inNamespace(namespace).resource(copy).updateStatus();
    }

    /** Marks the job finished as the controller does once every index completed. */
    void complete(String jobId, String completedIndexes) {
        Job job = job(jobId);
        job.setStatus(new JobStatusBuilder()
                .withCompletedIndexes(completedIndexes)
                .withCompletionTime(Instant.now().toString())
                .withConditions(new JobConditionBuilder()
                        .withType("Complete")
                        .withStatus("True")
                        .build())
                .build());
        client.batch().v1().jobs().inNamespace(namespace).resource(job).updateStatus();
    }

    void fail(String jobId, String reason) {
        Job job = job(jobId);
        job.setStatus(new JobStatusBuilder()
                .withConditions(new JobConditionBuilder()
                        .withType("Failed")
                        .withStatus("True")
                        .withReason(reason)
                        .withLastTransitionTime(Instant.now().toString())
                        .build())
                .build());
        client.batch().v1().jobs().inNamespace(namespace).resource(job).updateStatus();
    }

    private Pod setStatus(Pod pod, String phase, String reason, List<ContainerStatus> statuses) {
        Pod current = client.pods()
                .inNamespace(namespace)
                .withName(pod.getMetadata().getName())
                .get();
        Pod copy = new PodBuilder(current)
                .editStatus()
                .withPhase(phase)
                .withReason(reason)
                .withStartTime(Instant.now().toString())
                .withContainerStatuses(statuses)
                .endStatus()
                .build();
        return client.pods().inNamespace(namespace).resource(copy).updateStatus();
    }

    private static ContainerStatus status(String name, io.fabric8.kubernetes.api.model.ContainerState state) {
        return new ContainerStatusBuilder().withName(name).withState(state).build();
    }

    private static ContainerStatus terminated(String name, int exitCode, String reason, String message) {
        return status(
                name,
                new ContainerStateBuilder()
                        .withNewTerminated()
                        .withExitCode(exitCode)
                        .withReason(reason)
                        .withMessage(message)
                        .endTerminated()
                        .build());
    }
}
