package io.corc.scheduler.kubernetes;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Job;
import io.corc.api.LogLine;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A job's output lines from its pods' logs: the {@code task} container's, or with capture the stage-out
 * container's, which copies the captured stdout.log and stderr.log as they grow (the user's command writes into
 * files then, not to the container's streams). Kubernetes merges a container's stdout and stderr, so lines come as
 * stream {@code "log"}.
 */
final class PodLogs {
    private static final long FOLLOW_RECHECK_MILLIS = 2000;

    private final KubernetesClient client;
    private final String namespace;
    private final String jobId;
    private final Function<String, Optional<Job>> jobs;

    PodLogs(KubernetesClient client, String namespace, String jobId, Function<String, Optional<Job>> jobs) {
        this.client = client;
        this.namespace = namespace;
        this.jobId = jobId;
        this.jobs = jobs;
    }

    void send(Job job, Integer taskIndex, boolean follow, Consumer<LogLine> sink) {
        String container = "true".equals(job.details().get("capture")) ? JobManifests.STAGE_OUT : JobManifests.TASK;
        if (taskIndex != null && (taskIndex < 0 || taskIndex >= job.tasks().size())) {
            throw CorcException.invalidInput("job " + jobId + " has no task " + taskIndex + "; it has tasks 0 to "
                    + (job.tasks().size() - 1));
        }
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < job.tasks().size(); i++) {
            if (taskIndex == null || taskIndex == i) {
                indexes.add(i);
            }
        }
        Consumer<LogLine> synchronizedSink = line -> {
            synchronized (sink) {
                sink.accept(line);
            }
        };
        if (!follow) {
            Map<Integer, Pod> pods = TaskStates.newestPodPerIndex(pods());
            for (int index : indexes) {
                Pod pod = pods.get(index);
                if (pod != null) {
                    String text = containerLog(pod, container);
                    lines(new StringReader(text), index, synchronizedSink);
                }
            }
            return;
        }
        List<Thread> followers = new ArrayList<>();
        for (int index : indexes) {
            Thread follower = new Thread(() -> followTask(index, container, synchronizedSink), "corc-logs-" + index);
            follower.setDaemon(true);
            follower.start();
            followers.add(follower);
        }
        try {
            for (Thread follower : followers) {
                follower.join();
            }
        } catch (InterruptedException e) {
            followers.forEach(Thread::interrupt);
            Thread.currentThread().interrupt();
            throw new CorcException(ErrorCategory.CANCELLED, "interrupted while following job " + jobId);
        }
    }

    /** Follows the task's newest pod until the job is over; a retried task's new pod is followed in turn. */
    private void followTask(int index, String container, Consumer<LogLine> sink) {
        String followed = null;
        while (!Thread.currentThread().isInterrupted()) {
            Optional<Job> job = jobs.apply(jobId);
            Pod pod = TaskStates.newestPodPerIndex(pods()).get(index);
            if (pod != null && !pod.getMetadata().getName().equals(followed) && hasStarted(pod, container)) {
                followed = pod.getMetadata().getName();
                PodResource resource = client.pods().inNamespace(namespace).withName(followed);
                try (LogWatch watch = resource.inContainer(container).watchLog()) {
                    lines(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8), index, sink);
                } catch (RuntimeException e) {
                    // the pod went away while we read it: look for its successor
                }
                continue;
            }
            if (job.isEmpty()
                    || job.get().tasks().get(index).state().isFinished() && followed != null
                    || job.get().state().isFinished()) {
                return;
            }
            awaitPodChange();
        }
    }

    private void awaitPodChange() {
        CountDownLatch changed = new CountDownLatch(1);
        try (var watch = client.pods()
                .inNamespace(namespace)
                .withLabel(JobManifests.JOB_ID_LABEL, jobId)
                .watch(new io.fabric8.kubernetes.client.Watcher<Pod>() {
                    @Override
                    public void eventReceived(Action action, Pod resource) {
                        changed.countDown();
                    }

                    @Override
                    public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
                        changed.countDown();
                    }
                })) {
            changed.await(FOLLOW_RECHECK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean hasStarted(Pod pod, String container) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return false;
        }
        return pod.getStatus().getContainerStatuses().stream()
                .anyMatch(s -> container.equals(s.getName())
                        && s.getState() != null
                        && (s.getState().getRunning() != null || s.getState().getTerminated() != null));
    }

    private List<Pod> pods() {
        return client.pods()
                .inNamespace(namespace)
                .withLabel(JobManifests.JOB_ID_LABEL, jobId)
                .list()
                .getItems();
    }

    private String containerLog(Pod pod, String container) {
        try {
            String log = client.pods()
                    .inNamespace(namespace)
                    .withName(pod.getMetadata().getName())
                    .inContainer(container)
                    .getLog();
            return log == null ? "" : log;
        } catch (RuntimeException e) {
            return ""; // not started yet, or already gone
        }
    }

    private static void lines(Reader reader, int index, Consumer<LogLine> sink) {
        try (BufferedReader lines = new BufferedReader(reader)) {
            String line;
            while ((line = lines.readLine()) != null) {
                sink.accept(new LogLine(index, "log", line));
            }
        } catch (IOException e) {
            // the stream ended with the pod
        }
    }
}
