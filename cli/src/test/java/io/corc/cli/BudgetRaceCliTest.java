package io.corc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.provider.ec2.FakeEc2;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two corc processes start at once under a budget cap that only one start fits: the check and the reservation are
 * one step under the state store's lock, so exactly one starts and the other is refused (exit 5), although neither
 * had a spend record when both began. EC2 is {@link FakeEc2} with latency, so the two starts overlap for seconds.
 */
class BudgetRaceCliTest {
    @TempDir
    Path home;

    @TempDir
    Path tmp;

    private final FakeEc2 ec2 = new FakeEc2().standardCatalogue().latency(150);

    @AfterEach
    void tearDown() {
        ec2.shutdown();
    }

    @Test
    void twoCliProcessesStartingAtOnceCannotBothPassACapThatFitsOne() throws Exception {
        Path credentials = Files.writeString(
                tmp.resolve("aws-credentials"), "[default]\naws_access_key_id = AKIDRACE\naws_secret_access_key = x\n");
        // t3a.medium costs 0.0376 USD/hour in the catalog: one fits under 0.05, two do not
        Path config = Files.writeString(
                tmp.resolve("config.yaml"),
                String.join(
                        "\n",
                        "corc:",
                        "  budgets:",
                        "    users: {racer: {max_hourly_usd: 0.05}}",
                        "  providers:",
                        "    ec2:",
                        "      profile:",
                        "        region: us-east-1",
                        "        config_file: " + tmp.resolve("no-aws-config"),
                        "        credentials_file: " + credentials,
                        "      endpoint: " + ec2.url(),
                        "      ssh_cidr: 198.51.100.0/24",
                        "      ssh_wait_seconds: 0",
                        "      poll_interval_ms: 1",
                        ""));
        List<Process> children = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        for (String name : List.of("one", "two")) {
            Path output = tmp.resolve("child-" + name + ".log");
            outputs.add(output);
            children.add(child(
                    config,
                    output,
                    "ec2",
                    "orchestration",
                    "instance",
                    "start",
                    "--name",
                    name,
                    "--min-cores",
                    "2",
                    "--min-memory",
                    "4"));
        }
        List<Integer> codes = new ArrayList<>();
        for (Process child : children) {
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
            codes.add(child.exitValue());
        }
        String logs = Files.readString(outputs.get(0), StandardCharsets.UTF_8) + "\n---\n"
                + Files.readString(outputs.get(1), StandardCharsets.UTF_8);

        assertThat(codes).as(logs).containsExactlyInAnyOrder(ExitCodes.OK, ExitCodes.CAPACITY);
        assertThat(logs).contains("budget", "user racer", "over the cap of 0.05");
        assertThat(ec2.requests("RunInstances"))
                .as("only one start reached EC2's launch")
                .hasSize(1);
    }

    private Process child(Path config, Path output, String... args) throws Exception {
        ProcessBuilder builder = CliRunner.childProcess(home, config, output, args);
        builder.environment().put("USER", "racer");
        return builder.start();
    }
}
