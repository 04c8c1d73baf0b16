package io.corc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.core.config.ConfigLoader;
import io.corc.core.config.CorcConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Every example in this module's folder is a valid configuration that loads. */
class ConfigExamplesTest {
    @TempDir
    Path home;

    @Test
    void folderHoldsExamples() throws IOException {
        assertThat(examples())
                .extracting(path -> path.getFileName().toString())
                .contains("local.yaml", "mcstas-kubernetes.yaml", "oci-thesis.yaml", "s3-minio.yaml");
    }

    @TestFactory
    Stream<DynamicTest> everyExampleValidatesAndLoads() throws IOException {
        List<Path> examples = examples();
        assertThat(examples).as("YAML files in " + folder()).isNotEmpty();
        ConfigLoader loader = new ConfigLoader(home, Map.of());
        return examples.stream()
                .map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
                    assertThat(loader.validate(file)).as("problems of " + file).isEmpty();
                    assertThat(loader.load(file, Map.of()).source()).contains(file);
                }));
    }

    @Test
    void localExampleIsTheDefaultConfiguration() {
        CorcConfig local = new ConfigLoader(home, Map.of()).load(folder().resolve("local.yaml"), Map.of());

        assertThat(local.asMap()).isEqualTo(CorcConfig.defaults().asMap());
    }

    @Test
    void ociExampleSetsTheThesisSections() {
        CorcConfig oci = new ConfigLoader(home, Map.of()).load(folder().resolve("oci-thesis.yaml"), Map.of());

        assertThat(oci.section("corc.providers.oci.profile").string("name", "?"))
                .isEqualTo("DEFAULT");
        assertThat(oci.section("corc.providers.oci.profile").string("compartment_id", "?"))
                .startsWith("ocid1.compartment.oc1..");
        assertThat(oci.section("corc.storage").bool("enable", false)).isTrue();
        assertThat(oci.section("corc.storage").string("endpoint", "?"))
                .endsWith(".compat.objectstorage.eu-frankfurt-1.oraclecloud.com");
        assertThat(oci.section("corc.storage.s3").string("bucket_name", "?")).isEqualTo("corc-jobs");
    }

    @Test
    void ec2ExampleSetsTheProfileZonesAndSpotFallback() {
        CorcConfig ec2 = new ConfigLoader(home, Map.of()).load(folder().resolve("ec2.yaml"), Map.of());

        assertThat(ec2.section("corc.providers.ec2.profile").string("region", "?"))
                .isEqualTo("eu-west-1");
        assertThat(ec2.section("corc.providers.ec2").strings("zones")).hasSize(3);
        assertThat(ec2.section("corc.providers.ec2.spot").bool("on_demand_fallback", false))
                .isTrue();
        assertThat(ec2.section("corc.providers.ec2").string("ssh_cidr", "?")).isEqualTo("192.0.2.0/24");
    }

    @Test
    void ociExampleSetsTheNetworkToReuseOrCreateAndTheS3CompatibleEndpoint() {
        CorcConfig oci = new ConfigLoader(home, Map.of()).load(folder().resolve("oci.yaml"), Map.of());

        assertThat(oci.section("corc.providers.oci.vcn").string("display_name", "?"))
                .isEqualTo("corc VCN");
        assertThat(oci.section("corc.providers.oci.instance").string("operating_system", "?"))
                .isEqualTo("Oracle Linux");
        assertThat(oci.section("corc.storage.s3").string("endpoint", "?"))
                .matches("https://.+\\.compat\\.objectstorage\\.eu-frankfurt-1\\.oraclecloud\\.com");
        assertThat(oci.section("corc.storage.s3").string("region", "?")).isEqualTo("eu-frankfurt-1");
        assertThat(oci.section("corc.storage.s3").bool("path_style", false)).isTrue();
    }

    private static Path folder() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    }

    /** The corc configurations here: every YAML file but {@code broker.yaml} (BrokerExampleTest loads that one). */
    private static List<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(folder())) {
            return files.filter(path -> path.getFileName().toString().endsWith(".yaml"))
                    .filter(path -> !path.getFileName().toString().equals(BrokerExampleTest.FILE))
                    .sorted()
                    .toList();
        }
    }
}
