package io.corc.scheduler.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.GpuSpec;
import io.corc.api.JobSpec;
import io.corc.api.PluginConfig;
import io.corc.api.ResourceRequest;
import io.corc.ssh.Shell;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SbatchArgumentsTest {
    private static final JobLayout LAYOUT = new JobLayout("/shared/corc/job-1");

    @Test
    void aSpecWithResourcesGetsExactlyTheOptionsItAsksFor() {
        SlurmSettings settings = SlurmSettings.from(new PluginConfig(
                "corc.schedulers.slurm",
                Map.of(
                        "partition", "gpu",
                        "account", "proj42",
                        "qos", "normal",
                        "extra_sbatch_options", List.of("--exclusive", "--constraint=avx2"),
                        "staging_time", 300)));
        JobSpec spec = new JobSpec(
                "job-1",
                "scan",
                List.of("mcrun", "-n", "1e6"),
                null,
                null,
                null,
                16,
                4,
                new ResourceRequest(2.5, 1.5, new GpuSpec(2, "a100")),
                Duration.ofMinutes(90),
                true,
                null,
                Map.of("slurm.qos", "high", "slurm.extra_sbatch_options", "--nice=10"));

        assertThat(SbatchArguments.build(spec, settings, LAYOUT))
                .containsExactly(
                        "sbatch",
                        "--parsable",
                        "--job-name=corc-job-1",
                        "--array=0-15%4",
                        "--output=/shared/corc/job-1/slurm/%a.out",
                        "--error=/shared/corc/job-1/slurm/%a.err",
                        "--chdir=/shared/corc/job-1",
                        "--partition=gpu",
                        "--account=proj42",
                        "--qos=high",
                        "--cpus-per-task=3",
                        "--mem=1536M",
                        "--gres=gpu:a100:2",
                        "--time=0-01:35:00",
                        "--exclusive",
                        "--constraint=avx2",
                        "--nice=10",
                        "/shared/corc/job-1/job.sh");
    }

    @Test
    void aPlainSpecGetsNoOptionalOptionsAndNoLimitWhenAllTasksMayRunAtOnce() {
        SlurmSettings settings = SlurmSettings.from(PluginConfig.empty("corc.schedulers.slurm"));
        JobSpec spec =
                new JobSpec("job-2", "plain", List.of("true"), null, null, null, 3, 5, null, null, true, null, null);

        assertThat(SbatchArguments.build(spec, settings, LAYOUT))
                .containsExactly(
                        "sbatch",
                        "--parsable",
                        "--job-name=corc-job-2",
                        "--array=0-2",
                        "--output=/shared/corc/job-1/slurm/%a.out",
                        "--error=/shared/corc/job-1/slurm/%a.err",
                        "--chdir=/shared/corc/job-1",
                        "/shared/corc/job-1/job.sh");
    }

    @Test
    void timeLimitsRoundUpToWholeMinutesAndCountDays() {
        assertThat(SbatchArguments.slurmTime(Duration.ofSeconds(1))).isEqualTo("0-00:01:00");
        assertThat(SbatchArguments.slurmTime(Duration.ofSeconds(61))).isEqualTo("0-00:02:00");
        assertThat(SbatchArguments.slurmTime(Duration.ofHours(49))).isEqualTo("2-01:00:00");
    }

    @Test
    void shellQuotingKeepsEveryArgumentIntact() {
        assertThat(Shell.join(List.of("echo", "a b", "it's", "$HOME", "", "plain/path-1.txt")))
                .isEqualTo("echo 'a b' 'it'\\''s' '$HOME' '' plain/path-1.txt");
    }
}
