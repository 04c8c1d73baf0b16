package io.corc.spawner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefinitionsTest {
    @TempDir
    Path dir;

    static final String DEPLOYMENTS = """
            virtual_machine:
              - name: oci-ubuntu
                provider: oci
                image: {operating_system: Canonical Ubuntu, version: "22.04"}
                options: {shape: VM.Standard.E4.Flex}
            container:
              - name: sandbox
                provider: local
                template: plain
            bare_metal: []
            """;

    static final String TEMPLATES = """
            templates:
              - name: default
                configurer:
                  name: ssh
                  options:
                    commands: ["echo {user} > owner.txt"]
                authenticator: {name: ssh}
                session:
                  command: "python3 -m http.server {session_port} --bind 127.0.0.1 # ${HOME} {{literal}}"
                  port: 8888
              - name: plain
                session: {command: "sleep 60"}
            """;

    @Test
    void bothFilesLoadWithTheirTypesImagesAndTemplates() throws IOException {
        Definitions defs = load(DEPLOYMENTS, TEMPLATES);

        assertThat(defs.deployments()).containsOnlyKeys("oci-ubuntu", "sandbox");
        Deployment vm = defs.deployment("oci-ubuntu");
        assertThat(vm.resourceType()).isEqualTo("virtual_machine");
        assertThat(vm.image().operatingSystem()).isEqualTo("Canonical Ubuntu");
        assertThat(vm.options()).containsEntry("shape", "VM.Standard.E4.Flex");
        assertThat(defs.template(null, vm).name()).isEqualTo("default");
        assertThat(defs.template(null, defs.deployment("sandbox")).name()).isEqualTo("plain");
        Template t = defs.templates().get("default");
        assertThat(t.port()).isEqualTo(8888);
        assertThat(Placeholders.fill(t.command(), Map.of("session_port", "8888")))
                .isEqualTo("python3 -m http.server 8888 --bind 127.0.0.1 # ${HOME} {literal}");
    }

    @Test
    void anUnknownDeploymentNamesTheKnownOnes() throws IOException {
        Definitions defs = load(DEPLOYMENTS, TEMPLATES);

        assertThatThrownBy(() -> defs.deployment("aws")).isInstanceOfSatisfying(CorcException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND);
            assertThat(e.getMessage()).contains("unknown deployment 'aws'");
            assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("oci-ubuntu, sandbox"));
        });
    }

    @Test
    void anUnknownPlaceholderIsReportedWhenTheFileIsLoaded() {
        assertThatThrownBy(() -> load(DEPLOYMENTS, """
                        - name: broken
                          session: {command: "run --for {usr}"}
                        """)).isInstanceOfSatisfying(CorcException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
            assertThat(e.getMessage()).contains("unknown placeholder {usr}", "template 'broken'");
            assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("{user}", "{hub_host_key}"));
        });
    }

    @Test
    void badYamlAndUnknownResourceTypesAreOneClearError() {
        assertThatThrownBy(() -> load("virtual_machine: [\n  - name: x\n", TEMPLATES))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.getMessage()).contains("deployments.yaml is not valid YAML");
                    assertThat(e.hint()).isPresent();
                });
        assertThatThrownBy(() -> load("gpu_box: []\n", TEMPLATES))
                .isInstanceOfSatisfying(CorcException.class, e -> assertThat(e.getMessage())
                        .contains("unknown resource type 'gpu_box'"));
    }

    @Test
    void theSourceReadsChangedFilesAgain() throws IOException {
        Path d = Files.writeString(dir.resolve("deployments.yaml"), DEPLOYMENTS);
        Path t = Files.writeString(dir.resolve("templates.yaml"), TEMPLATES);
        Definitions.Source source = new Definitions.Source(d, t);
        Definitions first = source.current();

        assertThat(source.current()).isSameAs(first);
        Files.writeString(d, DEPLOYMENTS + "  - name: metal\n    provider: local\n".replace("  - name", "  - name"));
        Files.writeString(d, DEPLOYMENTS.replace("bare_metal: []", "bare_metal:\n  - {name: metal, provider: local}"));
        assertThat(source.current().deployments()).containsKey("metal");
        assertThat(first.deployments()).doesNotContainKey("metal");
    }

    private Definitions load(String deployments, String templates) throws IOException {
        return Definitions.load(
                Files.writeString(dir.resolve("deployments.yaml"), deployments),
                Files.writeString(dir.resolve("templates.yaml"), templates));
    }
}
