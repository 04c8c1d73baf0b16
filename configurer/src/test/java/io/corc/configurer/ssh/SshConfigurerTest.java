package io.corc.configurer.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.ConfigurerSpec;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.KeyPairInfo;
import io.corc.api.KeyType;
import io.corc.api.PluginConfig;
import io.corc.api.ProgressListener;
import io.corc.api.Resource;
import io.corc.ssh.SshKeys;
import io.corc.ssh.testing.MinaSshServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SSH configurer against MINA SSHD, whose commands run for real on this machine. */
class SshConfigurerTest {
    @TempDir
    Path tmp;

    private Path corcHome;
    private MinaSshServer server;
    private Resource resource;
    private final List<String> progress = new CopyOnWriteArrayList<>();
    private final List<String> usersToRemove = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        corcHome = tmp.resolve("corc");
        server = MinaSshServer.start(tmp.resolve("remote-home"));
        KeyPairInfo key = new SshKeys(corcHome, PluginConfig.empty("ssh")).create("id_ed25519", KeyType.ED25519);
        server.authorize(key.publicKey());
        resource = server.resource("inst-ssh-1");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        for (String user : usersToRemove) {
            shell("userdel -r " + user + " 2>/dev/null; rm -f /etc/sudoers.d/corc-" + user);
        }
    }

    private void apply(Map<String, Object> options) {
        new SshConfigurer(PluginConfig.empty("corc.configurers.ssh"), corcHome, tmp)
                .apply(resource, new ConfigurerSpec("ssh", new PluginConfig("options", options)), listener());
    }

    private ProgressListener listener() {
        return (step, done, total) -> progress.add(step);
    }

    @Test
    void copiesFilesRunsScriptsAndCommandsInOrderStreamingTheirOutput() throws IOException {
        Path config = Files.writeString(tmp.resolve("app.conf"), "setting=1\n");
        Path tree = Files.createDirectories(tmp.resolve("site/static"));
        Files.writeString(tree.resolve("index.html"), "<p>hi</p>");
        Path script =
                Files.writeString(tmp.resolve("setup.sh"), "#!/bin/sh\necho \"script sees $(cat etc/app.conf)\"\n");

        apply(Map.of(
                "files",
                List.of(
                        Map.of("src", "app.conf", "dest", "etc/app.conf", "mode", "0640"),
                        Map.of("src", tmp.resolve("site").toString(), "dest", "~/www")),
                "scripts",
                List.of(script.toString()),
                "commands",
                List.of("echo first > order.txt", "echo second >> order.txt; echo done-commands")));

        Path home = server.home();
        assertThat(home.resolve("etc/app.conf")).hasContent("setting=1");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("etc/app.conf"))))
                .isEqualTo("rw-r-----");
        assertThat(home.resolve("www/static/index.html")).hasContent("<p>hi</p>");
        assertThat(home.resolve("order.txt")).hasContent("first\nsecond");
        assertThat(progress).containsSubsequence("script sees setting=1", "done-commands");
        assertThat(config).exists();
    }

    @Test
    void aFailingCommandStopsTheRunNamingItAndItsError() {
        assertThatThrownBy(() -> apply(Map.of(
                        "commands", List.of("echo ok", "echo broken config >&2; exit 4", "touch never-reached"))))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("inst-ssh-1"));
                })
                .hasMessageContaining("'echo broken config >&2; exit 4' (exit 4)")
                .hasMessageContaining("broken config");
        assertThat(server.home().resolve("never-reached")).doesNotExist();
    }

    @Test
    void hostKeyTheProviderReportedIsPinnedAndADifferentOneStopsTheRunBeforeAnyCommand() throws IOException {
        Path knownHosts = corcHome.resolve("ssh/known_hosts");
        resource = server.resource("inst-ssh-1", Map.of(Resource.SSH_HOST_KEYS, server.hostPublicKey()));
        apply(Map.of("commands", List.of("touch first")));
        assertThat(server.home().resolve("first")).exists();
        List<String> pinned = Files.readAllLines(knownHosts);
        assertThat(pinned).containsExactly(server.hostKeyLine());

        String recreated = server.changeHostKey(); // a new machine at the address; its provider reports the new key
        resource = server.resource("inst-ssh-1", Map.of(Resource.SSH_HOST_KEYS, recreated));
        assertThatThrownBy(() -> apply(Map.of("commands", List.of("touch second"))))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CONFLICT);
                    assertThat(e.getMessage()).contains("has changed", "the provider reports");
                    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("ssh-keygen -R"));
                });
        assertThat(server.home().resolve("second")).doesNotExist();
        assertThat(Files.readAllLines(knownHosts)).isEqualTo(pinned);
    }

    @Test
    void badOptionsNameTheirPath() {
        assertThatThrownBy(() -> apply(Map.of("files", List.of(Map.of("src", "missing.txt", "dest", "x")))))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND))
                .hasMessageContaining("corc.configurers.ssh.files[0].src");
        assertThatThrownBy(() -> apply(Map.of("users", List.of(Map.of("name", "Bad User")))))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT))
                .hasMessageContaining("corc.configurers.ssh.users[0].name");
    }

    @Test
    void createsUsersWithKeysAndSudoIdempotently() throws Exception {
        Assumptions.assumeTrue(
                "root".equals(System.getProperty("user.name")) || System.getenv("CORC_CI") != null,
                "creating users needs root (the MINA fixture runs commands as this JVM's user)");
        String name = "corc-t-" + UUID.randomUUID().toString().substring(0, 8);
        usersToRemove.add(name);
        KeyPairInfo userKey =
                new SshKeys(tmp.resolve("user-keys"), PluginConfig.empty("ssh")).create("user", KeyType.ED25519);
        Map<String, Object> options = Map.of(
                "users", List.of(Map.of("name", name, "authorized_keys", List.of(userKey.publicKey()), "sudo", true)));

        apply(options);
        apply(options);

        Path home = Path.of(shell("getent passwd " + name + " | cut -d: -f6").strip());
        Path authorizedKeys = home.resolve(".ssh/authorized_keys");
        assertThat(Files.readAllLines(authorizedKeys)).containsExactly(userKey.publicKey());
        assertThat(shell("stat -c '%U %a' " + home.resolve(".ssh") + " " + authorizedKeys))
                .isEqualTo(name + " 700\n" + name + " 600\n");
        assertThat(Path.of("/etc/sudoers.d/corc-" + name)).hasContent(name + " ALL=(ALL) NOPASSWD:ALL");
        assertThat(shell("stat -c %a /etc/sudoers.d/corc-" + name)).isEqualTo("440\n");
        assertThat(progress.stream().filter(s -> s.startsWith("created user"))).hasSize(1);
        assertThat(progress.stream().filter(s -> s.startsWith("authorized a key")))
                .hasSize(1);

        apply(Map.of("users", List.of(Map.of("name", name, "sudo", false))));
        assertThat(Path.of("/etc/sudoers.d/corc-" + name)).doesNotExist();
        assertThat(Files.readAllLines(authorizedKeys)).containsExactly(userKey.publicKey());
    }

    @Test
    void waitsForSshBeforeConfiguring() {
        // a key the server does not know yet is retried during the grace, as cloud-init may still install it
        KeyPairInfo late = new SshKeys(tmp.resolve("late"), PluginConfig.empty("ssh")).create("k", KeyType.ED25519);
        PluginConfig section = new PluginConfig(
                "corc.configurers.ssh",
                Map.of("private_key", late.privateKeyFile().toString()));
        Thread installer = new Thread(() -> {
            while (progress.stream().noneMatch(s -> s.startsWith("waiting for SSH"))) {
                Thread.onSpinWait();
            }
            server.authorize(late.publicKey());
        });
        installer.start();
        new SshConfigurer(section, corcHome, tmp)
                .apply(
                        resource,
                        new ConfigurerSpec("ssh", new PluginConfig("o", Map.of("commands", List.of("touch waited")))),
                        listener());
        assertThat(server.home().resolve("waited")).exists();
    }

    private static String shell(String command) throws Exception {
        Process process = new ProcessBuilder("/bin/sh", "-c", command)
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return output;
    }
}
