package io.corc.scheduler.kubernetes;

import io.corc.api.JobState;
import io.corc.api.TaskReport;
import io.corc.api.TaskStatus;
import io.corc.jobio.JobJson;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a corc job's state from its batch/v1 Job and pods: per task the newest pod of its index, the exit code of
 * the user's command, the timings the runner left as its termination message, and, for tasks that are stuck or
 * failed, the reason in plain words (image cannot be pulled, cannot be scheduled, out of memory, deadline).
 */
final class TaskStates {
    /** Waiting reasons after which a task will not start without the user doing something. */
    private static final List<String> HOPELESS_WAITING = List.of("InvalidImageName", "CreateContainerConfigError");

    private TaskStates() {}

    static io.corc.api.Job toJob(Job job, List<Pod> pods, String schedulerName) {
        String jobId = job.getMetadata().getName();
        int numTasks =
                job.getSpec().getCompletions() == null ? 1 : job.getSpec().getCompletions();
        Map<Integer, Pod> newest = newestPodPerIndex(pods);
        BitSet completed =
                indexes(job.getStatus() == null ? null : job.getStatus().getCompletedIndexes());
        BitSet failed = indexes(job.getStatus() == null ? null : job.getStatus().getFailedIndexes());
        Optional<JobCondition> failure = condition(job, "Failed");
        boolean cancelled = annotation(job, JobManifests.CANCELLED_ANNOTATION) != null;
        List<TaskStatus> tasks = new ArrayList<>();
        for (int index = 0; index < numTasks; index++) {
            TaskStatus task = newest.containsKey(index)
                    ? fromPod(index, newest.get(index))
                    : withoutPod(index, completed.get(index), failed.get(index));
            if (!task.state().isFinished() && cancelled) {
                task = with(task, JobState.CANCELLED, "cancelled");
            } else if (!task.state().isFinished() && failure.isPresent()) {
                task = with(task, JobState.CANCELLED, "not run: the job failed (" + describe(failure.get()) + ")");
            }
            tasks.add(task);
        }
        JobState state =
                jobState(tasks, failure.isPresent(), condition(job, "Complete").isPresent(), cancelled);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("namespace", job.getMetadata().getNamespace());
        details.put("kubernetes_job", jobId);
        String image = annotation(job, JobManifests.IMAGE_ANNOTATION);
        if (image != null) {
            details.put("image", image);
        }
        details.put("capture", String.valueOf(!"false".equals(annotation(job, JobManifests.CAPTURE_ANNOTATION))));
        failure.ifPresent(c -> details.put("failure", describe(c)));
        String name = annotation(job, JobManifests.NAME_ANNOTATION);
        return new io.corc.api.Job(
                jobId,
                name == null ? jobId : name,
                schedulerName,
                state,
                tasks,
                parse(job.getMetadata().getCreationTimestamp()),
                state.isFinished() ? finishedAt(job, tasks) : null,
                details);
    }

    /**
     * The job is over only when the Job controller says so (or corc cancelled it): until then a failed pod may
     * still be retried (backoffLimit), and the tasks' states alone would end the wait too early.
     */
    private static JobState jobState(List<TaskStatus> tasks, boolean failed, boolean complete, boolean cancelled) {
        JobState byTasks = io.corc.api.Job.stateOf(tasks);
        if (failed) {
            return JobState.FAILED;
        }
        if (complete || cancelled) {
            return byTasks;
        }
        return byTasks.isFinished() ? JobState.RUNNING : byTasks;
    }

    static Map<Integer, Pod> newestPodPerIndex(List<Pod> pods) {
        Map<Integer, Pod> newest = new HashMap<>();
        for (Pod pod : pods) {
            Integer index = indexOf(pod);
            if (index == null) {
                continue;
            }
            newest.merge(index, pod, (a, b) -> NEWEST_FIRST.compare(a, b) <= 0 ? a : b);
        }
        return newest;
    }

    /**
     * Which of an index's pods speaks for the task: one still active (a retry replaces a failed pod, one at a time),
     * else one that succeeded (success ends the index), else the newest. Creation times have whole seconds, so a
     * quick retry can tie with the pod it replaces.
     */
    private static final Comparator<Pod> NEWEST_FIRST = Comparator.comparingInt(TaskStates::rank)
            .thenComparing((Pod p) -> p.getMetadata().getCreationTimestamp() == null
                    ? ""
                    : p.getMetadata().getCreationTimestamp())
            .thenComparing(p -> p.getMetadata().getName())
            .reversed();

    private static int rank(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Failed".equals(phase)) {
            return 0;
        }
        return "Succeeded".equals(phase) ? 1 : 2;
    }

    static Integer indexOf(Pod pod) {
        String value = pod.getMetadata().getAnnotations() == null
                ? null
                : pod.getMetadata().getAnnotations().get(JobManifests.INDEX_ANNOTATION);
        if (value == null && pod.getMetadata().getLabels() != null) {
            value = pod.getMetadata().getLabels().get(JobManifests.INDEX_ANNOTATION);
        }
        try {
            return value == null ? null : Integer.valueOf(value.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static TaskStatus fromPod(int index, Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        TaskReport report = runnerReport(pod).orElse(null);
        ContainerStateTerminated command = terminated(pod, JobManifests.TASK);
        Integer exitCode =
                report != null ? Integer.valueOf(report.exitCode()) : command == null ? null : command.getExitCode();
        String host = report != null
                ? report.host()
                : pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if ("Succeeded".equals(phase)) {
            return status(index, JobState.SUCCEEDED, exitCode == null ? 0 : exitCode, host, pod, report, null);
        }
        if ("Failed".equals(phase)) {
            return status(index, JobState.FAILED, exitCode, host, pod, report, failureReason(pod, report));
        }
        Optional<String> stuck = whyWaiting(pod);
        if (stuck.isPresent()) {
            ContainerStateWaiting waiting = waiting(pod).orElse(null);
            boolean hopeless = waiting != null && HOPELESS_WAITING.contains(waiting.getReason());
            return status(
                    index, hopeless ? JobState.FAILED : JobState.PENDING, exitCode, host, pod, report, stuck.get());
        }
        if ("Running".equals(phase)) {
            return status(index, JobState.RUNNING, null, host, pod, null, runningPhase(pod));
        }
        return status(index, JobState.PENDING, null, host, pod, null, null);
    }

    private static TaskStatus withoutPod(int index, boolean completed, boolean failed) {
        if (completed) {
            return new TaskStatus(index, JobState.SUCCEEDED, 0, null, null, null, null, null, null, null);
        }
        if (failed) {
            return new TaskStatus(index, JobState.FAILED, null, null, null, null, null, null, null, "failed");
        }
        return TaskStatus.pending(index);
    }

    private static TaskStatus status(
            int index, JobState state, Integer exitCode, String host, Pod pod, TaskReport report, String message) {
        Instant started = report != null
                ? report.startedAt()
                : parse(pod.getStatus() == null ? null : pod.getStatus().getStartTime());
        return new TaskStatus(
                index,
                state,
                exitCode,
                host,
                started,
                report != null ? report.endedAt() : null,
                report != null ? report.stageInSeconds() : null,
                report != null ? report.computeSeconds() : null,
                report != null ? report.stageOutSeconds() : null,
                message);
    }

    private static TaskStatus with(TaskStatus t, JobState state, String message) {
        return new TaskStatus(
                t.index(),
                state,
                t.exitCode(),
                t.host(),
                t.startedAt(),
                t.endedAt(),
                t.stageInSeconds(),
                t.computeSeconds(),
                t.stageOutSeconds(),
                t.message() == null ? message : message + "; " + t.message());
    }

    /** The report the stage-out container left as its termination message. */
    static Optional<TaskReport> runnerReport(Pod pod) {
        ContainerStateTerminated stageOut = terminated(pod, JobManifests.STAGE_OUT);
        if (stageOut == null
                || stageOut.getMessage() == null
                || stageOut.getMessage().isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(JobJson.mapper().readValue(stageOut.getMessage(), TaskReport.class));
        } catch (Exception e) {
            return Optional.empty(); // not a report: the runner died before writing it
        }
    }

    /** Why a failed pod failed, in plain words. */
    private static String failureReason(Pod pod, TaskReport report) {
        String podReason = pod.getStatus() == null ? null : pod.getStatus().getReason();
        if ("DeadlineExceeded".equals(podReason)) {
            return "deadline exceeded: the task ran longer than its time limit plus staging time";
        }
        if ("Evicted".equals(podReason)) {
            return "evicted from its node: " + pod.getStatus().getMessage();
        }
        for (String container : List.of(JobManifests.TASK, JobManifests.STAGE_OUT, JobManifests.STAGE_IN)) {
            ContainerStateTerminated terminated = terminated(pod, container);
            if (terminated != null && "OOMKilled".equals(terminated.getReason())) {
                return "out of memory (OOMKilled) in container " + container + "; ask for more with --memory";
            }
        }
        if (report != null && report.error() != null) {
            return report.error();
        }
        ContainerStateTerminated command = terminated(pod, JobManifests.TASK);
        if (command != null && command.getExitCode() != null && command.getExitCode() != 0) {
            return "the command exited with " + command.getExitCode();
        }
        if (command != null && "StartError".equals(command.getReason())
                || command != null && "ContainerCannotRun".equals(command.getReason())) {
            return "the command could not start in its image: " + command.getMessage();
        }
        return podReason != null ? podReason : "failed";
    }

    /** Why a pod does not run yet, when it is not just starting: unschedulable, image not pullable, ... */
    static Optional<String> whyWaiting(Pod pod) {
        if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
            for (PodCondition condition : pod.getStatus().getConditions()) {
                if ("PodScheduled".equals(condition.getType())
                        && "False".equals(condition.getStatus())
                        && "Unschedulable".equals(condition.getReason())) {
                    return Optional.of("cannot be scheduled: " + condition.getMessage());
                }
            }
        }
        return waiting(pod).map(w -> switch (w.getReason()) {
            case "ImagePullBackOff", "ErrImagePull" ->
                "cannot pull the image (" + w.getReason() + "): " + w.getMessage();
            case "InvalidImageName" -> "the image name is invalid: " + w.getMessage();
            case "CreateContainerConfigError" -> "the container cannot be created: " + w.getMessage();
            case "CrashLoopBackOff" -> "keeps crashing: " + w.getMessage();
            default -> null;
        });
    }

    private static Optional<ContainerStateWaiting> waiting(Pod pod) {
        for (ContainerStatus status : allStatuses(pod)) {
            ContainerState state = status.getState();
            if (state != null
                    && state.getWaiting() != null
                    && state.getWaiting().getReason() != null
                    && !"ContainerCreating".equals(state.getWaiting().getReason())
                    && !"PodInitializing".equals(state.getWaiting().getReason())) {
                return Optional.of(state.getWaiting());
            }
        }
        return Optional.empty();
    }

    private static String runningPhase(Pod pod) {
        ContainerStateTerminated command = terminated(pod, JobManifests.TASK);
        if (command != null) {
            return "staging outputs";
        }
        for (ContainerStatus status : allStatuses(pod)) {
            if (JobManifests.STAGE_IN.equals(status.getName())
                    && status.getState() != null
                    && status.getState().getRunning() != null) {
                return "staging inputs";
            }
        }
        return null;
    }

    static ContainerStateTerminated terminated(Pod pod, String container) {
        for (ContainerStatus status : allStatuses(pod)) {
            if (container.equals(status.getName()) && status.getState() != null) {
                return status.getState().getTerminated();
            }
        }
        return null;
    }

    private static List<ContainerStatus> allStatuses(Pod pod) {
        List<ContainerStatus> all = new ArrayList<>();
        if (pod.getStatus() != null) {
            if (pod.getStatus().getInitContainerStatuses() != null) {
                all.addAll(pod.getStatus().getInitContainerStatuses());
            }
            if (pod.getStatus().getContainerStatuses() != null) {
                all.addAll(pod.getStatus().getContainerStatuses());
            }
        }
        return all;
    }

    static Optional<JobCondition> condition(Job job, String type) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return job.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
                .findFirst();
    }

    private static String describe(JobCondition condition) {
        String reason = condition.getReason() == null ? "failed" : condition.getReason();
        String plain =
                switch (reason) {
                    case "BackoffLimitExceeded" -> "a task failed and no retries were left";
                    case "DeadlineExceeded" -> "the job ran past its deadline";
                    default -> reason;
                };
        return condition.getMessage() == null ? plain : plain + ": " + condition.getMessage();
    }

    private static Instant finishedAt(Job job, List<TaskStatus> tasks) {
        if (job.getStatus() != null && job.getStatus().getCompletionTime() != null) {
            return parse(job.getStatus().getCompletionTime());
        }
        Optional<JobCondition> failure = condition(job, "Failed");
        if (failure.isPresent() && failure.get().getLastTransitionTime() != null) {
            return parse(failure.get().getLastTransitionTime());
        }
        return tasks.stream()
                .map(TaskStatus::endedAt)
                .filter(t -> t != null)
                .max(Comparator.naturalOrder())
                .orElse(null);
    }

    static String annotation(Job job, String key) {
        Map<String, String> annotations = job.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    /** Kubernetes index lists such as {@code 1,3-5,7}. */
    static BitSet indexes(String text) {
        BitSet set = new BitSet();
        if (text == null || text.isBlank()) {
            return set;
        }
        for (String part : text.split(",")) {
            String item = part.strip();
            int dash = item.indexOf('-');
            try {
                if (dash < 0) {
                    set.set(Integer.parseInt(item));
                } else {
                    set.set(Integer.parseInt(item.substring(0, dash)), Integer.parseInt(item.substring(dash + 1)) + 1);
                }
            } catch (NumberFormatException e) {
                // an index list we do not understand adds nothing
            }
        }
        return set;
    }

    private static Instant parse(String timestamp) {
        if (timestamp == null || timestamp.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(timestamp);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
