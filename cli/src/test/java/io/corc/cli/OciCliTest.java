package io.corc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.provider.oci.FakeOci;
import io.corc.provider.oci.OciFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code corc oci orchestration instance ...} end to end against a stateful OCI on WireMock. */
class OciCliTest {
    @TempDir
    Path home;

    private final OciFixture fixture = new OciFixture();
    private CliRunner cli;

    @BeforeEach
    void setUp() throws IOException {
        Files.writeString(
                home.resolve("config.yaml"),
                String.join(
                        "\n",
                        "corc:",
                        "  providers:",
                        "    oci:",
                        "      profile:",
                        "        config_file: " + fixture.configFile,
                        "        compartment_id: " + OciFixture.COMPARTMENT,
                        "      endpoint: " + fixture.oci.url(),
                        "      ssh_wait_seconds: 0",
                        "      poll_interval_ms: 1",
                        ""));
        cli = new CliRunner(home);
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void planExplainsTheChoice() {
        CliRunner.Result plan =
                cli.run("oci", "orchestration", "instance", "plan", "--min-cores", "2", "--min-memory", "8");

        assertThat(plan.code()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("VM.Standard.E4.Flex", "smallest of", "ocid1.image.oc1..ol9-new", "VCN");
        assertThat(fixture.oci.calls("POST instances")).isEmpty();
    }

    @Test
    void startListShowStop() {
        CliRunner.Result start = cli.run("oci", "orchestration", "instance", "start", "-o", "json");
        assertThat(start.code()).as(start.toString()).isZero();
        @SuppressWarnings("unchecked")
        String id = (String) ((Map<String, Object>) start.json().get("instance")).get("id");
        // corc's own key is among the authorised ones, as at every provider with SSH access.
        String keys = fixture.oci
                .calls("POST instances")
                .get(0)
                .body()
                .get("metadata")
                .get("ssh_authorized_keys")
                .asText();
        assertThat(keys).startsWith("ssh-ed25519 ");

        assertThat(cli.run("oci", "orchestration", "instance", "list").out()).contains(id);
        assertThat(cli.run("oci", "orchestration", "instance", "show", id).out())
                .contains("running", "203.0.113.", "opc");
        CliRunner.Result stop = cli.run("oci", "orchestration", "instance", "stop", id);
        assertThat(stop.code()).as(stop.toString()).isZero();
        assertThat(cli.run("oci", "orchestration", "instance", "stop", id).code())
                .isZero();
        assertThat(cli.run("oci", "orchestration", "instance", "show", id).code())
                .isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(fixture.oci.leftovers()).isEmpty();
    }

    @Test
    void clusterStartShowStopWritesAndRemovesItsOwnKubeconfig() {
        CliRunner.Result plan = cli.run("oci", "orchestration", "cluster", "plan", "--option", "node_count=2");
        assertThat(plan.code()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("OKE cluster", "v1.31.1", "node pool of 2 x");

        CliRunner.Result start = cli.run("oci", "orchestration", "cluster", "start", "-o", "json");
        assertThat(start.code()).as(start.toString()).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> cluster = (Map<String, Object>) start.json().get("cluster");
        String id = (String) cluster.get("id");
        assertThat(id).startsWith("oke-");
        assertThat(home.resolve("oci").resolve("kube").resolve(id + ".yaml")).exists();

        assertThat(cli.run("oci", "orchestration", "cluster", "show", id).out())
                .contains("running", "kubeconfig", id + ".yaml");
        CliRunner.Result stop = cli.run("oci", "orchestration", "cluster", "stop", id);
        assertThat(stop.code()).as(stop.toString()).isZero();
        assertThat(home.resolve("oci").resolve("kube").resolve(id + ".yaml")).doesNotExist();
        assertThat(fixture.oci.leftovers()).isEmpty();
    }

    @Test
    void outOfHostCapacityEverywhereIsTheCapacityExitCode() {
        fixture.oci.rule(c -> c.key().equals("POST instances")
                ? new FakeOci.Err(500, "InternalError", "Out of host capacity.")
                : null);

        CliRunner.Result start = cli.run("oci", "orchestration", "instance", "start");

        assertThat(start.code()).as(start.toString()).isEqualTo(ExitCodes.CAPACITY);
        assertThat(start.err()).contains("Out of host capacity", "shape");
        assertThat(fixture.oci.leftovers()).isEmpty();
    }

    @Test
    void aMissingCompartmentIsInvalidInputWithAHint() throws IOException {
        Files.writeString(
                home.resolve("config.yaml"),
                String.join(
                        "\n",
                        "corc:",
                        "  providers:",
                        "    oci:",
                        "      profile:",
                        "        config_file: " + fixture.configFile,
                        "      endpoint: " + fixture.oci.url(),
                        ""));

        CliRunner.Result plan = cli.run("oci", "orchestration", "instance", "plan");

        assertThat(plan.code()).as(plan.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(plan.err()).contains("no OCI compartment", "compartment_id");
    }
}
