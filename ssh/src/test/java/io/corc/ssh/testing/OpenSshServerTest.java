package io.corc.ssh.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixture really is OpenSSH: the stock ssh client logs in with a key it authorised and a pinned host key. */
class OpenSshServerTest {
    private static OpenSshServer server;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        server = OpenSshServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void authorisedKeyLogsInWithPinnedHostKeyAndHasSudo() throws Exception {
        Path key = keyPair("ok");
        server.authorize(Files.readString(dir.resolve("ok.pub")));
        Path knownHosts = knownHosts(server.hostKeyLine());

        Result result = run(server.sshCommand(key, knownHosts, "id -un; sudo -n id -un"));

        assertThat(result.exitCode()).as(result.output() + server.log()).isZero();
        assertThat(result.output().lines().toList()).containsExactly(OpenSshServer.USER, "root");
    }

    @Test
    void hostKeyLineIsWhatSshKeyscanSees() throws Exception {
        Result scan = run(List.of("ssh-keyscan", "-p", String.valueOf(server.port()), "-t", "ed25519", "127.0.0.1"));

        assertThat(scan.output().lines().filter(l -> !l.startsWith("#"))).containsExactly(server.hostKeyLine());
    }

    @Test
    void keyNotAuthorisedIsRefused() throws Exception {
        Path key = keyPair("stranger");

        Result result = run(server.sshCommand(key, knownHosts(server.hostKeyLine()), "true"));

        assertThat(result.exitCode()).isEqualTo(255);
        assertThat(result.output()).contains("Permission denied (publickey)");
    }

    @Test
    void changedHostKeyIsRefused() throws Exception {
        Path key = keyPair("pinned");
        server.authorize(Files.readString(dir.resolve("pinned.pub")));
        keyPair("other-host");
        String otherHostKey = Files.readString(dir.resolve("other-host.pub")).split(" ")[1];
        Path knownHosts = knownHosts("[127.0.0.1]:" + server.port() + " ssh-ed25519 " + otherHostKey);

        Result result = run(server.sshCommand(key, knownHosts, "true"));

        assertThat(result.exitCode()).isEqualTo(255);
        assertThat(result.output()).contains("REMOTE HOST IDENTIFICATION HAS CHANGED");
    }

    private static Path keyPair(String name) throws IOException, InterruptedException {
        Path key = dir.resolve(name);
        Result made = run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key.toString()));
        assertThat(made.exitCode()).as(made.output()).isZero();
        return key;
    }

    private static Path knownHosts(String line) throws IOException {
        Path file = Files.createTempFile(dir, "known_hosts", "");
        Files.writeString(file, line + "\n");
        return file;
    }

    private record Result(int exitCode, String output) {}

    private static Result run(List<String> argv) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(new ArrayList<>(argv))
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }
}
