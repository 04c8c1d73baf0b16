package io.corc.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import io.corc.api.ErrorCategory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigValidationTest {
    @TempDir
    Path home;

    @Test
    void syntaxErrorGivesTheLineAndTheParsersReason() {
        List<ConfigProblem> problems = validate("""
                corc:
                  job:
                    meta:
                      name: a: b
                """);

        assertThat(problems)
                .extracting(ConfigProblem::toString)
                .containsExactly("config.yaml:4: invalid YAML: mapping values are not allowed here");
    }

    @Test
    void unknownKeyHasASuggestionAndItsLine() {
        List<ConfigProblem> problems = validate("""
                corc:
                  job:
                    meta:
                      num_job: 5
                """);

        assertThat(problems)
                .containsExactly(new ConfigProblem(
                        home.resolve("config.yaml"),
                        "corc.job.meta",
                        4,
                        "unknown key 'num_job' (did you mean 'num_jobs'?)"));
    }

    @Test
    void unknownKeyWithoutAnyCloseMatchListsTheKnownOnes() {
        assertThat(validate("corc:\n  schedulers:\n    nonsense: {}\n"))
                .extracting(ConfigProblem::toString)
                .containsExactly("config.yaml:3: corc.schedulers: unknown key 'nonsense' (known keys: default, local, "
                        + "kubernetes, slurm, ssh)");
    }

    @Test
    void wrongTypesHaveTheirLines() {
        List<ConfigProblem> problems = validate("""
                corc:
                  job:
                    meta:
                      num_jobs: many
                      num_parallel: "2"
                    commands: echo hi
                    min_cores: lots
                  storage: [a, b]
                """);

        assertThat(problems)
                .extracting(ConfigProblem::toString)
                .containsExactly(
                        "config.yaml:4: corc.job.meta.num_jobs: must be an integer, got 'many'",
                        "config.yaml:5: corc.job.meta.num_parallel: must be an integer without quotes, got '2'",
                        "config.yaml:6: corc.job.commands: must be a list, got 'echo hi'",
                        "config.yaml:7: corc.job.min_cores: must be an integer or a quantity such as 2, 500m or 4Gi, "
                                + "got 'lots'",
                        "config.yaml:8: corc.storage: must be a mapping, got a list");
    }

    @Test
    void quotedNumbersAndQuantitiesAreAcceptedWhereCorcTookStrings() {
        Path file = write("corc:\n  job:\n    min_cores: '2'\n    max_memory: 4Gi\n    max_cores: 500m\n");

        CorcConfig config = new ConfigLoader(home, Map.of()).load(file, Map.of());

        assertThat(config.section("corc.job").asMap())
                .containsEntry("min_cores", 2)
                .containsEntry("max_memory", "4Gi")
                .containsEntry("max_cores", "500m");
    }

    @Test
    void everyProblemIsReportedInOneException() {
        Path file = write("""
                corc:
                  job:
                    meta:
                      num_job: 5
                      debug: sometimes
                  storage:
                    s3:
                      bucket_name: [x]
                  providers:
                    oci:
                      vcn:
                        routetable:
                          routerules:
                            - destination: 0.0.0.0/0
                              destinaton_type: CIDR_BLOCK
                """);

        assertThatThrownBy(() -> new ConfigLoader(home, Map.of()).load(file, Map.of()))
                .asInstanceOf(type(ConfigException.class))
                .satisfies(e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.problems()).hasSize(4);
                    assertThat(e.getMessage())
                            .isEqualTo(String.join(
                                    System.lineSeparator(),
                                    "invalid configuration in " + file + ": 4 problems",
                                    "  config.yaml:4: corc.job.meta: unknown key 'num_job' (did you mean 'num_jobs'?)",
                                    "  config.yaml:5: corc.job.meta.debug: must be true or false, got 'sometimes'",
                                    "  config.yaml:8: corc.storage.s3.bucket_name: must be a string, got a list",
                                    "  config.yaml:15: corc.providers.oci.vcn.routetable.routerules[0]: unknown key "
                                            + "'destinaton_type' (did you mean 'destination_type'?)"));
                    assertThat(e.hint())
                            .contains("fix the listed keys, then check the file again with: corc config validate "
                                    + file);
                });
    }

    @Test
    void duplicateKeysAreProblems() {
        assertThat(validate("corc:\n  job:\n    capture: true\n    capture: false\n"))
                .extracting(ConfigProblem::toString)
                .containsExactly("config.yaml:4: corc.job: duplicate key 'capture' (first at line 3)");
        assertThat(validate("corc:\n  broker:\n    a: 1\n    a: 2\n"))
                .extracting(ConfigProblem::toString)
                .containsExactly("config.yaml:4: corc.broker: duplicate key 'a' (first at line 3)");
    }

    @Test
    void topLevelKeysOtherThanCorcAreProblems() {
        assertThat(validate("corc: {}\ncorcc:\n  job: {}\n"))
                .extracting(ConfigProblem::toString)
                .containsExactly("config.yaml:2: unknown key 'corcc' (did you mean 'corc'?)");
        assertThat(validate("just text\n"))
                .extracting(ConfigProblem::toString)
                .containsExactly("config.yaml:1: must be a mapping, got 'just text'");
    }

    @Test
    void emptyFilesAndEmptySectionsAreValid() {
        assertThat(validate("")).isEmpty();
        assertThat(validate("# only a comment\n")).isEmpty();
        assertThat(validate("corc:\n  job:\n  storage: {}\n")).isEmpty();

        CorcConfig config = new ConfigLoader(home, Map.of()).load(write(""), Map.of());

        assertThat(config.asMap()).isEqualTo(CorcConfig.defaults().asMap());
        assertThat(config.source()).contains(home.resolve("config.yaml"));
    }

    @Test
    void corcsUpperCaseAnsibleKeyIsReadAsAnsible() {
        Path file = write("corc:\n  configurers:\n    ANSIBLE:\n      root_path: /playbooks\n");

        CorcConfig config = new ConfigLoader(home, Map.of()).load(file, Map.of());

        assertThat(config.section("corc.configurers.ansible").string("root_path", "?"))
                .isEqualTo("/playbooks");
        assertThat(validate("corc:\n  configurers:\n    ansible: {}\n    ANSIBLE: {}\n"))
                .extracting(ConfigProblem::toString)
                .containsExactly("config.yaml:4: corc.configurers: duplicate key 'ansible' (first at line 3)");
    }

    private List<ConfigProblem> validate(String yaml) {
        return new ConfigLoader(home, Map.of()).validate(write(yaml));
    }

    private Path write(String yaml) {
        try {
            return Files.writeString(home.resolve("config.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
