package io.corc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.StateRecord;
import io.corc.api.TestPause;
import io.corc.core.Corc;
import io.corc.core.gc.StartIntents;
import io.corc.core.placement.Budgets;
import io.corc.provider.ec2.FakeEc2;
import io.corc.provider.jclouds.FakeNova;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Crash safety: corc runs {@code instance start} as a child JVM (the CLI's main class on this class path) and is
 * killed with SIGKILL ({@code kill -9}) at one step of the orchestration, chosen with the test-only {@link
 * TestPause} ({@code CORC_TEST_PAUSE_AT}); afterwards {@code corc gc --apply} in this JVM must find and remove
 * everything the dead start made, and nothing may be left: at the local provider (sandbox directories and records)
 * and at EC2 ({@link FakeEc2} on WireMock in this JVM, so the cloud's state outlives the killed process) and at
 * OpenStack Nova through jclouds ({@link FakeNova}, likewise).
 */
class CrashSafetyTest {
    @TempDir
    Path home;

    @TempDir
    Path tmp;

    private FakeEc2 ec2;
    private FakeNova nova;

    @AfterEach
    void tearDown() {
        if (ec2 != null) {
            ec2.shutdown();
        }
        if (nova != null) {
            nova.shutdown();
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "corc:intent",
                "local:record",
                "local:sandbox",
                "corc:returned",
                "corc:started",
                "corc:spend",
                "corc:auto-stop"
            })
    void aStartAtTheLocalProviderKilledAtEachStepIsCleanedUpByGc(String step) throws Exception {
        Path config = Files.writeString(tmp.resolve("config.yaml"), """
                corc:
                  budgets:
                    users: {crash: {max_hourly_usd: 5}}
                """);

        killAt(step, config, "local", "orchestration", "instance", "start", "--name", "crash", "--ttl", "1h");

        CliRunner cli = new CliRunner(home).env("USER", "crash");
        CliRunner.Result listed = cli.run("--config", config.toString(), "gc");
        assertThat(listed.code()).as(listed.toString()).isZero();
        assertThat(listed.out()).as("gc lists what the start left").contains("start-");
        CliRunner.Result applied = cli.run("--config", config.toString(), "gc", "--apply");
        assertThat(applied.code()).as(applied.toString()).isZero();

        Corc corc =
                Corc.builder().home(home).environment(Map.of("USER", "crash")).build();
        assertThat(corc.records().list("local-instance")).as("local records").isEmpty();
        Path instances = home.resolve("local/instances");
        if (Files.isDirectory(instances)) {
            try (Stream<Path> left = Files.list(instances)) {
                assertThat(left).as("sandbox directories").isEmpty();
            }
        }
        assertNoCorcRecordsLeft(corc);
        assertThat(cli.run("--config", config.toString(), "gc").out()).contains("Nothing");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "corc:intent",
                "ec2:record",
                "ec2:key-pair",
                "ec2:security-group",
                "ec2:instance",
                "ec2:ssh-wait",
                "corc:returned",
                "corc:started",
                "corc:spend",
                "corc:auto-stop"
            })
    void aStartAtEc2KilledAtEachStepIsCleanedUpByGc(String step) throws Exception {
        ec2 = new FakeEc2().standardCatalogue();
        Path credentials = Files.writeString(
                tmp.resolve("aws-credentials"),
                "[default]\naws_access_key_id = AKIDCRASH\naws_secret_access_key = x\n");
        Path config = Files.writeString(
                tmp.resolve("config.yaml"),
                String.join(
                        "\n",
                        "corc:",
                        "  budgets:",
                        "    users: {crash: {max_hourly_usd: 5}}",
                        "  providers:",
                        "    ec2:",
                        "      profile:",
                        "        region: us-east-1",
                        "        config_file: " + tmp.resolve("no-aws-config"),
                        "        credentials_file: " + credentials,
                        "      endpoint: " + ec2.url(),
                        "      ssh_cidr: 198.51.100.0/24",
                        "      ssh_wait_seconds: 0",
                        "      poll_interval_ms: 1",
                        ""));

        killAt(step, config, "ec2", "orchestration", "instance", "start", "--min-cores", "2", "--ttl", "1h");

        if (!step.equals("corc:intent") && !step.equals("ec2:record")) {
            assertThat(ec2.leftovers())
                    .as("the start created something before it was killed")
                    .isNotEmpty();
        }
        CliRunner cli = new CliRunner(home).env("USER", "crash");
        CliRunner.Result listed = cli.run("--config", config.toString(), "gc");
        assertThat(listed.code()).as(listed.toString()).isZero();
        assertThat(listed.out()).contains("start-");
        CliRunner.Result applied = cli.run("--config", config.toString(), "gc", "--apply");
        assertThat(applied.code()).as(applied.toString()).isZero();

        assertThat(ec2.leftovers())
                .as("instances, security groups and key pairs at EC2")
                .isEmpty();
        Corc corc =
                Corc.builder().home(home).environment(Map.of("USER", "crash")).build();
        assertThat(corc.records().list("ec2-instance")).as("ec2 records").isEmpty();
        assertNoCorcRecordsLeft(corc);
        assertThat(cli.run("--config", config.toString(), "gc").out()).contains("Nothing");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "corc:intent",
                "jclouds:record",
                "jclouds:node",
                "corc:returned",
                "corc:started",
                "corc:spend",
                "corc:auto-stop"
            })
    void aStartAtOpenStackNovaKilledAtEachStepIsCleanedUpByGc(String step) throws Exception {
        nova = new FakeNova();
        Path config = Files.writeString(
                tmp.resolve("config.yaml"),
                JcloudsNovaCliTest.novaConfig(nova)); // no budget cap: jclouds offers have no price to check

        killAt(step, config, "jclouds", "orchestration", "instance", "start", "--name", "crash", "--ttl", "1h");

        if (step.startsWith("jclouds:node") || step.startsWith("corc:s") || step.startsWith("corc:a")) {
            assertThat(nova.live())
                    .as("the start created a server before it was killed")
                    .isNotEmpty();
        }
        CliRunner cli = new CliRunner(home).env("USER", "crash");
        CliRunner.Result listed = cli.run("--config", config.toString(), "gc");
        assertThat(listed.code()).as(listed.toString()).isZero();
        assertThat(listed.out()).contains("start-");
        CliRunner.Result applied = cli.run("--config", config.toString(), "gc", "--apply");
        assertThat(applied.code()).as(applied.toString()).isZero();

        assertThat(nova.live()).as("servers at Nova").isEmpty();
        Corc corc =
                Corc.builder().home(home).environment(Map.of("USER", "crash")).build();
        assertThat(corc.records().list("jclouds-instance"))
                .as("jclouds records")
                .isEmpty();
        assertNoCorcRecordsLeft(corc);
        assertThat(cli.run("--config", config.toString(), "gc").out()).contains("Nothing");
    }

    private static void assertNoCorcRecordsLeft(Corc corc) {
        assertThat(corc.records().list(StartIntents.RECORD_TYPE))
                .as("start intents")
                .isEmpty();
        List<StateRecord> spend = corc.records().list(Budgets.RECORD_TYPE);
        assertThat(spend).as("spend: no reservation left, every record stopped").allSatisfy(r -> assertThat(r.status())
                .isEqualTo("stopped"));
    }

    /** Runs corc in a child JVM until it reaches {@code step}, then kills it with SIGKILL. */
    private void killAt(String step, Path config, String... args) throws Exception {
        Path marker = tmp.resolve("paused-" + step.replace(':', '-'));
        Path output = tmp.resolve("child-" + step.replace(':', '-') + ".log");
        ProcessBuilder builder = CliRunner.childProcess(home, config, output, args);
        builder.environment().put("USER", "crash");
        builder.environment().put(TestPause.ENV, step);
        builder.environment().put(TestPause.MARKER_ENV, marker.toString());
        Process child = builder.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!Files.exists(marker) && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(marker)
                    .as("corc paused at %s; its output: %s", step, Files.readString(output, StandardCharsets.UTF_8))
                    .exists();
            assertThat(Files.readString(marker)).startsWith(child.pid() + " " + step);
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux: kill -9
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    }
}
