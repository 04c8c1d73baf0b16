package io.corc.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import io.corc.api.ErrorCategory;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentAndOverridesTest {
    @TempDir
    Path home;

    @Test
    void variableNamesComeFromTheSchemasScalarKeys() {
        Map<String, String> names = EnvironmentVariables.names();

        assertThat(names)
                .containsEntry("CORC_JOB_META_NUM_JOBS", "corc.job.meta.num_jobs")
                .containsEntry("CORC_STORAGE_S3_BUCKET_NAME", "corc.storage.s3.bucket_name")
                .containsEntry("CORC_DEFAULT_PROVIDER", "corc.default_provider")
                .containsEntry("CORC_STORAGE_LOCAL_BUCKET_NAME", "corc.storage.local.bucket_name")
                .containsEntry("CORC_SCHEDULERS_LOCAL_MAX_PARALLEL", "corc.schedulers.local.max_parallel")
                .containsEntry("CORC_PROVIDERS_OCI_PROFILE_COMPARTMENT_ID", "corc.providers.oci.profile.compartment_id")
                .containsEntry("CORC_PROVIDERS_OCI_CLUSTER_NODE_IMAGE", "corc.providers.oci.cluster.node.image")
                .containsEntry("CORC_CONFIGURERS_ANSIBLE_ROOT_PATH", "corc.configurers.ansible.root_path")
                .doesNotContainKeys(
                        "CORC_JOB_COMMANDS", "CORC_BROKER", "CORC_SCHEDULERS_KUBERNETES", "CORC_PROVIDERS_JCLOUDS")
                .doesNotContainKeys(EnvironmentVariables.RESERVED.toArray(String[]::new));
    }

    @Test
    void valuesAreConvertedToTheSchemaType() {
        Map<String, String> environment = Map.of(
                "CORC_JOB_META_NUM_PARALLEL", " 4 ",
                "CORC_JOB_CAPTURE", "no",
                "CORC_JOB_MAX_MEMORY", "4Gi",
                "CORC_PROVIDERS_OCI_INSTANCE_OPERATING_SYSTEM_VERSION", "8");

        CorcConfig config = new ConfigLoader(home, environment).load(null, Map.of());

        assertThat(config.section("corc.job.meta").asMap().get("num_parallel")).isEqualTo(4);
        assertThat(config.section("corc.job").asMap())
                .containsEntry("capture", false)
                .containsEntry("max_memory", "4Gi");
        assertThat(config.section("corc.providers.oci.instance").asMap().get("operating_system_version"))
                .isEqualTo("8");
    }

    @Test
    void reservedAndUnknownVariablesAreIgnored() {
        Map<String, String> environment = Map.of(
                "CORC_HOME", "/elsewhere",
                "CORC_NUM_JOBS", "not a number",
                "CORC_TASK_INDEX", "x",
                "CORC_OUTPUT", "/out",
                "CORC_VERBOSE", "1",
                "CORC_SOMETHING_ELSE", "x");

        CorcConfig config = new ConfigLoader(home, environment).load(null, Map.of());

        assertThat(config.asMap()).isEqualTo(CorcConfig.defaults().asMap());
    }

    @Test
    void badValuesNameTheVariableAndAreReportedTogether() {
        Map<String, String> environment = new TreeMap<>(Map.of(
                "CORC_JOB_META_NUM_JOBS", "x",
                "CORC_STORAGE_ENABLE", "maybe",
                "CORC_SCHEDULERS_LOCAL_MAX_PARALLEL", "-1"));

        assertThatThrownBy(() -> new ConfigLoader(home, environment).load(null, Map.of()))
                .asInstanceOf(type(ConfigException.class))
                .satisfies(e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.problems())
                            .extracting(ConfigProblem::toString)
                            .containsExactly(
                                    "CORC_JOB_META_NUM_JOBS: must be an integer, got 'x'",
                                    "CORC_STORAGE_ENABLE: must be true or false, got 'maybe'",
                                    "CORC_SCHEDULERS_LOCAL_MAX_PARALLEL: must be at least 0, got '-1'");
                    assertThat(e.getMessage())
                            .startsWith("invalid configuration: 3 problems" + System.lineSeparator()
                                    + "  CORC_JOB_META_NUM_JOBS: must be an integer, got 'x'");
                    assertThat(e.hint()).contains("fix the named environment variables or flags");
                });
    }

    @Test
    void unknownOverrideKeyIsAnError() {
        ConfigLoader loader = new ConfigLoader(home, Map.of());

        assertThatThrownBy(() -> loader.load(null, Map.of("corc.job.meta.num_job", 5)))
                .asInstanceOf(type(ConfigException.class))
                .satisfies(e -> assertThat(e.problems())
                        .containsExactly(new ConfigProblem(
                                "corc.job.meta", 0, "unknown key 'num_job' (did you mean 'num_jobs'?)")));
        assertThatThrownBy(() -> loader.load(null, Map.of("corc.job.meta.num_jobs.deeper", 5)))
                .hasMessageEndingWith("corc.job.meta.num_jobs: is not a section, so it has no key 'deeper'");
        assertThatThrownBy(() -> loader.load(null, Map.of("corc.job.meta", Map.of())))
                .hasMessageEndingWith("corc.job.meta: is a section; set its keys one by one");
    }

    @Test
    void overrideOfTheWrongTypeIsAnError() {
        ConfigLoader loader = new ConfigLoader(home, Map.of());

        assertThatThrownBy(() -> loader.load(null, Map.of("corc.storage.enable", 3)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration: 1 problem" + System.lineSeparator()
                        + "  corc.storage.enable: must be true or false, got '3'");
        assertThatThrownBy(() -> loader.load(null, Map.of("corc.job.commands", "echo hi")))
                .hasMessageEndingWith("corc.job.commands: must be a list, got 'echo hi'");
    }
}
