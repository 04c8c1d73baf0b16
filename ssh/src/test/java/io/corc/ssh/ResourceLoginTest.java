package io.corc.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.KeyType;
import io.corc.api.PluginConfig;
import io.corc.api.Resource;
import io.corc.ssh.testing.MinaSshServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host keys a provider reports ({@link Resource#SSH_HOST_KEYS}) are pinned before corc first connects. */
class ResourceLoginTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private MinaSshServer server;
    private ResourceLogin logins;
    private Path knownHosts;

    @BeforeEach
    void start() {
        Path home = tmp.resolve("corc");
        server = MinaSshServer.start(tmp.resolve("remote-home"));
        server.authorize(new SshKeys(home, PluginConfig.empty("ssh"))
                .create(ResourceLogin.DEFAULT_KEY_NAME, KeyType.ED25519)
                .publicKey());
        logins = new ResourceLogin(home, PluginConfig.empty("corc.configurers.ssh"));
        knownHosts = home.resolve("ssh/known_hosts");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void hostKeysTheProviderReportedArePinnedBeforeTheFirstConnection() throws IOException {
        Resource resource = server.resource(
                "inst-1",
                Map.of(Resource.SSH_HOST_KEYS, "# from the console\n" + server.hostPublicKey() + " root@inst-1\n\n"));

        ResourceLogin.Login login = logins.login(resource);

        assertThat(Files.readAllLines(knownHosts)).containsExactly(server.hostKeyLine());
        assertThat(login.knownHosts().file()).isEqualTo(knownHosts);
        assertThat(login.target()).isEqualTo(server.target(tmp.resolve("corc/ssh/id_ed25519")));
        try (SshClient client = new SshClient();
                SshSession session = client.connect(login.target(), login.knownHosts(), TIMEOUT)) {
            assertThat(session.run("echo in").stdout()).isEqualTo("in\n");
        }
        assertThat(Files.readAllLines(knownHosts)).containsExactly(server.hostKeyLine());
        logins.login(resource); // again: the key is recorded, nothing changes
        assertThat(Files.readAllLines(knownHosts)).containsExactly(server.hostKeyLine());
    }

    @Test
    void aReportedKeyOtherThanTheRecordedOneIsRefusedAndReplacesNothing() throws IOException {
        connect(logins.login(server.resource("inst-1"))); // trusted on first use
        List<String> recorded = Files.readAllLines(knownHosts);
        Resource recreated = server.resource("inst-1", Map.of(Resource.SSH_HOST_KEYS, someOtherKey() + " root@inst-1"));

        assertThatThrownBy(() -> logins.login(recreated)).isInstanceOfSatisfying(CorcException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.CONFLICT);
            assertThat(e.getMessage())
                    .contains("host key of 127.0.0.1:" + server.port() + " has changed", "the provider reports");
            assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h)
                    .contains("ssh-keygen -R '[127.0.0.1]:" + server.port() + "' -f " + knownHosts));
        });
        assertThat(Files.readAllLines(knownHosts)).isEqualTo(recorded);
    }

    @Test
    void aServerWithoutTheReportedKeyIsRefusedAtTheFirstConnection() {
        ResourceLogin.Login login =
                logins.login(server.resource("inst-1", Map.of(Resource.SSH_HOST_KEYS, someOtherKey())));

        assertThatThrownBy(() -> connect(login)).isInstanceOfSatisfying(CorcException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.CONFLICT);
            assertThat(e.getMessage()).contains("the server presented");
        });
    }

    @Test
    void aReportedLineThatIsNoKeyIsInvalid() {
        Resource resource = server.resource("inst-1", Map.of(Resource.SSH_HOST_KEYS, "ssh-ed25519 garbage"));

        assertThatThrownBy(() -> logins.login(resource))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT));
        assertThat(knownHosts).doesNotExist();
    }

    private static void connect(ResourceLogin.Login login) {
        try (SshClient client = new SshClient();
                SshSession session = client.connect(login.target(), login.knownHosts(), TIMEOUT)) {
            assertThat(session.run("true").succeeded()).isTrue();
        }
    }

    /** An Ed25519 public key that is not the server's. */
    private String someOtherKey() {
        return new SshKeys(tmp.resolve("elsewhere"), PluginConfig.empty("ssh"))
                .create("other", KeyType.ED25519)
                .publicKey()
                .replace(" corc-other", "");
    }
}
