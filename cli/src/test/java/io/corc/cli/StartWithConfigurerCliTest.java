package io.corc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.corc.core.Corc;
import io.corc.ssh.testing.MinaSshServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code instance start --configurer ssh} at a provider with SSH access, from a corc home without a key: corc makes
 * its key, the provider installs it (as cloud-init would) and reports the host key, the configurer logs in with
 * both.
 */
class StartWithConfigurerCliTest {
    @TempDir
    Path home;

    @TempDir
    Path tmp;

    private MinaSshServer server;

    @BeforeEach
    void offerAServer() {
        server = MinaSshServer.start(tmp.resolve("remote-home"));
        Corc corc = Corc.builder().home(home).environment(Map.of()).build();
        SshHostProvider.offer(
                corc.records(),
                server.host(),
                server.port(),
                server.user(),
                server.home().resolve(".ssh/authorized_keys"),
                server.hostPublicKey());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void startMakesCorcsKeyPinsTheReportedHostKeyAndConfigures() throws IOException {
        Path config = config("echo configured > configured.txt");

        CliRunner.Result result = cli().run(
                        "--config",
                        config.toString(),
                        "sshhost",
                        "orchestration",
                        "instance",
                        "start",
                        "--name",
                        "web",
                        "--configurer",
                        "ssh",
                        "-o",
                        "json");

        assertThat(result.code()).as(result.toString()).isZero();
        assertThat(result.json()).containsEntry("status", "success");
        assertThat(result.json().get("instance").toString()).contains("id=sshhost-web", "state=running");
        assertThat(server.home().resolve("configured.txt")).hasContent("configured");
        String corcKey = Files.readString(home.resolve("ssh/id_ed25519.pub")).strip();
        assertThat(Files.readAllLines(server.home().resolve(".ssh/authorized_keys")))
                .containsExactly(corcKey);
        assertThat(Files.readAllLines(home.resolve("ssh/known_hosts"))).containsExactly(server.hostKeyLine());
        assertThat(mode(home.resolve("ssh"))).isEqualTo("rwx------");
        assertThat(mode(home.resolve("ssh/id_ed25519"))).isEqualTo("rw-------");
    }

    @Test
    void aFailingConfigurerExitsWithItsCodeAndSaysHowToRetryOrStop() throws IOException {
        Path config = config("echo 'no such package' >&2; exit 3");

        CliRunner.Result result = cli().run(
                        "--config",
                        config.toString(),
                        "sshhost",
                        "orchestration",
                        "instance",
                        "start",
                        "--name",
                        "db",
                        "--configurer",
                        "ssh",
                        "-o",
                        "json");

        assertThat(result.code()).as(result.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.out()).isEmpty();
        Map<String, Object> error = errorOf(result);
        assertThat(error).containsEntry("exit_code", ExitCodes.INVALID_INPUT);
        assertThat(error.get("message").toString()).contains("configuring sshhost-db failed", "no such package");
        assertThat(error.get("hint").toString())
                .contains(
                        "instance sshhost-db is running",
                        "corc configurer apply sshhost-db",
                        "corc sshhost orchestration instance stop sshhost-db");
        CliRunner.Result list = cli().run("sshhost", "orchestration", "instance", "list", "-o", "json");
        assertThat(list.out()).contains("sshhost-db");
    }

    private Path config(String command) throws IOException {
        return Files.writeString(tmp.resolve("config.yaml"), """
                corc:
                  configurers:
                    ssh:
                      ssh_wait_seconds: 30
                      commands:
                        - "%s"
                """.formatted(
                        command.replace("\\", "\\\\").replace("\"", "\\\"")));
    }

    /** The error document, after the configurer's output lines on stderr. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> errorOf(CliRunner.Result result) throws IOException {
        String document = result.err().substring(result.err().lastIndexOf("\n{\n") + 1);
        return (Map<String, Object>)
                new ObjectMapper().readValue(document, Map.class).get("error");
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private CliRunner cli() {
        return new CliRunner(home);
    }
}
