package io.corc.ssh;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.KeyPairInfo;
import io.corc.api.KeyType;
import io.corc.api.PluginConfig;
import io.corc.ssh.testing.OpenSshServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** corc's keys and known_hosts against the real OpenSSH, both as server (sshd) and as client (ssh). */
class OpenSshLoginTest {
    private static OpenSshServer sshd;

    @TempDir
    Path corcHome;

    @BeforeAll
    static void start() {
        sshd = OpenSshServer.start();
    }

    @AfterAll
    static void stop() {
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void corcKeysLogInToSshdAndTheKnownHostsFileServesOpenSshToo() throws Exception {
        SshKeys keys = new SshKeys(corcHome, PluginConfig.empty("ssh"));
        KeyPairInfo ed25519 = keys.create("id_ed25519", KeyType.ED25519);
        KeyPairInfo rsa = keys.create("id_rsa", KeyType.RSA);
        sshd.authorize(ed25519.publicKey());
        sshd.authorize(rsa.publicKey());
        KnownHosts knownHosts = KnownHosts.inHome(corcHome);

        try (SshClient client = new SshClient()) {
            for (KeyPairInfo key : new KeyPairInfo[] {ed25519, rsa}) {
                SshTarget target = new SshTarget(sshd.host(), sshd.port(), sshd.user(), key.privateKeyFile());
                try (SshSession session = client.connect(target, knownHosts, Duration.ofSeconds(20))) {
                    assertThat(session.run("id -un").stdout()).isEqualTo(sshd.user() + "\n");
                    session.write("corc-openssh-test.txt", "over sftp".getBytes(UTF_8), 0600);
                    assertThat(session.read("corc-openssh-test.txt"))
                            .hasValueSatisfying(
                                    b -> assertThat(new String(b, UTF_8)).isEqualTo("over sftp"));
                    session.run("rm -f corc-openssh-test.txt");
                }
            }
        }
        // trust on first use recorded the daemon's real key, in the line ssh-keyscan prints
        assertThat(Files.readAllLines(knownHosts.file())).containsExactly(sshd.hostKeyLine());

        // OpenSSH's own client accepts corc's key file and known_hosts with StrictHostKeyChecking=yes
        Process ssh = new ProcessBuilder(sshd.sshCommand(ed25519.privateKeyFile(), knownHosts.file(), "echo via-ssh"))
                .redirectErrorStream(true)
                .start();
        ssh.getOutputStream().close();
        String output = new String(ssh.getInputStream().readAllBytes(), UTF_8);
        assertThat(ssh.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ssh.exitValue()).as(output + sshd.log()).isZero();
        assertThat(output).contains("via-ssh");
    }
}
