package io.corc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.storage.s3.server.LocalS3Server;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code corc job run --scheduler kubernetes} end to end: the CLI reads a kubeconfig pointing at the fabric8 mock
 * API server, stages inputs to the in-JVM S3 server, creates the Secret and Job, waits on watches; {@link
 * LocalKubelet} runs each pod's containers on this machine (the runner containers through corc's own CLI), and the
 * results come home from S3.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesJobTest {
    static KubernetesClient client;
    static KubernetesMockServer server;

    @TempDir
    Path home;

    @TempDir
    Path work;

    @TempDir
    Path s3Directory;

    private LocalS3Server s3;
    private LocalKubelet kubelet;
    private CliRunner cli;
    private Path config;

    @BeforeEach
    void setUp() throws IOException {
        s3 = LocalS3Server.builder().directory(s3Directory).port(0).start();
        kubelet = new LocalKubelet(client, "sims", Files.createDirectories(work.resolve("nodes")));
        Path kubeconfig = Files.writeString(
                work.resolve("kubeconfig"),
                String.join(
                        "\n",
                        "apiVersion: v1",
                        "kind: Config",
                        "clusters:",
                        "- name: mock",
                        "  cluster:",
                        "    server: " + client.getMasterUrl(),
                        "    insecure-skip-tls-verify: true",
                        "contexts:",
                        "- name: mock",
                        "  context:",
                        "    cluster: mock",
                        "    user: tester",
                        "    namespace: sims",
                        "current-context: mock",
                        "users:",
                        "- name: tester",
                        "  user:",
                        "    token: not-a-real-token",
                        ""));
        Path credentials = Files.writeString(
                work.resolve("aws-credentials"),
                "[e2e]\naws_access_key_id = " + s3.accessKey() + "\naws_secret_access_key = " + s3.secretKey() + "\n");
        config = Files.writeString(
                work.resolve("config.yaml"),
                String.join(
                        "\n",
                        "corc:",
                        "  storage:",
                        "    backend: s3",
                        "    endpoint: " + s3.endpoint(),
                        "    s3:",
                        "      name: e2e",
                        "      credentials_file: " + credentials,
                        "      config_file: " + work.resolve("no-aws-config"),
                        "      bucket_name: mcstas",
                        "  schedulers:",
                        "    kubernetes:",
                        "      kubeconfig: " + kubeconfig,
                        "      runner_image: corc-runner:test",
                        // the S3 server is on loopback, and so are this test's 'pods'
                        "      allow_loopback_storage: true",
                        ""));
        cli = new CliRunner(home).env("CORC_CONFIG_FILE", config.toString());
    }

    @AfterEach
    void tearDown() {
        kubelet.close();
        s3.close();
    }

    @Test
    void runWaitsOnTheClusterAndBringsEveryTasksOutputsHome() throws Exception {
        Path input = Files.createDirectories(work.resolve("instr"));
        Files.writeString(input.resolve("params.txt"), "ncount=1e6\n");
        Path download = work.resolve("results");

        CliRunner.Result run = cli.run(
                "job",
                "run",
                "--scheduler",
                "kubernetes",
                "--image",
                "mccode/mcstas:3.5.1",
                "--num-jobs",
                "3",
                "--num-parallel",
                "2",
                "--cores",
                "1",
                "--memory",
                "0.5",
                "--input",
                input.toString(),
                "--wait",
                "--storage-download-path",
                download.toString(),
                "-o",
                "json",
                "--",
                "sh",
                "-c",
                "cat \"$CORC_INPUT/instr/params.txt\" > \"$CORC_OUTPUT/task-$CORC_TASK_INDEX.dat\"; echo done");

        assertThat(run.code()).as(run.toString()).isZero();
        Map<String, Object> document = run.json();
        assertThat(document).containsEntry("status", "success");
        @SuppressWarnings("unchecked")
        Map<String, Object> job = (Map<String, Object>) document.get("job");
        String jobId = (String) job.get("id");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> tasks = (List<Map<String, Object>>) job.get("tasks");
        assertThat(tasks).hasSize(3).allSatisfy(task -> {
            assertThat(task).containsEntry("state", "succeeded").containsEntry("exit_code", 0);
            assertThat((Double) task.get("compute_seconds")).isNotNull();
            assertThat((Double) task.get("stage_out_seconds")).isGreaterThan(0);
        });
        for (int index = 0; index < 3; index++) {
            Path taskDir = download.resolve(jobId).resolve(Integer.toString(index));
            assertThat(Files.readString(taskDir.resolve("task-" + index + ".dat")))
                    .isEqualTo("ncount=1e6\n");
            assertThat(Files.readString(taskDir.resolve("stdout.log"))).isEqualTo("done\n");
            assertThat(taskDir.resolve("job.json")).exists();
        }

        // what reached the cluster: an indexed Job in the kubeconfig's namespace, resources as asked
        Job created =
                client.batch().v1().jobs().inNamespace("sims").withName(jobId).get();
        assertThat(created.getSpec().getCompletions()).isEqualTo(3);
        assertThat(created.getSpec().getParallelism()).isEqualTo(2);
        var resources =
                created.getSpec().getTemplate().getSpec().getContainers().get(0).getResources();
        assertThat(resources.getRequests()).containsOnlyKeys("cpu", "memory");
        // the storage keys are in the Secret, which only the runner containers mount, never in the Job
        assertThat(created.toString()).doesNotContain(s3.secretKey());
        assertThat(client.secrets()
                        .inNamespace("sims")
                        .withName(jobId + "-corc")
                        .get()
                        .getData())
                .containsKeys("aws_access_key_id", "aws_secret_access_key", "spec.json");

        CliRunner.Result show = cli.run("job", "show", jobId);
        assertThat(show.code()).as(show.toString()).isZero();
        assertThat(show.out()).contains("succeeded").contains("namespace").contains("sims");

        CliRunner.Result delete = cli.run("job", "delete", jobId);
        assertThat(delete.code()).as(delete.toString()).isZero();
        assertThat(client.batch()
                        .v1()
                        .jobs()
                        .inNamespace("sims")
                        .withName(jobId)
                        .get())
                .isNull();
        assertThat(client.secrets()
                        .inNamespace("sims")
                        .withName(jobId + "-corc")
                        .get())
                .isNull();
    }

    @Test
    void aFailingTaskFailsTheWaitWithItsExitCode() throws Exception {
        CliRunner.Result run = cli.run(
                "job",
                "run",
                "--scheduler",
                "kubernetes",
                "--image",
                "busybox",
                "--num-jobs",
                "2",
                "--wait",
                "-o",
                "json",
                "--",
                "sh",
                "-c",
                "test \"$CORC_TASK_INDEX\" = 0 || exit 7");

        assertThat(run.code()).as(run.toString()).isEqualTo(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> job = (Map<String, Object>) run.json().get("job");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> tasks = (List<Map<String, Object>>) job.get("tasks");
        assertThat(tasks.get(0)).containsEntry("state", "succeeded");
        assertThat(tasks.get(1)).containsEntry("state", "failed").containsEntry("exit_code", 7);
        assertThat((String) tasks.get(1).get("message")).contains("exited with 7");
    }
}
