package io.corc.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.KeyPairInfo;
import io.corc.api.KeyType;
import io.corc.api.PluginConfig;
import io.corc.api.Resource;
import io.corc.ssh.testing.MinaSshServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** authorize/revoke log in with corc's default key and edit the login user's authorized_keys. */
class SshKeysAuthorizeTest {
    @TempDir
    Path tmp;

    private MinaSshServer server;
    private SshKeys keys;
    private Resource resource;

    @BeforeEach
    void start() {
        server = MinaSshServer.start(tmp.resolve("remote-home"));
        keys = new SshKeys(tmp.resolve("corc"), PluginConfig.empty("corc.authenticators.ssh"));
        KeyPairInfo corcKey = keys.create(ResourceLogin.DEFAULT_KEY_NAME, KeyType.ED25519);
        server.authorize(corcKey.publicKey()); // as the provider installs corc's key at launch
        resource = server.resource("inst-1");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void authorizeAddsTheKeyOnceAndItLogsIn() throws IOException {
        KeyPairInfo colleague = keys.create("colleague", KeyType.ED25519);
        Path sshDir = server.home().resolve(".ssh");
        Files.createDirectories(sshDir);
        String existing = keys.create("existing", KeyType.ED25519).publicKey();
        Files.writeString(sshDir.resolve("authorized_keys"), existing); // no final newline

        keys.authorize(resource, colleague.publicKey());
        keys.authorize(resource, colleague.publicKey().replace("corc-colleague", "other-comment"));

        Path authorizedKeys = sshDir.resolve("authorized_keys");
        assertThat(Files.readAllLines(authorizedKeys)).containsExactly(existing, colleague.publicKey());
        assertThat(mode(sshDir)).isEqualTo("rwx------");
        assertThat(mode(authorizedKeys)).isEqualTo("rw-------");
        try (SshClient client = new SshClient();
                SshSession session = client.connect(
                        server.target(colleague.privateKeyFile()),
                        KnownHosts.inHome(tmp.resolve("corc")),
                        Duration.ofSeconds(20))) {
            assertThat(session.run("echo in").stdout()).isEqualTo("in\n");
        }
    }

    @Test
    void authorizeCreatesSshDirectoryAndRevokeRemovesTheKeyIdempotently() throws IOException {
        KeyPairInfo colleague = keys.create("colleague", KeyType.ED25519);
        keys.authorize(resource, colleague.publicKey());
        Path authorizedKeys = server.home().resolve(".ssh/authorized_keys");
        assertThat(Files.readAllLines(authorizedKeys)).containsExactly(colleague.publicKey());
        assertThat(mode(server.home().resolve(".ssh"))).isEqualTo("rwx------");

        keys.revoke(resource, colleague.publicKey());
        keys.revoke(resource, colleague.publicKey());

        assertThat(Files.readAllLines(authorizedKeys)).isEmpty();
        assertThat(mode(authorizedKeys)).isEqualTo("rw-------");
        try (SshClient client = new SshClient()) {
            assertThatThrownBy(() -> client.connect(
                            server.target(colleague.privateKeyFile()),
                            KnownHosts.inHome(tmp.resolve("corc")),
                            Duration.ofSeconds(20)))
                    .isInstanceOfSatisfying(
                            CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.AUTHENTICATION));
        }
    }

    @Test
    void authorizeLogsInWithTheHostKeyTheProviderReportedAndNotToAnotherHost() throws IOException {
        KeyPairInfo colleague = keys.create("colleague", KeyType.ED25519);
        Path knownHosts = tmp.resolve("corc/ssh/known_hosts");
        Path authorizedKeys = server.home().resolve(".ssh/authorized_keys");
        String notTheServers = keys.create("not-the-host", KeyType.ED25519).publicKey();

        assertThatThrownBy(() -> keys.authorize(
                        server.resource("inst-1", java.util.Map.of(Resource.SSH_HOST_KEYS, notTheServers)),
                        colleague.publicKey()))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.CONFLICT));
        assertThat(authorizedKeys).doesNotExist();

        Files.delete(knownHosts); // the wrong pin
        keys.authorize(
                server.resource("inst-1", java.util.Map.of(Resource.SSH_HOST_KEYS, server.hostPublicKey())),
                colleague.publicKey());
        assertThat(Files.readAllLines(authorizedKeys)).containsExactly(colleague.publicKey());
        assertThat(Files.readAllLines(knownHosts)).containsExactly(server.hostKeyLine());
    }

    @Test
    void aResourceWithoutSshIsRefusedWithAHint() {
        Resource noSsh = new Resource(
                "bucket-1",
                "s3",
                resource.kind(),
                "b",
                resource.state(),
                java.util.List.of(),
                java.util.List.of(),
                null,
                null,
                null);
        assertThatThrownBy(() -> keys.authorize(noSsh, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE6L x"))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.hint()).isPresent();
                })
                .hasMessageContaining("bucket-1");
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
