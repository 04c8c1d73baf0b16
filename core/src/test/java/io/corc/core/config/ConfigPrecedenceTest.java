package io.corc.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigPrecedenceTest {
    private static final String FILE = """
            corc:
              default_provider: oci
              job:
                meta:
                  num_jobs: 2
              storage:
                enable: true
                s3:
                  bucket_name: from-file
            """;

    @TempDir
    Path home;

    private final Map<String, String> environment = new HashMap<>();
    private final Map<String, Object> overrides = new HashMap<>();

    @BeforeEach
    void writeFile() throws IOException {
        Files.writeString(home.resolve("config.yaml"), FILE);
    }

    @Test
    void fileBeatsDefaults() {
        CorcConfig config = load();

        assertThat(config.source()).contains(home.resolve("config.yaml"));
        assertThat(values(config)).containsExactly(2, "from-file", true, "oci");
        assertThat(config.section("corc.job.meta").integer("num_parallel", 0)).isEqualTo(1);
    }

    @Test
    void environmentBeatsFile() {
        environment.put("CORC_JOB_META_NUM_JOBS", "3");
        environment.put("CORC_STORAGE_S3_BUCKET_NAME", "from-env");
        environment.put("CORC_STORAGE_ENABLE", "false");
        environment.put("CORC_DEFAULT_PROVIDER", "ec2");

        assertThat(values(load())).containsExactly(3, "from-env", false, "ec2");
    }

    @Test
    void overridesBeatEnvironment() {
        environment.put("CORC_JOB_META_NUM_JOBS", "3");
        environment.put("CORC_STORAGE_S3_BUCKET_NAME", "from-env");
        environment.put("CORC_STORAGE_ENABLE", "false");
        overrides.put("corc.job.meta.num_jobs", 5);
        overrides.put("corc.storage.s3.bucket_name", "from-flag");
        overrides.put("storage.enable", "true");
        overrides.put("corc.default_provider", null);

        assertThat(values(load())).containsExactly(5, "from-flag", true, "oci");
    }

    @Test
    void defaultsApplyWithoutAFile() throws IOException {
        Files.delete(home.resolve("config.yaml"));

        CorcConfig config = load();

        assertThat(config.source()).isEmpty();
        assertThat(values(config)).containsExactly(1, "", false, "local");
        assertThat(config.asMap()).isEqualTo(CorcConfig.defaults().asMap());
    }

    @Test
    void overridesReachIntoOpenSections() {
        overrides.put("corc.schedulers.kubernetes.namespace", "jobs");
        overrides.put("corc.broker.peers", List.of("a:7800", "b:7800"));

        CorcConfig config = load();

        assertThat(config.section("corc.schedulers.kubernetes").string("namespace", "?"))
                .isEqualTo("jobs");
        assertThat(config.section("corc.broker").strings("peers")).containsExactly("a:7800", "b:7800");
    }

    private CorcConfig load() {
        return new ConfigLoader(home, environment).load(null, overrides);
    }

    private static List<Object> values(CorcConfig config) {
        return List.of(
                config.section("corc.job.meta").asMap().get("num_jobs"),
                config.section("corc.storage.s3").asMap().get("bucket_name"),
                config.section("corc.storage").asMap().get("enable"),
                config.section("corc").asMap().get("default_provider"));
    }
}
