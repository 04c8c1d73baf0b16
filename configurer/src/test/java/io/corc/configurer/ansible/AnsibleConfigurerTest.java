package io.corc.configurer.ansible;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.ConfigurerSpec;
import io.corc.api.CorcException;
import io.corc.api.Endpoint;
import io.corc.api.ErrorCategory;
import io.corc.api.PluginConfig;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceState;
import io.corc.ssh.testing.OpenSshServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ansible-playbook for real, against the Debian sshd on loopback, logging in with corc's key and known_hosts. */
class AnsibleConfigurerTest {
    private static OpenSshServer server;
    private static Path home;
    private static Resource resource;
    private static final String MARK =
            "corc-ansible-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = OpenSshServer.start();
        home = Files.createDirectories(dir.resolve("home"));
        Path key = Files.createDirectories(home.resolve("ssh")).resolve("id_ed25519");
        TestKeys.generate(key);
        server.authorize(Files.readString(key.resolveSibling("id_ed25519.pub")));
        Files.writeString(home.resolve("ssh/known_hosts"), server.hostKeyLine() + "\n");
        resource = new Resource(
                "res-" + MARK,
                "test",
                ResourceKind.INSTANCE,
                "box",
                ResourceState.RUNNING,
                List.of(new Endpoint("ssh", server.host(), server.port(), server.user())),
                List.of(),
                Instant.now(),
                null,
                Map.of());
    }

    @AfterAll
    static void stop() throws IOException {
        Files.deleteIfExists(Path.of("/var/tmp", MARK + "-root"));
        Files.deleteIfExists(Path.of("/var/tmp", MARK + "-root-lines"));
        if (server != null) {
            server.close();
        }
    }

    @Test
    void playbookChangesTheHostOnceAndNothingWhenRunAgain() throws Exception {
        Path playbook = write("site.yml", """
                - hosts: all
                  gather_facts: false
                  tasks:
                    - name: file as the login user
                      ansible.builtin.copy: {dest: "%2$s/%1$s.txt", content: "hello\\n", mode: "0644"}
                    - name: root-owned file, needs become
                      become: true
                      ansible.builtin.copy: {dest: /var/tmp/%1$s-root, content: "managed\\n", owner: root, mode: "0600"}
                    - name: a line in it
                      become: true
                      ansible.builtin.lineinfile: {path: /var/tmp/%1$s-root-lines, line: "by ansible", create: true}
                """.formatted(MARK, server.userHome()));
        List<String> lines = new CopyOnWriteArrayList<>();
        AnsibleConfigurer configurer = configurer(Map.of("playbook_paths", playbook.toString()));

        List<PlaybookResult> first = configurer.run(resource, PluginConfig.empty("request"), (s, d, t) -> lines.add(s));
        List<PlaybookResult> second = configurer.run(resource, PluginConfig.empty("request"), null);

        assertThat(first.get(0).changed()).as(String.join("\n", lines)).isEqualTo(3);
        assertThat(first.get(0).hosts().get(resource.id()).failed()).isZero();
        assertThat(second.get(0).changed()).isZero();
        assertThat(second.get(0).hosts().get(resource.id()).ok()).isEqualTo(3);
        Path rootFile = Path.of("/var/tmp", MARK + "-root");
        assertThat(Files.readString(rootFile)).isEqualTo("managed\n");
        assertThat(Files.readString(Path.of("/var/tmp", MARK + "-root-lines"))).isEqualTo("by ansible\n");
        assertThat(Files.getOwner(rootFile).getName()).isEqualTo("root");
        assertThat(lines)
                .contains("TASK [root-owned file, needs become] *******************************************")
                .anyMatch(line -> line.startsWith("PLAY RECAP"));
        Files.deleteIfExists(server.userHome().resolve(MARK + ".txt"));
    }

    @Test
    void failingTaskIsNamedWithItsMessage() throws Exception {
        Path playbook = write("fails.yml", """
                - hosts: all
                  gather_facts: false
                  tasks:
                    - name: this one passes
                      ansible.builtin.command: "true"
                      changed_when: false
                    - name: ignored failure
                      ansible.builtin.command: "false"
                      ignore_errors: true
                    - name: check the disk
                      ansible.builtin.shell: "echo 'disk too small' >&2; exit 3"
                    - name: never reached
                      ansible.builtin.command: "true"
                """);

        assertThatThrownBy(() -> configurer(Map.of())
                        .apply(
                                resource,
                                new ConfigurerSpec(
                                        "ansible",
                                        new PluginConfig("request", Map.of("playbook_paths", playbook.toString()))),
                                null))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.getMessage())
                            .isEqualTo("task 'check the disk' of fails.yml failed on " + resource.id()
                                    + ": non-zero return code: disk too small");
                    assertThat(e.hint()).get().asString().contains("apply again");
                    assertThat(e.plugin()).contains("ansible");
                });
    }

    @Test
    void aHostKeyNobodyRecordedIsTrustedOnFirstUseAndAnsibleChecksItStrictly() throws Exception {
        Path freshHome = Files.createDirectories(dir.resolve("fresh-home/ssh"));
        Files.copy(home.resolve("ssh/id_ed25519"), freshHome.resolve("id_ed25519"));
        Path playbook =
                write("tofu.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.ping:\n");
        AnsibleConfigurer configurer = new AnsibleConfigurer(
                new PluginConfig("corc.configurers.ansible", Map.of("playbook_paths", playbook.toString())),
                freshHome.getParent(),
                System.getenv(),
                dir);

        List<PlaybookResult> results = configurer.run(resource, PluginConfig.empty("request"), null);

        assertThat(results.get(0).hosts().get(resource.id()).ok()).isEqualTo(1);
        assertThat(Files.readAllLines(freshHome.resolve("known_hosts"))).containsExactly(server.hostKeyLine());
    }

    @Test
    void changedHostKeyIsRefused() throws Exception {
        Path otherHome = Files.createDirectories(dir.resolve("other-home/ssh"));
        Files.copy(home.resolve("ssh/id_ed25519"), otherHome.resolve("id_ed25519"));
        Path otherKey = dir.resolve("other-host-key");
        TestKeys.generate(otherKey);
        String[] otherPublic =
                Files.readString(otherKey.resolveSibling("other-host-key.pub")).split(" ");
        Files.writeString(
                otherHome.resolve("known_hosts"),
                "[127.0.0.1]:" + server.port() + " " + otherPublic[0] + " " + otherPublic[1] + "\n");
        Path playbook =
                write("ping.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.ping:\n");
        AnsibleConfigurer configurer = new AnsibleConfigurer(
                new PluginConfig("corc.configurers.ansible", Map.of("playbook_paths", playbook.toString())),
                otherHome.getParent(),
                System.getenv(),
                dir);

        List<String> lines = new CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> configurer.run(resource, PluginConfig.empty("request"), (s, d, t) -> lines.add(s)))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CONFLICT);
                    assertThat(e.getMessage()).contains("host key of 127.0.0.1:" + server.port() + " has changed");
                    assertThat(e.hint()).get().asString().contains("ssh-keygen -R");
                });
        assertThat(lines).noneMatch(line -> line.startsWith("running ")); // refused before ansible-playbook ran
    }

    @Test
    void hostKeysTheProviderReportedArePinnedAndADifferentOneRefused() throws Exception {
        Path pinnedHome = Files.createDirectories(dir.resolve("pinned-home/ssh"));
        Files.copy(home.resolve("ssh/id_ed25519"), pinnedHome.resolve("id_ed25519"));
        Path playbook =
                write("pinned.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.ping:\n");
        AnsibleConfigurer configurer = new AnsibleConfigurer(
                new PluginConfig("corc.configurers.ansible", Map.of("playbook_paths", playbook.toString())),
                pinnedHome.getParent(),
                System.getenv(),
                dir);
        Path otherKey = dir.resolve("reported-host-key");
        TestKeys.generate(otherKey);

        configurer.run(reporting(server.hostPublicKey() + " root@box"), PluginConfig.empty("request"), null);
        assertThat(Files.readAllLines(pinnedHome.resolve("known_hosts"))).containsExactly(server.hostKeyLine());

        assertThatThrownBy(() -> configurer.run(
                        reporting(Files.readString(otherKey.resolveSibling("reported-host-key.pub"))),
                        PluginConfig.empty("request"),
                        null))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CONFLICT);
                    assertThat(e.getMessage()).contains("the provider reports");
                });
        assertThat(Files.readAllLines(pinnedHome.resolve("known_hosts"))).containsExactly(server.hostKeyLine());
    }

    /** The test resource as a provider that read {@code hostKeys} from the console reports it. */
    private static Resource reporting(String hostKeys) {
        return new Resource(
                resource.id(),
                resource.provider(),
                resource.kind(),
                resource.name(),
                resource.state(),
                resource.endpoints(),
                resource.objects(),
                resource.createdAt(),
                null,
                Map.of(Resource.SSH_HOST_KEYS, hostKeys));
    }

    @Test
    void missingAnsiblePlaybookSaysHowToInstallIt() throws Exception {
        Path playbook = write("any.yml", "- hosts: all\n  tasks: []\n");
        AnsibleConfigurer configurer = configurer(
                Map.of("playbook_paths", playbook.toString(), "ansible_playbook", "/nonexistent/ansible-playbook"));

        assertThatThrownBy(() -> configurer.run(resource, PluginConfig.empty("request"), null))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND);
                    assertThat(e.getMessage()).contains("/nonexistent/ansible-playbook was not found");
                    assertThat(e.hint()).get().asString().contains("apt-get install ansible-core");
                });
    }

    private static AnsibleConfigurer configurer(Map<String, Object> section) {
        return new AnsibleConfigurer(new PluginConfig("corc.configurers.ansible", section), home, System.getenv(), dir);
    }

    private static Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
