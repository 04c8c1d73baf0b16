package io.corc.scheduler.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.GpuSpec;
import io.corc.api.JobSpec;
import io.corc.api.PluginConfig;
import io.corc.api.ResourceRequest;
import io.corc.api.Staging;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobManifestsTest {
    static final KubernetesSettings SETTINGS = KubernetesSettings.from(new PluginConfig(
            "corc.schedulers.kubernetes",
            Map.of("runner_image", "example.org/corc-runner:test", "ttl_seconds_after_finished", 600)));

    static JobSpec spec(ResourceRequest resources, Map<String, String> options, Duration timeLimit) {
        return new JobSpec(
                "job-20261122-120000-abcd",
                "scan",
                List.of("mcrun", "SANS.instr", "-n", "1e6"),
                "mccode/mcstas:3.5.1",
                Map.of("OMP_NUM_THREADS", "2"),
                null,
                5,
                2,
                resources,
                timeLimit,
                true,
                new Staging("s3", "bucket", "job-20261122-120000-abcd", "input", "output"),
                options);
    }

    private static Job job(JobSpec spec) {
        return JobManifests.job(spec, spec.image(), JobOptions.of(spec, SETTINGS, "sims"), SETTINGS);
    }

    @Test
    void anIndexedJobWithTheSpecsCountsLabelsAndThreeContainers() {
        Job job = job(spec(ResourceRequest.NONE, Map.of(), null));

        assertThat(job.getMetadata().getName()).isEqualTo("job-20261122-120000-abcd");
        assertThat(job.getMetadata().getNamespace()).isEqualTo("sims");
        assertThat(job.getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/managed-by", "corc")
                .containsEntry("corc.io/job-id", "job-20261122-120000-abcd");
        assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
        assertThat(job.getSpec().getCompletions()).isEqualTo(5);
        assertThat(job.getSpec().getParallelism()).isEqualTo(2);
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(600);
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("corc.io/job-id", "job-20261122-120000-abcd");

        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getShareProcessNamespace()).isTrue();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getActiveDeadlineSeconds()).isNull();
        assertThat(pod.getNodeSelector()).isNull();
        assertThat(pod.getTolerations()).isEmpty();
        assertThat(pod.getInitContainers()).extracting(Container::getName).containsExactly("corc-stage-in");
        assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("task", "corc-stage-out");

        Container stageIn = pod.getInitContainers().get(0);
        assertThat(stageIn.getImage()).isEqualTo("example.org/corc-runner:test");
        assertThat(stageIn.getArgs())
                .containsExactly(
                        "jobio",
                        "stage-in",
                        "--spec",
                        "/var/run/corc/spec.json",
                        "--work-dir",
                        "/corc/task",
                        "--control-dir",
                        "/corc/control",
                        "--storage-secrets-dir",
                        "/var/run/corc");
        Container stageOut = pod.getContainers().get(1);
        assertThat(stageOut.getArgs())
                .startsWith("jobio", "stage-out")
                .contains("--termination-log", "/dev/termination-log");

        // the secret (credentials) is mounted into corc's runner containers only, never into the user's image
        assertThat(stageIn.getVolumeMounts())
                .extracting(m -> m.getMountPath())
                .containsExactly("/corc", "/var/run/corc");
        assertThat(stageOut.getVolumeMounts())
                .extracting(m -> m.getMountPath())
                .containsExactly("/corc", "/var/run/corc");
        Container task = pod.getContainers().get(0);
        assertThat(task.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactly("/corc");
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getSecret()).isNotNull();
            assertThat(v.getSecret().getSecretName()).isEqualTo("job-20261122-120000-abcd-corc");
            assertThat(v.getSecret().getDefaultMode()).isEqualTo(0400);
        });

        assertThat(task.getImage()).isEqualTo("mccode/mcstas:3.5.1");
        assertThat(task.getCommand())
                .startsWith("/bin/sh", "-c")
                .endsWith("corc-task", "mcrun", "SANS.instr", "-n", "1e6");
        assertThat(task.getWorkingDir()).isEqualTo("/corc/task");
        assertThat(task.getEnv())
                .anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("OMP_NUM_THREADS=2"))
                .anySatisfy(
                        e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("CORC_OUTPUT=/corc/task/output"))
                .anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo("CORC_TASK_INDEX");
                    assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                            .isEqualTo("metadata.annotations['batch.kubernetes.io/job-completion-index']");
                });
        // nothing asked, nothing set: no empty strings in the resources
        assertThat(task.getResources()).isNull();
    }

    @Test
    void resourcesOnlyForWhatIsAsked() {
        Container task = job(spec(new ResourceRequest(1.5, 0, GpuSpec.NONE), Map.of(), null))
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        assertThat(task.getResources().getRequests())
                .containsOnlyKeys("cpu")
                .containsEntry("cpu", new Quantity("1500m"));
        assertThat(task.getResources().getLimits()).isNull();

        task = job(spec(new ResourceRequest(4, 2.5, new GpuSpec(1, "A100")), Map.of(), null))
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        assertThat(task.getResources().getRequests())
                .containsEntry("cpu", new Quantity("4"))
                .containsEntry("memory", new Quantity("2560Mi"));
        assertThat(task.getResources().getLimits())
                .containsOnlyKeys("memory", "nvidia.com/gpu")
                .containsEntry("nvidia.com/gpu", new Quantity("1"));
        String yaml = Serialization.asYaml(task.getResources());
        assertThat(yaml).doesNotContain("\"\"").doesNotContain("''");
    }

    @Test
    void schedulingOptionsAndTimeLimitWhenAsked() {
        JobSpec spec = spec(
                ResourceRequest.NONE,
                Map.of(
                        "kubernetes.node_selector", "gpu=a100, zone=b",
                        "kubernetes.tolerations", "gpu=true:NoSchedule,dedicated:NoExecute",
                        "kubernetes.backoff_limit", "3",
                        "kubernetes.namespace", "other"),
                Duration.ofMinutes(30));
        Job job = job(spec);
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertThat(job.getMetadata().getNamespace()).isEqualTo("other");
        assertThat(job.getSpec().getBackoffLimit()).isEqualTo(3);
        assertThat(pod.getNodeSelector()).isEqualTo(Map.of("gpu", "a100", "zone", "b"));
        assertThat(pod.getTolerations()).hasSize(2);
        assertThat(pod.getTolerations().get(0).getOperator()).isEqualTo("Equal");
        assertThat(pod.getTolerations().get(0).getValue()).isEqualTo("true");
        assertThat(pod.getTolerations().get(1).getOperator()).isEqualTo("Exists");
        assertThat(pod.getTolerations().get(1).getEffect()).isEqualTo("NoExecute");
        // time limit plus the default staging allowance of an hour
        assertThat(pod.getActiveDeadlineSeconds()).isEqualTo(30 * 60 + 3600);

        assertThatThrownBy(() -> job(spec(ResourceRequest.NONE, Map.of("kubernetes.tolerations", "x:Sometimes"), null)))
                .isInstanceOf(CorcException.class)
                .hasMessageContaining("toleration 'x:Sometimes'");
    }

    @Test
    void theSecretHoldsTheSpecAndTheCredentialFiles() {
        JobSpec spec = spec(ResourceRequest.NONE, Map.of(), null);
        Secret secret = JobManifests.secret(
                spec, "sims", Map.of("aws_access_key_id", "AKIA", "aws_secret_access_key", "s3cr3t"));
        assertThat(secret.getMetadata().getName()).isEqualTo("job-20261122-120000-abcd-corc");
        assertThat(secret.getImmutable()).isTrue();
        assertThat(secret.getData()).containsOnlyKeys("spec.json", "aws_access_key_id", "aws_secret_access_key");
        assertThat(decode(secret.getData().get("aws_secret_access_key"))).isEqualTo("s3cr3t");
        assertThat(decode(secret.getData().get("spec.json")))
                .contains("\"job-20261122-120000-abcd\"")
                .doesNotContain("s3cr3t");
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
