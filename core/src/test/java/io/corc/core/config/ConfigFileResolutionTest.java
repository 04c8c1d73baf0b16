package io.corc.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import io.corc.api.ErrorCategory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileResolutionTest {
    @TempDir
    Path home;

    @Test
    void explicitFileComesFirst() throws IOException {
        Path explicit = Files.writeString(home.resolve("mine.yaml"), "corc:\n  default_provider: oci\n");
        ConfigLoader loader = new ConfigLoader(
                home, Map.of("CORC_CONFIG_FILE", home.resolve("other.yaml").toString()));

        assertThat(loader.configPath(explicit)).isEqualTo(explicit);
        assertThat(loader.load(explicit, Map.of()).section("corc").string("default_provider", "?"))
                .isEqualTo("oci");
    }

    @Test
    void environmentNamesTheFileWhenNoFlagDoes() throws IOException {
        Path named = Files.writeString(home.resolve("env.yaml"), "corc:\n  default_provider: ec2\n");
        Files.writeString(home.resolve("config.yaml"), "corc:\n  default_provider: oci\n");
        ConfigLoader loader = new ConfigLoader(home, Map.of("CORC_CONFIG_FILE", named.toString()));

        assertThat(loader.configPath(null)).isEqualTo(named);
        assertThat(loader.load(null, Map.of()).source()).contains(named);
    }

    @Test
    void configYamlIsPreferredOverCorcsConfigFile() throws IOException {
        ConfigLoader loader = new ConfigLoader(home, Map.of());
        assertThat(loader.configPath(null)).isEqualTo(home.resolve("config.yaml"));

        Files.writeString(home.resolve("config"), "corc:\n  default_provider: oci\n");
        assertThat(loader.configPath(null)).isEqualTo(home.resolve("config"));
        assertThat(loader.load(null, Map.of()).source()).contains(home.resolve("config"));

        Files.writeString(home.resolve("config.yaml"), "corc: {}\n");
        assertThat(loader.configPath(null)).isEqualTo(home.resolve("config.yaml"));
    }

    @Test
    void missingDefaultFileMeansDefaults() {
        CorcConfig config = new ConfigLoader(home.resolve("absent"), Map.of()).load(null, Map.of());

        assertThat(config.source()).isEmpty();
        assertThat(config.asMap()).isEqualTo(CorcConfig.defaults().asMap());
    }

    @Test
    void missingExplicitFileIsNotFound() {
        Path missing = home.resolve("missing.yaml");

        assertThatThrownBy(() -> new ConfigLoader(home, Map.of()).load(missing, Map.of()))
                .asInstanceOf(type(ConfigException.class))
                .satisfies(e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND);
                    assertThat(e.getMessage()).isEqualTo("configuration file " + missing + " does not exist");
                    assertThat(e.hint()).contains("write one with: corc config generate > " + missing);
                    assertThat(e.problems()).extracting(ConfigProblem::path).containsExactly("");
                });
        assertThatThrownBy(() ->
                        new ConfigLoader(home, Map.of("CORC_CONFIG_FILE", missing.toString())).load(null, Map.of()))
                .asInstanceOf(type(ConfigException.class))
                .extracting(ConfigException::category)
                .isEqualTo(ErrorCategory.NOT_FOUND);
        assertThatThrownBy(() -> new ConfigLoader(home, Map.of()).validate(missing))
                .asInstanceOf(type(ConfigException.class))
                .extracting(ConfigException::category)
                .isEqualTo(ErrorCategory.NOT_FOUND);
    }

    @Test
    void directoryIsAClearError() throws IOException {
        Path directory = Files.createDirectory(home.resolve("config.yaml"));

        assertThatThrownBy(() -> new ConfigLoader(home, Map.of()).load(null, Map.of()))
                .asInstanceOf(type(ConfigException.class))
                .satisfies(e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.getMessage())
                            .isEqualTo("cannot read configuration file " + directory + ": it is a directory");
                });
    }

    @Test
    void tildeInTheEnvironmentIsExpanded() {
        ConfigLoader loader = new ConfigLoader(home, Map.of("CORC_CONFIG_FILE", "~/corc.yaml"));

        assertThat(loader.configPath(null)).isEqualTo(Path.of(System.getProperty("user.home"), "corc.yaml"));
    }
}
