package io.corc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code corc orchestration instance plan|start --provider auto} and {@code corc status} through the CLI, with the
 * local provider as the only allowed candidate (the scripted fail-over cases are core's PlacementTest).
 */
class PlacementCliTest {
    @TempDir
    Path home;

    private CliRunner cli;
    private String config;

    @BeforeEach
    void setUp() throws IOException {
        cli = new CliRunner(home).env("USER", "alice");
        config = Files.writeString(home.resolve("config.yaml"), """
                        corc:
                          placement:
                            allowed_providers: [local]
                          budgets:
                            users: {alice: {max_hourly_usd: 1.0, max_total_usd: 10}}
                        """).toString();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aDryRunShowsTheRankedCandidatesAndTheChoiceAndCreatesNothing() throws IOException {
        CliRunner.Result dry = cli.run(
                "--config",
                config,
                "orchestration",
                "instance",
                "start",
                "--provider",
                "auto",
                "--dry-run",
                "-o",
                "json");

        assertThat(dry.code()).as(dry.toString()).isZero();
        Map<String, Object> placement = (Map<String, Object>) dry.json().get("placement");
        assertThat(dry.json().get("dry_run")).isEqualTo(true);
        assertThat(((Map<String, Object>) placement.get("choice")).get("provider"))
                .isEqualTo("local");
        assertThat((List<Map<String, Object>>) placement.get("ranked"))
                .singleElement()
                .satisfies(c -> assertThat((String) c.get("why")).startsWith("cheapest: 0 USD/hour"));
        assertThat((List<Map<String, Object>>) placement.get("excluded"))
                .anySatisfy(e -> assertThat(e.get("reason")).asString().contains("not in corc.placement"));
        assertThat((List<Map<String, Object>>) placement.get("excluded")) // the CLI ships the jclouds provider
                .anySatisfy(e -> assertThat(e).containsEntry("provider", "jclouds"));
        assertThat(records()).isEmpty();

        CliRunner.Result table = cli.run("--config", config, "orchestration", "instance", "plan", "--provider", "auto");
        assertThat(table.code()).as(table.toString()).isZero();
        assertThat(table.out()).contains("RANK", "USD/H", "WHY", "cheapest").contains("left out ");
        assertThat(records()).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void autoStartsAtTheChosenProviderRecordsTheAttemptAndStatusShowsTheSpend() throws IOException {
        CliRunner.Result start = cli.run(
                "--config",
                config,
                "orchestration",
                "instance",
                "start",
                "--provider",
                "auto",
                "--name",
                "box",
                "-o",
                "json");

        assertThat(start.code()).as(start.toString()).isZero();
        String id = (String) ((Map<String, Object>) start.json().get("instance")).get("id");
        Map<String, Object> placement = (Map<String, Object>) start.json().get("placement");
        assertThat((List<Map<String, Object>>) placement.get("attempts"))
                .singleElement()
                .satisfies(a -> assertThat(a).containsEntry("provider", "local").containsEntry("outcome", "started"));
        assertThat(records()).anyMatch(p -> p.toString().contains("/placement/"));

        CliRunner.Result status = cli.run("--config", config, "status", "-o", "json");
        assertThat(status.code()).as(status.toString()).isZero();
        assertThat(status.json()).containsEntry("user", "alice");
        assertThat((List<Map<String, Object>>) status.json().get("budgets"))
                .singleElement()
                .satisfies(b -> assertThat(b).containsEntry("name", "alice").containsEntry("max_total_usd", 10.0));
        assertThat((List<Map<String, Object>>) status.json().get("resources"))
                .singleElement()
                .satisfies(r -> assertThat(r).containsEntry("id", id).containsEntry("stopped_at", null));

        assertThat(cli.run("local", "orchestration", "instance", "stop", id).code())
                .isZero();
        assertThat(cli.run("--config", config, "status").out()).contains("user alice: 0 USD/hour now (cap 1)");
    }

    @Test
    @SuppressWarnings("unchecked")
    void whenNoProviderCanPlaceTheErrorIsCapacityAndTheJsonSaysWhy() {
        CliRunner.Result result = cli.run(
                "--config",
                config,
                "orchestration",
                "instance",
                "start",
                "--provider",
                "auto",
                "--min-cores",
                "100000",
                "-o",
                "json");

        assertThat(result.code()).as(result.toString()).isEqualTo(ExitCodes.CAPACITY);
        Map<String, Object> error = (Map<String, Object>) result.errorJson().get("error");
        assertThat(error.get("hint")).asString().contains("plan --provider auto");
        Map<String, Object> placement = (Map<String, Object>) error.get("placement");
        assertThat((List<Map<String, Object>>) placement.get("excluded")).anySatisfy(e -> assertThat(e)
                .containsEntry("provider", "local")
                .extractingByKey("reason")
                .asString()
                .startsWith("no offer: "));
    }

    @Test
    void aNamedProviderStartsThereAndANamedDryRunOnlyPlans() throws IOException {
        CliRunner.Result dry =
                cli.run("--config", config, "orchestration", "instance", "start", "--provider", "local", "--dry-run");

        assertThat(dry.code()).as(dry.toString()).isZero();
        assertThat(dry.out()).startsWith("Would start local");
        assertThat(records()).isEmpty();
    }

    private List<Path> records() throws IOException {
        Path state = home.resolve("state");
        if (!Files.exists(state)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(state)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith("."))
                    .toList();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void upIsInstanceStartWithProviderAutoAndTheSameOptions() {
        CliRunner.Result help = cli.run("up", "--help");
        assertThat(help.code()).as(help.toString()).isZero();
        assertThat(help.out())
                .contains(
                        "--provider auto", "--min-cores", "--ttl", "--idle-stop", "--dry-run", "Examples:", "corc up");

        CliRunner.Result dry = cli.run("--config", config, "up", "--min-cores", "1", "--dry-run", "-o", "json");
        assertThat(dry.code()).as(dry.toString()).isZero();
        assertThat(((Map<String, Object>) ((Map<String, Object>) dry.json().get("placement")).get("choice"))
                        .get("provider"))
                .isEqualTo("local");

        CliRunner.Result up = cli.run("--config", config, "up", "--name", "upped", "--ttl", "1h", "-o", "json");
        assertThat(up.code()).as(up.toString()).isZero();
        Map<String, Object> instance = (Map<String, Object>) up.json().get("instance");
        assertThat(instance.get("provider")).isEqualTo("local");
        assertThat(((Map<String, Object>) up.json().get("placement")).get("id"))
                .asString()
                .startsWith("place-");
        String id = (String) instance.get("id");
        assertThat(cli.run("local", "orchestration", "instance", "show", id).out())
                .contains(id);
        assertThat(cli.run("local", "orchestration", "instance", "stop", id).code())
                .isZero();

        // a named provider still wins over auto
        CliRunner.Result named = cli.run("--config", config, "up", "--provider", "local", "--dry-run");
        assertThat(named.code()).as(named.toString()).isZero();
        assertThat(named.out()).startsWith("Would start local");
    }
}
