package io.corc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.core.Corc;
import io.corc.ssh.testing.OpenSshServer;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code corc configurer apply} runs real Ansible against the OpenSSH fixture, recorded as a resource in state. */
class ConfigurerApplyTest {
    private static OpenSshServer server;
    private static final String RESOURCE = "box-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    static Path home;

    @TempDir
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        server = OpenSshServer.start();
        Path key = Files.createDirectories(home.resolve("ssh")).resolve("id_ed25519");
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        String output = new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keygen.waitFor()).as(output).isZero();
        server.authorize(Files.readString(key.resolveSibling("id_ed25519.pub")));
        Files.writeString(home.resolve("ssh/known_hosts"), server.hostKeyLine() + "\n");
        Corc corc = Corc.builder().home(home).environment(Map.of()).build();
        SshHostProvider.record(corc.records(), RESOURCE, server.host(), server.port(), server.user());
    }

    @AfterAll
    static void stop() throws Exception {
        Files.deleteIfExists(server.userHome().resolve(RESOURCE + ".txt"));
        server.close();
    }

    @Test
    void appliesThePlaybookAndPrintsTheResultAsJsonWithAnsibleOutputOnStderr() throws Exception {
        Path playbook = Files.writeString(work.resolve("site.yml"), """
                - hosts: all
                  gather_facts: false
                  tasks:
                    - name: greeting file
                      ansible.builtin.copy: {dest: "%s/%s.txt", content: "hello\\n"}
                    - name: as root
                      become: true
                      ansible.builtin.command: id -un
                      register: whoami
                      changed_when: false
                      failed_when: whoami.stdout != "root"
                """.formatted(server.userHome(), RESOURCE));

        CliRunner.Result result =
                cli().run("configurer", "apply", RESOURCE, "--playbook", playbook.toString(), "-o", "json");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.json())
                .isEqualTo(Map.of(
                        "status",
                        "success",
                        "configured",
                        Map.of(
                                "resource",
                                RESOURCE,
                                "provider",
                                "sshhost",
                                "configurer",
                                "ansible",
                                "options",
                                Map.of("playbook_paths", java.util.List.of(playbook.toString())))));
        assertThat(result.err()).contains("TASK [greeting file]", "TASK [as root]", "PLAY RECAP");
        assertThat(server.userHome().resolve(RESOURCE + ".txt")).hasContent("hello");
    }

    @Test
    void failingTaskExitsWithTheTaskNamedInTheErrorDocument() throws Exception {
        Path playbook = Files.writeString(work.resolve("broken.yml"), """
                - hosts: all
                  gather_facts: false
                  tasks:
                    - name: refuse
                      ansible.builtin.fail: {msg: "not on this host"}
                """);

        CliRunner.Result result =
                cli().run("configurer", "apply", RESOURCE, "--playbook", playbook.toString(), "-o", "json");

        assertThat(result.code()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.out()).isEmpty();
        assertThat(result.err())
                .contains("\"message\": \"task 'refuse' of broken.yml failed on " + RESOURCE + ": not on this host\"");
    }

    @Test
    void unknownResourceAndMissingPlaybookAreUserErrors() {
        CliRunner.Result unknown = cli().run("configurer", "apply", "nothere", "--playbook", "site.yml");
        CliRunner.Result missing = cli().run("configurer", "apply", RESOURCE, "--playbook", "missing.yml");

        assertThat(unknown.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(unknown.err()).contains("resource 'nothere' not found", "hint:");
        assertThat(missing.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(missing.err()).contains("missing.yml does not exist");
    }

    @Test
    void helpShowsExamples() {
        CliRunner.Result help = cli().run("configurer", "apply", "--help");

        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--playbook=FILE", "--configurer=NAME", "corc configurer apply ID --playbook");
    }

    private static CliRunner cli() {
        return new CliRunner(home);
    }
}
