package io.corc.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.PluginConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class CorcConfigTest {
    private final CorcConfig defaults = CorcConfig.defaults();

    @Test
    void defaultsHoldCorcsValuesAndOurs() {
        assertThat(defaults.section("corc").string("default_provider", "?")).isEqualTo("local");
        PluginConfig meta = defaults.section("corc.job.meta");
        assertThat(meta.integer("num_jobs", 0)).isEqualTo(1);
        assertThat(meta.integer("max_cores", 0)).isEqualTo(128);
        assertThat(meta.bool("env_override", false)).isTrue();
        assertThat(defaults.section("corc.job").string("output_path", "?")).isEqualTo("/tmp/output");
        assertThat(defaults.section("corc.storage").string("backend", "?")).isEqualTo("local");
        assertThat(defaults.section("corc.storage").bool("enable", true)).isFalse();
        assertThat(defaults.section("corc.storage.s3").string("config_file", "?"))
                .isEqualTo("~/.aws/config");
        assertThat(defaults.section("corc.storage.local").asMap())
                .containsExactly(
                        Map.entry("path", ""),
                        Map.entry("bucket_name", "corc"),
                        Map.entry("bucket_input_prefix", "input"),
                        Map.entry("bucket_output_prefix", "output"));
        assertThat(defaults.section("corc.schedulers").string("default", "?")).isEqualTo("local");
        assertThat(defaults.section("corc.schedulers.local").integer("max_parallel", -1))
                .isZero();
        assertThat(defaults.section("corc.providers.local").asMap()).containsExactly(Map.entry("root", ""));
        assertThat(defaults.section("corc.providers.oci.profile").string("name", "?"))
                .isEqualTo("DEFAULT");
        assertThat(defaults.section("corc.providers.oci.cluster.node").integer("size", 0))
                .isEqualTo(1);
        assertThat(defaults.section("corc.providers.ec2.instance").string("size", "?"))
                .isEqualTo("t1.micro");
        assertThat(defaults.section("corc.broker").asMap()).isEmpty();
        assertThat(defaults.source()).isEmpty();
    }

    @Test
    void sectionsKeepCorcsOrderAndRouteRuleDefaults() {
        assertThat(defaults.asMap()).containsOnlyKeys("corc");
        assertThat(defaults.section("corc").asMap().keySet())
                .containsExactly(
                        "default_provider",
                        "job",
                        "storage",
                        "configurers",
                        "schedulers",
                        "providers",
                        "broker",
                        "placement",
                        "budgets",
                        "ttl");
        assertThat(defaults.section("corc.providers.oci.vcn.routetable").asMap().get("routerules"))
                .isEqualTo(List.of(Map.of("id", "", "destination", "0.0.0.0/0", "destination_type", "CIDR_BLOCK")));
    }

    @Test
    void absentSectionIsEmptyWithItsPath() {
        PluginConfig section = defaults.section("corc.providers.nowhere.deeper");

        assertThat(section.path()).isEqualTo("corc.providers.nowhere.deeper");
        assertThat(section.asMap()).isEmpty();
    }

    @Test
    void valueIsNotASection() {
        assertThatThrownBy(() -> defaults.section("corc.job.meta.num_jobs"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("corc.job.meta.num_jobs is a value, not a section of the configuration");
        assertThatThrownBy(() -> defaults.section("corc.job.meta.num_jobs.x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("corc.job.meta.num_jobs.x is not a section of the configuration");
    }

    @Test
    void treeIsUnmodifiableAllTheWayDown() {
        Map<?, ?> job = (Map<?, ?>) ((Map<?, ?>) defaults.asMap().get("corc")).get("job");

        assertThatThrownBy(() -> defaults.asMap().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(job::clear).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> ((List<?>) job.get("commands")).clear())
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void toYamlIsBlockStyleAndReadsBackToTheSameTree() {
        String yaml = defaults.toYaml();

        assertThat(yaml).startsWith("corc:\n  default_provider: local\n  job:\n    meta:\n");
        assertThat(yaml).contains("\n          routerules:\n            - id: ''\n");
        Map<String, Object> readBack = new Yaml().load(yaml);
        assertThat(readBack).isEqualTo(defaults.asMap());
    }

    @Test
    void expandHomeReplacesOnlyALeadingTilde() {
        Path home = Path.of(System.getProperty("user.home"));

        assertThat(ConfigLoader.expandHome("~")).isEqualTo(home);
        assertThat(ConfigLoader.expandHome("~/.aws/config")).isEqualTo(home.resolve(".aws/config"));
        assertThat(ConfigLoader.expandHome("/etc/~/x")).isEqualTo(Path.of("/etc/~/x"));
        assertThat(ConfigLoader.expandHome("~other/x")).isEqualTo(Path.of("~other/x"));
    }
}
