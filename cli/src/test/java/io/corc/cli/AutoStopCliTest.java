package io.corc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.StateRecord;
import io.corc.core.Corc;
import io.corc.core.placement.AutoStop;
import io.corc.ssh.testing.MinaSshServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --ttl} at a provider with SSH access installs a timer on the resource (over SSH, with corc's key) that runs
 * {@code corc.ttl.auto_stop_command} when the TTL runs out; here the command only leaves a file, instead of powering
 * off the machine the test runs on.
 */
class AutoStopCliTest {
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
    void aTtlInstallsATimerOnTheResourceThatRunsTheStopCommandWhenItRunsOut() throws Exception {
        Path config = Files.writeString(tmp.resolve("config.yaml"), """
                corc:
                  ttl:
                    auto_stop_command: "date > powered-off"
                  configurers:
                    ssh:
                      ssh_wait_seconds: 30
                      commands: ["echo the user's own step > user-step"]
                """);

        CliRunner.Result result = new CliRunner(home)
                .run(
                        "--config",
                        config.toString(),
                        "sshhost",
                        "orchestration",
                        "instance",
                        "start",
                        "--name",
                        "short",
                        "--ttl",
                        "2s",
                        "-o",
                        "json");

        assertThat(result.code()).as(result.toString()).isZero();
        Path script = server.home().resolve(".corc/auto-stop-sshhost-short.sh");
        assertThat(Files.readString(script)).contains("sleep 2", "date > powered-off");
        StateRecord record = record(AutoStop.RECORD_TYPE, "sshhost-short");
        assertThat(record.status()).as(record.toString()).isEqualTo("installed");
        assertThat(server.home().resolve("powered-off")).doesNotExist();
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!Files.exists(server.home().resolve("powered-off")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(server.home().resolve("powered-off")).exists();
        // only the timer ran: the ssh configurer's own steps from the configuration were not applied
        assertThat(server.home().resolve("user-step")).doesNotExist();
    }

    @Test
    void theDefaultPowerOffIsNeverArmedOnALoopbackResourceThatIsThisMachine() throws IOException {
        CliRunner.Result result = new CliRunner(home)
                .run("sshhost", "orchestration", "instance", "start", "--name", "here", "--ttl", "1h", "-o", "json");

        assertThat(result.code()).as(result.toString()).isZero();
        assertThat(server.home().resolve(".corc")).doesNotExist();
        StateRecord record = record(AutoStop.RECORD_TYPE, "sshhost-here");
        assertThat(record.status()).isEqualTo("skipped");
        assertThat(record.string("reason")).contains("loopback");
    }

    @Test
    void withoutATtlNothingIsInstalled() throws IOException {
        CliRunner.Result result =
                new CliRunner(home).run("sshhost", "orchestration", "instance", "start", "--name", "long");

        assertThat(result.code()).as(result.toString()).isZero();
        assertThat(server.home().resolve(".corc")).doesNotExist();
    }

    @Test
    void anIdleStopInstallsALoopOnTheResourceThatRunsTheStopCommandOnceItWasIdleThatLong() throws Exception {
        Path config = Files.writeString(tmp.resolve("config.yaml"), """
                corc:
                  ttl:
                    auto_stop_command: "date > idle-stopped"
                    idle_check_seconds: 1
                    idle_load: 1000
                  configurers:
                    ssh:
                      ssh_wait_seconds: 30
                """);

        CliRunner.Result result = new CliRunner(home)
                .run(
                        "--config",
                        config.toString(),
                        "sshhost",
                        "orchestration",
                        "instance",
                        "start",
                        "--name",
                        "idler",
                        "--idle-stop",
                        "3s",
                        "-o",
                        "json");

        assertThat(result.code()).as(result.toString()).isZero();
        Path script = server.home().resolve(".corc/idle-stop-sshhost-idler.sh");
        assertThat(Files.readString(script))
                .contains("while sleep 1", "who", "sshd: ", "/proc/loadavg", "-ge 3", "date > idle-stopped");
        // no --ttl: no TTL timer
        assertThat(server.home().resolve(".corc/auto-stop-sshhost-idler.sh")).doesNotExist();
        StateRecord record = record(AutoStop.IDLE_RECORD_TYPE, "sshhost-idler");
        assertThat(record.status()).as(record.toString()).isEqualTo("installed");
        assertThat(((Number) record.data().get("idle_seconds")).longValue()).isEqualTo(3L);
        assertThat(record.string("last_activity")).isNotNull();
        // The loop counts this machine busy while anyone is logged in (who); where nobody is, it must fire.
        Process who = new ProcessBuilder("sh", "-c", "who 2>/dev/null; pgrep -f 'sshd: [^ ]*@' 2>/dev/null")
                .redirectErrorStream(true)
                .start();
        String sessions = new String(who.getInputStream().readAllBytes()).strip();
        who.waitFor();
        org.junit.jupiter.api.Assumptions.assumeTrue(
                sessions.isEmpty(), "someone is logged in on this machine: the idle loop rightly waits");
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!Files.exists(server.home().resolve("idle-stopped")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(server.home().resolve("idle-stopped")).exists();
    }

    @Test
    void theDefaultPowerOffIsNeverArmedByAnIdleStopOnALoopbackResource() throws IOException {
        CliRunner.Result result = new CliRunner(home)
                .run("sshhost", "orchestration", "instance", "start", "--name", "idle-here", "--idle-stop", "30m");

        assertThat(result.code()).as(result.toString()).isZero();
        assertThat(server.home().resolve(".corc")).doesNotExist();
        StateRecord record = record(AutoStop.IDLE_RECORD_TYPE, "sshhost-idle-here");
        assertThat(record.status()).isEqualTo("skipped");
        assertThat(((Number) record.data().get("idle_seconds")).longValue()).isEqualTo(1800L);
    }

    /** corc's state record of {@code type} and {@code id} in this test's home; it must exist. */
    private StateRecord record(String type, String id) {
        return Corc.builder()
                .home(home)
                .environment(Map.of())
                .build()
                .records()
                .get(type, id)
                .orElseThrow();
    }
}
