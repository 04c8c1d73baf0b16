package io.corc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code corc broker ...} through Main.run: identity and trust on files, and every control API command against a
 * real broker (GridBroker, one member sharing local sandboxes) that {@code corc broker start} runs in the
 * foreground on a thread of this JVM. Separate processes: gridcloud-broker's BrokerProcessesTest.
 */
class BrokerCliTest {
    @TempDir
    Path home;

    @Test
    void keygenTrustAddListRemove() throws Exception {
        CliRunner cli = new CliRunner(home);
        CliRunner.Result keygen = cli.run("broker", "keygen", "--organisation", "org-a", "-o", "json");
        assertThat(keygen.code()).as(keygen.toString()).isZero();
        Map<String, Object> identity = section(keygen.json(), "identity");
        assertThat(identity.get("fingerprint").toString()).startsWith("SHA256:");
        assertThat(identity.get("public_key").toString())
                .startsWith("corc-broker-ed25519 ")
                .endsWith(" org-a");
        Path key = home.resolve("broker/identity.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                .isEqualTo("rw-------");
        assertThat(keygen.out())
                .doesNotContain(Files.readAllLines(key).stream()
                        .filter(l -> l.startsWith("private:"))
                        .findFirst()
                        .orElseThrow()
                        .substring(9));

        CliRunner.Result again = cli.run("broker", "keygen", "--organisation", "org-a");
        assertThat(again.code()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(again.err()).contains("already exists").contains("hint: ");
        assertThat(cli.run("broker", "keygen", "--organisation", "org-a", "--force")
                        .code())
                .isZero();

        CliRunner.Result gridKey = cli.run("broker", "grid-key", "--grid", "physics", "-o", "json");
        assertThat(gridKey.code()).as(gridKey.toString()).isZero();
        assertThat(section(gridKey.json(), "grid_key")).containsEntry("grid", "physics");
        Path gridKeyFile = home.resolve("broker/grid.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(gridKeyFile)))
                .isEqualTo("rw-------");
        assertThat(io.corc.broker.GridKey.load(gridKeyFile).grid()).isEqualTo("physics");
        String secret = Files.readAllLines(gridKeyFile).stream()
                .filter(l -> l.startsWith("key:"))
                .findFirst()
                .orElseThrow()
                .substring(4)
                .strip();
        assertThat(gridKey.out()).doesNotContain(secret);
        assertThat(cli.run("broker", "grid-key", "--grid", "physics").code())
                .as("a second key would split the grid")
                .isEqualTo(ExitCodes.CONFLICT);
        assertThat(Files.readString(gridKeyFile)).as("kept").contains(secret);

        Path otherHome = home.resolve("other");
        CliRunner other = new CliRunner(otherHome);
        Map<String, Object> b = section(
                other.run("broker", "keygen", "--organisation", "org-b", "-o", "json")
                        .json(),
                "identity");
        Path pub = home.resolve("org-b.pub");
        Files.writeString(pub, "# org-b's broker key\n" + b.get("public_key") + "\n", StandardCharsets.UTF_8);

        CliRunner.Result add = cli.run("broker", "trust", "add", pub.toString(), "-o", "json");
        assertThat(add.code()).as(add.toString()).isZero();
        assertThat(section(add.json(), "member"))
                .containsEntry("organisation", "org-b")
                .containsEntry("fingerprint", b.get("fingerprint"));
        CliRunner.Result asText =
                cli.run("broker", "trust", "add", b.get("public_key").toString());
        assertThat(asText.code()).as("the same key again is no change").isZero();
        CliRunner.Result renamed =
                cli.run("broker", "trust", "add", b.get("public_key").toString(), "--organisation", "org-x");
        assertThat(renamed.code()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(cli.run("broker", "trust", "add", "not a key").code()).isEqualTo(ExitCodes.INVALID_INPUT);

        CliRunner.Result list = cli.run("broker", "trust", "list");
        assertThat(list.out())
                .contains("ORGANISATION")
                .contains("org-b")
                .contains(b.get("fingerprint").toString());
        CliRunner.Result removed =
                cli.run("broker", "trust", "remove", b.get("fingerprint").toString());
        assertThat(removed.code()).as(removed.toString()).isZero();
        assertThat((List<?>)
                        cli.run("broker", "trust", "list", "-o", "json").json().get("members"))
                .isEmpty();
        CliRunner.Result gone = cli.run("broker", "trust", "remove", "org-b", "-o", "json");
        assertThat(gone.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(section(gone.errorJson(), "error")).containsEntry("exit_code", 3);
    }

    @Test
    void withoutARunningBrokerStatusSaysSoAndControlCommandsExit7() {
        CliRunner cli = new CliRunner(home);
        CliRunner.Result status = cli.run("broker", "status", "-o", "json");
        assertThat(status.code()).isEqualTo(ExitCodes.FAILED_OUTCOME);
        assertThat(status.json()).containsEntry("status", "not_running");
        CliRunner.Result stop = cli.run("broker", "stop", "-o", "json");
        assertThat(stop.code()).isZero();
        assertThat(stop.json()).containsEntry("status", "not_running");
        CliRunner.Result leases = cli.run("broker", "leases");
        assertThat(leases.code()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(leases.err())
                .contains("corc: error: broker: no broker is running")
                .contains("hint: start one with 'corc broker start --daemon'");
        CliRunner.Result start = cli.run("broker", "start");
        assertThat(start.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(start.err()).contains("broker.yaml");
    }

    @Test
    void everyBrokerCommandHasHelpWithExamples() {
        CliRunner cli = new CliRunner(home);
        for (String command : List.of(
                "start",
                "stop",
                "status",
                "keygen",
                "peers",
                "offers",
                "leases",
                "request",
                "renew",
                "release",
                "accounting",
                "metrics",
                "trust add",
                "trust list",
                "trust remove")) {
            String[] words = ("broker " + command + " --help").split(" ");
            CliRunner.Result help = cli.run(words);
            assertThat(help.code()).as(command).isZero();
            assertThat(help.out()).as(command).contains("Examples:").contains("corc broker " + command.split(" ")[0]);
        }
        assertThat(cli.run("broker", "start", "--help").out()).contains("broker.yaml (default:");
        assertThat(cli.run("--help").out()).contains("broker");
        assertThat(cli.run("completion", "bash").out()).contains("request").contains("keygen");
    }

    @Test
    void aForegroundBrokerServesEveryControlCommand() throws Exception {
        CliRunner cli = new CliRunner(home);
        assertThat(cli.run("broker", "keygen", "--organisation", "org-a").code())
                .isZero();
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path yaml = home.resolve("broker/broker.yaml");
        Files.writeString(
                yaml,
                "organisation: org-a\ngrid: cli-grid\nnetwork:\n  port: " + port + "\n"
                        + "share:\n  - {name: sandbox, provider: local, cores: 1, count: 1, max_lease: 2h,"
                        + " price_per_hour: 0.5}\n",
                StandardCharsets.UTF_8);
        Path pub = home.resolve("user.pub");
        Files.writeString(pub, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBrokerCliTestKey alice@laptop\n");

        CliRunner.Background broker = cli.start("broker", "start", "-o", "json");
        try {
            Map<String, Object> running = broker.awaitJson(Duration.ofSeconds(30));
            assertThat(running).containsEntry("status", "running");
            assertThat(section(running, "daemon")).containsKey("control_port");
            assertThat(broker.out().toString(StandardCharsets.UTF_8))
                    .doesNotContain(Files.readString(home.resolve("broker/control.token"))
                            .strip());

            CliRunner.Result status = cli.run("broker", "status");
            assertThat(status.code()).as(status.toString()).isZero();
            assertThat(status.out()).contains("Running: org-a in grid cli-grid");
            assertThat(cli.run("broker", "peers").out()).contains("org-a (this broker)");
            CliRunner.Result offers = cli.run("broker", "offers", "-o", "json");
            assertThat(offers.code()).as(offers.toString()).isZero();
            assertThat(offers.json().get("offers").toString()).contains("sandbox");
            assertThat(cli.run("broker", "offers").out())
                    .contains("MEMBER")
                    .contains("sandbox")
                    .contains("2h");

            CliRunner.Result request = cli.run(
                    "broker",
                    "request",
                    "--min-cores",
                    "1",
                    "--ttl",
                    "30m",
                    "--ssh-public-key",
                    pub.toString(),
                    "-o",
                    "json");
            assertThat(request.code()).as(request.toString()).isZero();
            Map<String, Object> lease = section(request.json(), "lease");
            assertThat(lease)
                    .containsEntry("state", "active")
                    .containsEntry("owner", "org-a")
                    .containsEntry("local", true);
            String id = lease.get("id").toString();

            CliRunner.Result full = cli.run("broker", "request", "--min-cores", "1", "--ttl", "30m", "-o", "json");
            assertThat(full.code()).as(full.toString()).isEqualTo(ExitCodes.CAPACITY);
            assertThat(section(full.errorJson(), "error")).containsEntry("category", "capacity");
            CliRunner.Result tooLong = cli.run("broker", "request", "--min-cores", "1", "--ttl", "1d");
            assertThat(tooLong.code()).as(tooLong.toString()).isIn(ExitCodes.INVALID_INPUT, ExitCodes.CAPACITY);

            assertThat(cli.run("broker", "leases").out())
                    .contains(id)
                    .contains("active")
                    .as("the local provider's sandbox on this machine")
                    .contains("file:" + home);
            CliRunner.Result renew = cli.run("broker", "renew", id, "--ttl", "15m", "-o", "json");
            assertThat(renew.code()).as(renew.toString()).isZero();
            CliRunner.Result release = cli.run("broker", "release", id);
            assertThat(release.code()).as(release.toString()).isZero();
            assertThat(release.out()).contains("Released " + id);
            assertThat(cli.run("broker", "release", "lease-nope").code()).isEqualTo(ExitCodes.NOT_FOUND);

            CliRunner.Result accounting = cli.run("broker", "accounting", "-o", "json");
            assertThat(accounting.json().get("members").toString()).contains("org-a");
            CliRunner.Result metrics = cli.run("broker", "metrics");
            assertThat(metrics.out()).contains("corc_broker_requests_total");

            CliRunner.Result stop = cli.run("broker", "stop", "-o", "json");
            assertThat(stop.code()).as(stop.toString()).isZero();
            assertThat(section(stop.json(), "stop")).containsEntry("how", "control");
            assertThat(broker.join(Duration.ofSeconds(30)).code()).isZero();
            assertThat(home.resolve("broker/broker.pid")).doesNotExist();
        } finally {
            if (broker.thread().isAlive()) {
                broker.stop();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> document, String key) {
        return (Map<String, Object>) document.get(key);
    }
}
