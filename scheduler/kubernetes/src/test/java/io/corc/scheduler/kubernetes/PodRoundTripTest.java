package io.corc.scheduler.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.JobSpec;
import io.corc.api.JobState;
import io.corc.api.ProgressListener;
import io.corc.api.ResourceRequest;
import io.corc.api.Staging;
import io.corc.api.Storage;
import io.corc.api.StoredObject;
import io.corc.api.TaskReport;
import io.corc.api.TaskStatus;
import io.corc.jobio.ContainerTask;
import io.corc.jobio.JobJson;
import io.corc.jobio.JobRunner;
import io.corc.jobio.StorageLoader;
import io.corc.storage.s3.server.LocalS3Server;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pod's three containers played on this machine, for real: the exact arguments of the runner containers go to
 * the runner's code (what {@code corc jobio stage-in|stage-out} call), the task container's exact command runs in
 * /bin/sh, the storage is the in-JVM S3 server reached with the credential files of the job's Secret. Paths under
 * /corc, /var/run/corc and /dev/termination-log are mapped into a temporary directory.
 */
class PodRoundTripTest {
    @TempDir
    static Path serverDir;

    private static LocalS3Server server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        server = LocalS3Server.builder().directory(serverDir.resolve("objects")).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private Storage laptop;
    private Map<String, String> runnerSecrets;

    private record Pod3(TaskReport report, int stageOutExit, String stageOutStdout, String terminationMessage) {}

    private JobSpec spec(String id, List<String> command, Duration timeLimit) throws IOException {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("endpoint", server.endpoint().toString());
        config.put("config_file", dir.resolve("none").toString());
        config.put("credentials_file", dir.resolve("none").toString());
        Path laptopSecrets = Files.createDirectories(dir.resolve("laptop-secrets"));
        Files.writeString(laptopSecrets.resolve("aws_access_key_id"), server.accessKey());
        Files.writeString(laptopSecrets.resolve("aws_secret_access_key"), server.secretKey());
        Map<String, Object> laptopConfig = new HashMap<>(config);
        laptopConfig.put("secrets_dir", laptopSecrets.toString());
        laptop = StorageLoader.load("s3", laptopConfig, dir.resolve("home"));
        runnerSecrets = laptop.runnerSecrets();
        laptop.ensureBucket("pods");
        Map<String, String> options = new LinkedHashMap<>();
        options.put(Staging.STORAGE_NAME_OPTION, "s3");
        config.forEach((k, v) -> options.put(Staging.STORAGE_CONFIG_OPTION_PREFIX + k, String.valueOf(v)));
        return new JobSpec(
                id,
                id,
                command,
                "busybox",
                Map.of("GREETING", "hej"),
                null,
                2,
                2,
                ResourceRequest.NONE,
                timeLimit,
                true,
                new Staging("s3", "pods", id, null, null),
                options);
    }

    /** Runs task {@code index} of the spec's pod and returns what the stage-out container reported. */
    private Pod3 runPod(JobSpec spec, int index, Map<String, String> secrets) throws Exception {
        Secret secret = JobManifests.secret(spec, "ns", secrets);
        Job job = JobManifests.job(
                spec, spec.image(), JobOptions.of(spec, JobManifestsTest.SETTINGS, "ns"), JobManifestsTest.SETTINGS);
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        Path root = Files.createDirectories(dir.resolve(spec.id() + "-" + index));
        Path secretDir = Files.createDirectories(root.resolve("secret"));
        for (Map.Entry<String, String> item : secret.getData().entrySet()) {
            Files.write(secretDir.resolve(item.getKey()), Base64.getDecoder().decode(item.getValue()));
        }
        Map<String, String> paths = Map.of(
                JobManifests.WORK_MOUNT, root.resolve("corc").toString(),
                JobManifests.SECRET_MOUNT, secretDir.toString(),
                JobManifests.TERMINATION_LOG, root.resolve("termination-log").toString());

        Map<String, String> stageIn = options(pod.getInitContainers().get(0), paths);
        JobSpec podSpec = JobJson.readSpec(Path.of(stageIn.get("--spec")));
        new ContainerTask(
                        runner(podSpec, stageIn),
                        Path.of(stageIn.get("--work-dir")),
                        Path.of(stageIn.get("--control-dir")))
                .stageIn(podSpec);

        // stage-out starts with the task container, as in the pod, and waits for it
        Map<String, String> stageOut = options(pod.getContainers().get(1), paths);
        ByteArrayOutputStream copiedLogs = new ByteArrayOutputStream();
        CompletableFuture<TaskReport> out = CompletableFuture.supplyAsync(() -> new ContainerTask(
                        runner(podSpec, stageOut),
                        Path.of(stageOut.get("--work-dir")),
                        Path.of(stageOut.get("--control-dir")))
                .stageOut(
                        podSpec,
                        index,
                        Duration.ofSeconds(
                                Long.parseLong(stageOut.get("--start-timeout").replace("s", ""))),
                        Path.of(stageOut.get("--termination-log")),
                        copiedLogs,
                        copiedLogs));

        Container task = pod.getContainers().get(0);
        ProcessBuilder builder = new ProcessBuilder(
                        task.getCommand().stream().map(a -> map(a, paths)).toList())
                .directory(new java.io.File(map(task.getWorkingDir(), paths)))
                .redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv("PATH"));
        for (EnvVar variable : task.getEnv()) {
            String value = variable.getValueFrom() != null ? Integer.toString(index) : map(variable.getValue(), paths);
            builder.environment().put(variable.getName(), value);
        }
        Process process = builder.start();
        process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        TaskReport report = out.get(60, TimeUnit.SECONDS);
        return new Pod3(
                report,
                ContainerTask.exitCodeOf(report),
                copiedLogs.toString(StandardCharsets.UTF_8),
                Files.readString(root.resolve("termination-log")));
    }

    private static JobRunner runner(JobSpec spec, Map<String, String> options) {
        return new JobRunner(StorageLoader.forSpec(
                spec, Path.of("unused-home"), Map.of("secrets_dir", options.get("--storage-secrets-dir"))));
    }

    private static Map<String, String> options(Container container, Map<String, String> paths) {
        Map<String, String> options = new LinkedHashMap<>();
        List<String> args = container.getArgs();
        assertThat(args.get(0)).isEqualTo("jobio");
        for (int i = 2; i < args.size(); i += 2) {
            options.put(args.get(i), map(args.get(i + 1), paths));
        }
        return options;
    }

    private static String map(String value, Map<String, String> paths) {
        for (Map.Entry<String, String> path : paths.entrySet()) {
            if (value.equals(path.getKey()) || value.startsWith(path.getKey() + "/")) {
                return path.getValue() + value.substring(path.getKey().length());
            }
        }
        return value;
    }

    @Test
    void stagesInRunsTheCommandInShAndStagesOutWithJobJsonAndTheCommitMarker() throws Exception {
        JobSpec spec = spec(
                "job-pod-ok",
                List.of(
                        "sh",
                        "-c",
                        "cat \"$CORC_INPUT/params.txt\" > \"$CORC_OUTPUT/result-$CORC_TASK_INDEX.txt\"; echo \"$GREETING out\"; echo oops >&2"),
                null);
        Path input = Files.createDirectories(dir.resolve("input"));
        Files.writeString(input.resolve("params.txt"), "lambda=5");
        laptop.upload(input, "pods", spec.staging().inputKeyPrefix(), ProgressListener.NONE);

        Pod3 pod = runPod(spec, 1, runnerSecrets);

        assertThat(pod.report().exitCode()).isZero();
        assertThat(pod.report().error()).isNull();
        assertThat(pod.stageOutExit()).isZero();
        assertThat(pod.stageOutStdout()).contains("hej out").contains("oops");
        List<String> keys = laptop.list("pods", spec.staging().outputKeyPrefix(1)).stream()
                .map(StoredObject::key)
                .toList();
        assertThat(keys)
                .contains(
                        "job-pod-ok/output/1/result-1.txt", "job-pod-ok/output/1/job.json",
                        "job-pod-ok/output/1/stdout.log", "job-pod-ok/output/1/stderr.log");
        Path home = dir.resolve("results");
        var download = laptop.download("pods", spec.staging().outputKeyPrefix(1), home, ProgressListener.NONE);
        assertThat(download.incomplete()).isEmpty();
        assertThat(Files.readString(home.resolve("result-1.txt"))).isEqualTo("lambda=5");
        TaskReport stored = JobJson.readReport(home.resolve("job.json"));
        assertThat(stored.exitCode()).isZero();
        assertThat(stored.stageOutSeconds()).isGreaterThan(0);

        // the termination message carries the report to the scheduler without a download
        Pod finished = new PodBuilder()
                .withNewMetadata()
                .withName("p")
                .addToAnnotations(JobManifests.INDEX_ANNOTATION, "1")
                .endMetadata()
                .withNewStatus()
                .withPhase("Succeeded")
                .withContainerStatuses(new ContainerStatusBuilder()
                        .withName(JobManifests.STAGE_OUT)
                        .withState(new ContainerStateBuilder()
                                .withNewTerminated()
                                .withExitCode(0)
                                .withMessage(pod.terminationMessage())
                                .endTerminated()
                                .build())
                        .build())
                .endStatus()
                .build();
        TaskReport fromMessage = TaskStates.runnerReport(finished).orElseThrow();
        assertThat(fromMessage.computeSeconds()).isEqualTo(pod.report().computeSeconds());
        assertThat(fromMessage.stageInSeconds()).isGreaterThan(0);
    }

    @Test
    void theCommandsExitCodeIsTheTasksAndFailedStageInSkipsTheCommand() throws Exception {
        JobSpec failing =
                spec("job-pod-exit", List.of("sh", "-c", "echo partial > \"$CORC_OUTPUT/partial.txt\"; exit 3"), null);
        Pod3 pod = runPod(failing, 0, runnerSecrets);
        assertThat(pod.report().exitCode()).isEqualTo(3);
        assertThat(pod.stageOutExit()).isEqualTo(3);
        assertThat(laptop.list("pods", "job-pod-exit/output/0/").stream().map(StoredObject::key))
                .contains("job-pod-exit/output/0/partial.txt");

        Map<String, String> wrong = new HashMap<>(runnerSecrets);
        wrong.put("aws_secret_access_key", "wrong");
        JobSpec denied = spec("job-pod-denied", List.of("sh", "-c", "touch \"$CORC_OUTPUT/ran\""), null);
        Pod3 deniedPod = runPod(denied, 0, wrong);
        assertThat(deniedPod.report().exitCode()).isEqualTo(JobRunner.STAGE_IN_FAILED);
        assertThat(deniedPod.report().error()).startsWith("stage-in failed");
        assertThat(Files.exists(dir.resolve("job-pod-denied-0/corc/task/output/ran")))
                .isFalse();
    }

    @Test
    void aTaskPastItsTimeLimitIsKilledAndOneKilledFromOutsideIsReported() throws Exception {
        JobSpec slow = spec("job-pod-slow", List.of("sleep", "60"), Duration.ofSeconds(1));
        Pod3 pod = runPod(slow, 0, runnerSecrets);
        assertThat(pod.report().exitCode()).isEqualTo(124);
        assertThat(pod.report().error()).contains("time limit of 1s exceeded");
        assertThat(pod.report().computeSeconds()).isLessThan(30);

        // the wrapper itself dies without recording an exit code, as when the kernel kills the container (OOM)
        JobSpec killed = spec("job-pod-killed", List.of("sh", "-c", "kill -9 $PPID; sleep 5"), null);
        Pod3 killedPod = runPod(killed, 1, runnerSecrets);
        assertThat(killedPod.report().exitCode()).isEqualTo(ContainerTask.KILLED);
        assertThat(killedPod.report().error()).contains("killed before it finished");
    }

    @Test
    void taskStatusFromTheReportOfAFinishedPod() {
        TaskReport report = new TaskReport(1, "j", 0, List.of("x"), 0, "h", null, null, 1, 2, 3, null);
        Pod pod = new PodBuilder()
                .withNewMetadata()
                .withName("p")
                .addToAnnotations(JobManifests.INDEX_ANNOTATION, "0")
                .endMetadata()
                .withNewStatus()
                .withPhase("Succeeded")
                .withContainerStatuses(new ContainerStatusBuilder()
                        .withName(JobManifests.STAGE_OUT)
                        .withState(new ContainerStateBuilder()
                                .withNewTerminated()
                                .withExitCode(0)
                                .withMessage(JobJson.toJson(report))
                                .endTerminated()
                                .build())
                        .build())
                .endStatus()
                .build();
        Job job = JobManifests.job(
                new JobSpec("j", "j", List.of("x"), "i", null, null, 1, 1, null, null, false, null, null),
                "i",
                JobOptions.of(
                        new JobSpec("j", "j", List.of("x"), "i", null, null, 1, 1, null, null, false, null, null),
                        JobManifestsTest.SETTINGS,
                        "ns"),
                JobManifestsTest.SETTINGS);
        TaskStatus task = TaskStates.toJob(job, new ArrayList<>(List.of(pod)), "kubernetes")
                .tasks()
                .get(0);
        assertThat(task.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(task.computeSeconds()).isEqualTo(2.0);
    }
}
