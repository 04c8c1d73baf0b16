package io.corc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.spawner.Definitions;
import io.corc.spawner.Deployment;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The spawner's example deployment and template files (spawner/) load, and every deployment finds its template. */
class SpawnerExamplesTest {
    @Test
    void theExampleDefinitionsLoadAndEveryDeploymentHasItsTemplate() {
        Path dir = Path.of(System.getProperty("basedir", ".")).resolve("spawner");

        Definitions definitions = Definitions.load(dir.resolve("deployments.yaml"), dir.resolve("templates.yaml"));

        assertThat(definitions.deployments().values())
                .extracting(Deployment::resourceType)
                .contains("virtual_machine", "container", "bare_metal");
        for (Deployment deployment : definitions.deployments().values()) {
            assertThat(definitions.template(null, deployment)).isNotNull();
        }
        assertThat(definitions.templates().get("notebook").port()).isEqualTo(8888);
    }
}
