package io.corc.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that must load unchanged: the generated default and configurations written for the Python corc. */
class CorcConfigFilesTest {
    @TempDir
    Path home;

    @Test
    void defaultConfigValidatesAndEqualsTheDefaults() throws IOException {
        Path file = Files.writeString(home.resolve("config.yaml"), DefaultConfig.yaml());
        ConfigLoader loader = new ConfigLoader(home, Map.of());

        assertThat(loader.validate(file)).isEmpty();
        assertThat(loader.load(file, Map.of()).asMap())
                .isEqualTo(CorcConfig.defaults().asMap());
        assertThat(ConfigFiles.parse(null, DefaultConfig.yaml()).values()).isEqualTo(CorcSchema.defaults());
        assertThat(DefaultConfig.yaml()).startsWith("# corc configuration").contains("\ncorc:\n");
    }

    @Test
    void mergedTreeWrittenAsYamlLoadsBackUnchanged() throws Exception {
        CorcConfig full = new ConfigLoader(home, Map.of()).load(resource("python-corc-full.yaml"), Map.of());
        Path written = Files.writeString(home.resolve("written.yaml"), full.toYaml());

        assertThat(new ConfigLoader(home, Map.of()).load(written, Map.of()).asMap())
                .isEqualTo(full.asMap());
    }

    @Test
    void fullPythonCorcConfigurationLoadsWithoutProblems() throws Exception {
        Path file = resource("python-corc-full.yaml");
        ConfigLoader loader = new ConfigLoader(home, Map.of());

        assertThat(loader.validate(file)).isEmpty();
        CorcConfig config = loader.load(file, Map.of());

        assertThat(config.section("corc.providers.oci.profile").string("compartment_id", "?"))
                .isEqualTo("ocid1.compartment.oc1..aaaaaaaaexamplecompartment");
        assertThat(config.section("corc.providers.oci.cluster.node").integer("size", 0))
                .isEqualTo(3);
        assertThat(config.section("corc.providers.oci.vcn.subnet").string("cidr_block", "?"))
                .isEqualTo("10.0.1.0/24");
        assertThat(config.section("corc.storage.s3").string("bucket_name", "?")).isEqualTo("mcstas-bucket");
        assertThat(config.section("corc.storage").bool("enable", false)).isTrue();
        assertThat(config.section("corc.job").strings("commands"))
                .containsExactly("python3", "run.py", "--samples", "1000");
        assertThat(config.section("corc.job").asMap())
                .containsEntry("min_cores", 1)
                .containsEntry("max_memory", "4Gi");
        assertThat(config.section("corc.configurers.ansible").string("inventory_path", "?"))
                .isEqualTo("/home/user/playbooks/inventory.ini");
        assertThat(config.section("corc.providers.oci.vcn.routetable").asMap().get("routerules"))
                .isEqualTo(List.of(Map.of("id", "", "destination", "0.0.0.0/0", "destination_type", "CIDR_BLOCK")));
        assertThat(config.section("corc.storage.s3").string("config_file", "?")).isEqualTo("~/.aws/config");
        assertThat(config.section("corc").string("default_provider", "?")).isEqualTo("local");
    }

    @Test
    void pythonCorcGeneratedDefaultsLoadAsOurDefaults() throws Exception {
        Path file = resource("python-corc-generated.yaml");
        ConfigLoader loader = new ConfigLoader(home, Map.of());

        assertThat(loader.validate(file)).isEmpty();
        assertThat(loader.load(file, Map.of()).asMap())
                .isEqualTo(CorcConfig.defaults().asMap());
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(CorcConfigFilesTest.class.getResource("/config/" + name).toURI());
    }
}
