package io.corc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.provider.ec2.FakeEc2;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code corc ec2 orchestration instance ...} end to end against a stateful EC2 on WireMock. */
class Ec2CliTest {
    @TempDir
    Path home;

    private final FakeEc2 ec2 = new FakeEc2().standardCatalogue();
    private CliRunner cli;

    @BeforeEach
    void setUp() throws IOException {
        Path credentials = Files.writeString(
                home.resolve("aws-credentials"), "[default]\naws_access_key_id = AKIDCLI\naws_secret_access_key = x\n");
        Files.writeString(
                home.resolve("config.yaml"),
                String.join(
                        "\n",
                        "corc:",
                        "  providers:",
                        "    ec2:",
                        "      profile:",
                        "        region: us-east-1",
                        "        config_file: " + home.resolve("no-aws-config"),
                        "        credentials_file: " + credentials,
                        "      endpoint: " + ec2.url(),
                        "      ssh_cidr: 198.51.100.0/24",
                        "      ssh_wait_seconds: 0",
                        "      poll_interval_ms: 1",
                        ""));
        cli = new CliRunner(home);
    }

    @AfterEach
    void tearDown() {
        ec2.shutdown();
    }

    @Test
    void planExplainsTheChoice() {
        CliRunner.Result plan =
                cli.run("ec2", "orchestration", "instance", "plan", "--min-cores", "2", "--min-memory", "4");

        assertThat(plan.code()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("t3a.medium", "smallest of", "ami-ubuntu-new");
        assertThat(ec2.requests("RunInstances")).isEmpty();
    }

    @Test
    void startListShowStop() {
        CliRunner.Result start = cli.run("ec2", "orchestration", "instance", "start", "--min-cores", "2", "-o", "json");
        assertThat(start.code()).as(start.toString()).isZero();
        @SuppressWarnings("unchecked")
        String id = (String) ((Map<String, Object>) start.json().get("instance")).get("id");
        // corc's own key is among the authorised ones, as at every provider with SSH access.
        assertThat(ec2.requests("ImportKeyPair")).hasSize(1);
        assertThat(ec2.requests("AuthorizeSecurityGroupIngress").get(0))
                .containsEntry("IpPermissions.1.IpRanges.1.CidrIp", "198.51.100.0/24");

        assertThat(cli.run("ec2", "orchestration", "instance", "list").out()).contains(id);
        assertThat(cli.run("ec2", "orchestration", "instance", "show", id).out())
                .contains("running", "127.0.0.1", "ubuntu");
        CliRunner.Result stop = cli.run("ec2", "orchestration", "instance", "stop", id);
        assertThat(stop.code()).as(stop.toString()).isZero();
        assertThat(cli.run("ec2", "orchestration", "instance", "stop", id).code())
                .isZero();
        assertThat(cli.run("ec2", "orchestration", "instance", "show", id).code())
                .isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(ec2.leftovers()).isEmpty();
    }

    @Test
    void clustersAreRefusedWithTheReason() {
        CliRunner.Result start = cli.run("ec2", "orchestration", "cluster", "start");

        assertThat(start.code()).as(start.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(start.err()).contains("EKS");
    }

    @Test
    void aBadInstanceTypeIsInvalidInputWithAHint() {
        CliRunner.Result plan =
                cli.run("ec2", "orchestration", "instance", "plan", "--option", "instance_type=x9.huge");

        assertThat(plan.code()).as(plan.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(plan.err()).contains("x9.huge", "describe-instance-types");
    }

    @Test
    void quotaIsTheCapacityExitCode() {
        ec2.rule(p -> "RunInstances".equals(p.get("Action"))
                ? new FakeEc2.Err(400, "VcpuLimitExceeded", "You have requested more vCPU capacity than allowed")
                : null);

        CliRunner.Result start = cli.run("ec2", "orchestration", "instance", "start", "--min-cores", "2");

        assertThat(start.code()).as(start.toString()).isEqualTo(ExitCodes.CAPACITY);
        assertThat(start.err()).contains("VcpuLimitExceeded", "quota");
        assertThat(ec2.leftovers()).isEmpty();
    }
}
