package io.corc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.corc.core.Corc;
import io.corc.ssh.testing.MinaSshServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code corc spawn|spawns|unspawn -o json}: the contract for services in other languages (docs/spawner.md). */
class SpawnCliTest {
    @TempDir
    Path home;

    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings("unchecked")
    void spawnListAndUnspawnOnTheEmbeddedDefault() throws IOException {
        definitions("container:\n  - {name: sandbox, provider: local}\n", "exec sleep 300");

        CliRunner.Result spawn = cli().run("spawn", "alice", "sandbox", "--minutes", "30", "-o", "json");

        assertThat(spawn.code()).as(spawn.toString()).isZero();
        assertThat(spawn.json()).containsEntry("status", "success");
        Map<String, Object> session = (Map<String, Object>) spawn.json().get("session");
        assertThat(session)
                .containsEntry("user", "alice")
                .containsEntry("deployment", "sandbox")
                .containsEntry("provider", "local")
                .containsEntry("state", "running")
                .containsEntry("tunnels", false);
        assertThat(session.get("notes").toString()).contains("no SSH at local", "no tunnels are needed");
        String id = session.get("id").toString();
        long pid = Long.parseLong(pidOf(id));
        assertThat(ProcessHandle.of(pid)).isPresent();

        CliRunner.Result spawns = cli().run("spawns", "-o", "json");
        assertThat(spawns.code()).as(spawns.toString()).isZero();
        List<Map<String, Object>> sessions =
                (List<Map<String, Object>>) spawns.json().get("sessions");
        assertThat(sessions)
                .singleElement()
                .satisfies(s -> assertThat(s).containsEntry("id", id).containsEntry("state", "running"));

        CliRunner.Result unspawn = cli().run("unspawn", id, "-o", "json");
        assertThat(unspawn.code()).as(unspawn.toString()).isZero();
        assertThat(unspawn.json()).containsEntry("status", "success").containsEntry("stopped", List.of(id));
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
        assertThat((List<?>) cli().run("spawns", "-o", "json").json().get("sessions"))
                .isEmpty();
        assertThat(cli().run("unspawn", id, "-o", "json").code()).isEqualTo(ExitCodes.NOT_FOUND);
    }

    @Test
    void anUnknownDeploymentIsNotFoundWithTheKnownOnes() throws IOException {
        definitions("container:\n  - {name: sandbox, provider: local}\n", "sleep 1");

        CliRunner.Result result = cli().run("spawn", "alice", "aws", "-o", "json");

        assertThat(result.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(result.out()).isEmpty();
        Map<String, Object> error = error(result);
        assertThat(error.get("message").toString()).contains("unknown deployment 'aws'");
        assertThat(error.get("hint").toString()).contains("sandbox");
    }

    @Test
    void aBrokenTemplateFileIsInvalidInputAndStartsNothing() throws IOException {
        definitions("container:\n  - {name: sandbox, provider: local}\n", "run {nobody}");

        CliRunner.Result result = cli().run("spawn", "alice", "sandbox", "-o", "json");

        assertThat(result.code()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(error(result).get("message").toString()).contains("unknown placeholder {nobody}");
        assertThat(cli().run("local", "orchestration", "instance", "list", "-o", "json")
                        .out())
                .doesNotContain("spawn-alice");
    }

    @Test
    @SuppressWarnings("unchecked")
    void onAnSshResourceTheCliStartsTheSessionButHoldsNoTunnels() throws IOException {
        try (MinaSshServer server = MinaSshServer.start(tmp.resolve("remote"))) {
            Corc corc = Corc.builder().home(home).environment(Map.of()).build();
            SshHostProvider.offer(
                    corc.records(),
                    server.host(),
                    server.port(),
                    server.user(),
                    server.home().resolve(".ssh/authorized_keys"),
                    server.hostPublicKey());
            definitions("virtual_machine:\n  - {name: vm, provider: sshhost}\n", "echo {user} > who.txt; sleep 300");

            // the session's duration is the resource's TTL: never arm corc's power-off timer on this machine
            CliRunner.Result spawn = cli().env("CORC_TTL_AUTO_STOP", "false").run("spawn", "bob", "vm", "-o", "json");

            assertThat(spawn.code()).as(spawn.toString()).isZero();
            Map<String, Object> session = (Map<String, Object>) spawn.json().get("session");
            assertThat(session).containsEntry("provider", "sshhost").containsEntry("tunnels", false);
            assertThat(session.get("notes").toString()).contains("tunnels are not held");
            String id = session.get("id").toString();
            assertThat(server.home().resolve(".corc/spawn/" + id + "/session.sh"))
                    .exists();
            try (var files = Files.list(server.home().resolve(".corc"))) {
                assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith("auto-stop-"));
            }
            assertThat(Files.readString(home.resolve("spawner/users/bob/ssh/id_ed25519.pub"))
                            .strip())
                    .isIn(Files.readAllLines(server.home().resolve(".ssh/authorized_keys")));

            CliRunner.Result unspawn = cli().run("unspawn", "--user", "bob", "-o", "json");
            assertThat(unspawn.code()).as(unspawn.toString()).isZero();
            assertThat(unspawn.json()).containsEntry("stopped", List.of(id));
            assertThat(corc.records().list(SshHostProvider.RECORD_TYPE)).isEmpty();
        }
    }

    private String pidOf(String id) {
        return Corc.builder()
                .home(home)
                .environment(Map.of())
                .build()
                .records()
                .get("spawn", id)
                .orElseThrow()
                .string("pid");
    }

    private void definitions(String deployments, String command) throws IOException {
        Path dir = Files.createDirectories(home.resolve("spawner"));
        Files.writeString(dir.resolve("deployments.yaml"), deployments);
        Files.writeString(dir.resolve("templates.yaml"), """
                templates:
                  - name: default
                    authenticator: {name: ssh}
                    session: {command: "%s", port: 8888}
                """.formatted(command));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> error(CliRunner.Result result) throws IOException {
        return (Map<String, Object>)
                new ObjectMapper().readValue(result.err(), Map.class).get("error");
    }

    private CliRunner cli() {
        return new CliRunner(home);
    }
}
