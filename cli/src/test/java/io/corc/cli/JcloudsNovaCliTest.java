package io.corc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.provider.jclouds.FakeNova;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code corc jclouds orchestration instance ...} at {@code openstack-nova} end to end through the CLI, against
 * {@link FakeNova} (Keystone v3 and Nova v2.1 on WireMock).
 */
class JcloudsNovaCliTest {
    @TempDir
    Path home;

    private FakeNova nova;
    private CliRunner cli;

    @BeforeEach
    void setUp() throws IOException {
        nova = new FakeNova();
        Files.writeString(home.resolve("config.yaml"), novaConfig(nova));
        cli = new CliRunner(home);
    }

    /**
     * The jclouds section for Nova: Keystone v3 identity as {@code user-domain:user} with the project to scope to
     * (providers read the process environment, so the openrc variables are tested in the provider's own tests), and
     * fast polling.
     */
    static String novaConfig(FakeNova nova) {
        return String.join(
                "\n",
                "corc:",
                "  providers:",
                "    jclouds:",
                "      provider: openstack-nova",
                "      endpoint: " + nova.keystone(),
                "      identity: Default:alice",
                "      credential: s3cret",
                "      project: physics",
                "      ssh_user: ubuntu",
                "      properties:",
                "        jclouds.compute.poll-status.initial-period: '10'",
                "        jclouds.compute.poll-status.max-period: '50'",
                "        jclouds.compute.timeout.node-running: '5000'",
                "        jclouds.compute.timeout.node-terminated: '5000'",
                "");
    }

    @AfterEach
    void tearDown() {
        nova.shutdown();
    }

    @Test
    @SuppressWarnings("unchecked")
    void checkPlanStartListShowStop() {
        CliRunner.Result check = cli.run("check");
        assertThat(check.out()).containsPattern("jclouds.*openstack-nova: 4 hardware profiles");

        CliRunner.Result plan =
                cli.run("jclouds", "orchestration", "instance", "plan", "--min-cores", "2", "--min-memory", "4");
        assertThat(plan.code()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("RegionOne/3");

        CliRunner.Result start = cli.run(
                "jclouds",
                "orchestration",
                "instance",
                "start",
                "--name",
                "nova-box",
                "--image",
                FakeNova.UBUNTU,
                "--tag",
                "team=physics",
                "-o",
                "json");
        assertThat(start.code()).as(start.toString()).isZero();
        Map<String, Object> instance = (Map<String, Object>) start.json().get("instance");
        String id = (String) instance.get("id");
        assertThat(nova.live()).singleElement().satisfies(server -> assertThat(server.metadata)
                .containsEntry("corc-resource", id)
                .containsEntry("team", "physics"));

        assertThat(cli.run("jclouds", "orchestration", "instance", "list").out())
                .contains(id);
        assertThat(cli.run("jclouds", "orchestration", "instance", "show", id).out())
                .contains("running", "127.0.0.1", "ubuntu");
        CliRunner.Result stop = cli.run("jclouds", "orchestration", "instance", "stop", id);
        assertThat(stop.code()).as(stop.toString()).isZero();
        assertThat(nova.live()).isEmpty();
        assertThat(cli.run("jclouds", "orchestration", "instance", "show", id).code())
                .isEqualTo(ExitCodes.NOT_FOUND);
    }
}
