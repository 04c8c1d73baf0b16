package io.corc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path home;

    @TempDir
    Path work;

    private CliRunner cli;

    @BeforeEach
    void setUp() {
        cli = new CliRunner(home);
    }

    @Test
    void helpListsTheCommandTreeWithExamples() {
        CliRunner.Result result = cli.run("--help");

        assertThat(result.code()).as(result.toString()).isZero();
        assertThat(result.out()).contains("config", "check", "job", "storage", "local", "completion", "Examples:");
    }

    @Test
    void everyCommandHasHelpWithExamplesOrADescription() {
        for (String[] args : List.of(
                new String[] {"job", "run", "--help"},
                new String[] {"job", "result", "get", "--help"},
                new String[] {"local", "orchestration", "instance", "--help"},
                new String[] {"local", "orchestration", "instance", "start", "--help"},
                new String[] {"local", "job", "logs", "--help"},
                new String[] {"config", "validate", "--help"},
                new String[] {"storage", "--help"},
                new String[] {"storage", "serve", "--help"})) {
            CliRunner.Result result = cli.run(args);
            assertThat(result.code()).as(result.toString()).isZero();
            assertThat(result.out()).contains("Usage:", "Examples:");
        }
    }

    @Test
    void onlyTheAddressedCommandIsBuiltButHelpAndCompletionSeeTheWholeTree() {
        assertThat(CommandTree.addressedCommand("--config", "x.yaml", "-o", "json", "job", "list"))
                .isEqualTo("job");
        assertThat(CommandTree.addressedCommand("help", "local", "orchestration"))
                .isEqualTo("local");
        assertThat(CommandTree.addressedCommand("--help")).isNull();

        assertThat(cli.run("help", "job").out()).contains("run", "result");
        assertThat(cli.run("completion", "bash").out())
                .contains("--num-parallel", "--min-cores", "sync", "--storage-bucket", "--recursive");
    }

    @Test
    void everyCommandOfTheWholeTreeHasHelpWithExamples() {
        CliContext context = new CliContext(System.out, System.err, Map.of("CORC_HOME", home.toString()), false);
        List<String> leaves = new java.util.ArrayList<>();
        collectLeaves(CommandTree.build(context, "completion"), leaves);
        assertThat(leaves).hasSizeGreaterThan(25).contains("corc local orchestration cluster start");

        for (String leaf : leaves) {
            String[] args = (leaf.substring("corc ".length()) + " --help").split(" ");
            CliRunner.Result result = cli.run(args);
            assertThat(result.code()).as(leaf).isZero();
            assertThat(result.out()).as(leaf).contains("Usage: " + leaf).contains("Examples:");
        }
    }

    private static void collectLeaves(picocli.CommandLine command, List<String> leaves) {
        if (command.getCommandSpec().qualifiedName().equals("corc help")) {
            return; // picocli's own help command
        }
        if (command.getSubcommands().isEmpty()) {
            leaves.add(command.getCommandSpec().qualifiedName());
        }
        command.getSubcommands().values().forEach(sub -> collectLeaves(sub, leaves));
    }

    @Test
    void runsAJobOnTheEmbeddedDefaultAndGetsItsResults() throws Exception {
        CliRunner.Result run = cli.run(
                "job", "run", "--wait", "-o", "json", "--", "sh", "-c", "echo hello > \"$CORC_OUTPUT/hello.txt\"");

        assertThat(run.code()).as(run.toString()).isZero();
        Map<String, Object> document = run.json();
        assertThat(document).containsEntry("status", "success");
        @SuppressWarnings("unchecked")
        String jobId = (String) ((Map<String, Object>) document.get("job")).get("id");
        assertThat(jobId).startsWith("job-");

        CliRunner.Result get = cli.run("job", "result", "get", jobId, "--path", work.toString());

        assertThat(get.code()).as(get.toString()).isZero();
        assertThat(work.resolve(jobId).resolve("0").resolve("hello.txt")).hasContent("hello\n");
        assertThat(work.resolve(jobId).resolve("0").resolve("job.json")).exists();
    }

    @Test
    void yamlOutputParsesAndCarriesStatus() {
        CliRunner.Result result = cli.run("job", "list", "-o", "yaml");

        assertThat(result.code()).as(result.toString()).isZero();
        assertThat(result.yaml()).containsEntry("status", "success").containsKey("jobs");
    }

    @Test
    void aFailedJobWaitedForExitsWithOne() {
        CliRunner.Result result = cli.run("job", "run", "--wait", "-o", "json", "--", "sh", "-c", "exit 3");

        assertThat(result.code()).as(result.toString()).isEqualTo(ExitCodes.FAILED_OUTCOME);
        assertThat(result.json()).containsEntry("status", "failed");
    }

    @Test
    void badYamlIsOneMessageWithTheLineAndNoStackTrace() throws Exception {
        Path config = Files.writeString(work.resolve("bad.yaml"), "corc:\n  job:\n    capture: [unclosed\n");

        CliRunner.Result result = cli.run("--config", config.toString(), "config", "show");

        assertThat(result.code()).as(result.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err())
                .startsWith("corc: error: ")
                .contains("bad.yaml")
                .contains("hint:");
        assertThat(result.err()).doesNotContain("\tat ", "Exception");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void verboseAddsTheStackTrace() throws Exception {
        Path config = Files.writeString(work.resolve("bad.yaml"), "corc:\n  job:\n    capture: [unclosed\n");

        CliRunner.Result result = cli.run("--verbose", "--config", config.toString(), "config", "show");

        assertThat(result.code()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err()).contains("\tat ");
    }

    @Test
    void unknownKeysAndWrongTypesAreAllReportedWithLines() throws Exception {
        Path config = Files.writeString(
                work.resolve("c.yaml"), "corc:\n  job:\n    meta:\n      num_job: 2\n      num_parallel: many\n");

        CliRunner.Result result = cli.run("config", "validate", config.toString());

        assertThat(result.code()).as(result.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.out())
                .contains(":4:")
                .contains("num_job")
                .contains(":5:")
                .contains("num_parallel");
    }

    @Test
    void aMissingConfigFileIsNotFound() {
        CliRunner.Result result =
                cli.run("--config", work.resolve("absent.yaml").toString(), "job", "list");

        assertThat(result.code()).as(result.toString()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(result.err()).contains("absent.yaml");
    }

    @Test
    void environmentOverridesTheFileAndFlagsOverrideBoth() throws Exception {
        Path config = Files.writeString(work.resolve("c.yaml"), "corc:\n  job:\n    meta:\n      num_jobs: 2\n");
        cli.env("CORC_JOB_META_NUM_JOBS", "3");

        CliRunner.Result fromEnv = cli.run("--config", config.toString(), "config", "show", "-o", "json");
        CliRunner.Result fromFlag =
                cli.run("--config", config.toString(), "job", "run", "--num-jobs", "4", "-o", "json", "--", "true");

        assertThat(fromEnv.out()).as(fromEnv.toString()).contains("\"num_jobs\": 3");
        assertThat(fromFlag.code()).as(fromFlag.toString()).isZero();
        @SuppressWarnings("unchecked")
        List<Object> tasks =
                (List<Object>) ((Map<String, Object>) fromFlag.json().get("job")).get("tasks");
        assertThat(tasks).hasSize(4);
    }

    @Test
    void anUnknownJobIsNotFoundAsAJsonErrorOnStderr() {
        CliRunner.Result result = cli.run("job", "show", "job-nope", "-o", "json");

        assertThat(result.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(result.out()).isEmpty();
        assertThat(result.errorJson()).containsEntry("status", "error");
        assertThat(result.err()).contains("job 'job-nope' not found");
    }

    @Test
    void usageErrorsExitWithTwoAndAHint() {
        CliRunner.Result result = cli.run("job", "frobnicate");

        assertThat(result.code()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err()).contains("corc: error:").contains("hint: see 'corc job --help'");
    }

    @Test
    void aMistypedCommandGetsASuggestion() {
        CliRunner.Result result = cli.run("jbo", "list");

        assertThat(result.code()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err()).contains("'jbo'").contains("hint: did you mean 'job'? See 'corc --help'");
    }

    @Test
    void completionScriptsForBashAndZsh() {
        CliRunner.Result bash = cli.run("completion", "bash");
        CliRunner.Result zsh = cli.run("completion", "zsh");

        assertThat(bash.code()).isZero();
        assertThat(bash.out()).contains("complete -F").contains("orchestration");
        assertThat(zsh.out()).startsWith("autoload -U +X compinit");
    }

    @Test
    void versionNamesCorcAndJava() {
        CliRunner.Result result = cli.run("--version");

        assertThat(result.code()).isZero();
        assertThat(result.out()).startsWith("corc 0.").contains("Java ");
    }

    @Test
    void localInstancesStartListShowAndStop() {
        CliRunner.Result start = cli.run("local", "orchestration", "instance", "start", "--name", "box", "-o", "json");
        assertThat(start.code()).as(start.toString()).isZero();
        @SuppressWarnings("unchecked")
        String id = (String) ((Map<String, Object>) start.json().get("instance")).get("id");

        assertThat(cli.run("local", "orchestration", "instance", "list").out()).contains(id);
        assertThat(cli.run("local", "orchestration", "instance", "show", id).out())
                .contains("running");
        assertThat(cli.run("local", "orchestration", "instance", "stop", id).code())
                .isZero();
        assertThat(cli.run("local", "orchestration", "instance", "show", id).code())
                .isEqualTo(ExitCodes.NOT_FOUND);
    }

    @Test
    void aContainerImageOnTheLocalSchedulerIsRefusedWithTheReason() {
        CliRunner.Result result = cli.run("job", "run", "--image", "mccode/mcstas:3.4", "--", "mcrun", "x.instr");

        assertThat(result.code()).as(result.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err()).contains("local does not support container_images");
        assertThat(cli.run("job", "list", "-o", "json").json().get("jobs"))
                .asList()
                .isEmpty();
    }

    @Test
    void badTaskCountsAndEmptyCommandsAreRefusedBeforeAnythingRuns() {
        CliRunner.Result zero = cli.run("job", "run", "--num-jobs", "0", "--", "true");
        CliRunner.Result negative = cli.run("job", "run", "--num-parallel", "-4", "--", "true");
        CliRunner.Result empty = cli.run("job", "run", "--", "");
        CliRunner.Result none = cli.run("job", "run");

        assertThat(zero.code()).as(zero.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(zero.err()).contains("num_jobs must be at least 1, got 0");
        assertThat(negative.err()).contains("num_parallel must be at least 1, got -4");
        assertThat(empty.err()).contains("the job's command is empty");
        assertThat(none.err()).contains("the job has no command").contains("corc.job.commands");
        assertThat(cli.run("job", "list", "-o", "json").json().get("jobs"))
                .asList()
                .isEmpty();
    }

    @Test
    void twoInputsWithOneNameAreRefused() throws Exception {
        Files.createDirectories(work.resolve("a"));
        Files.createDirectories(work.resolve("b"));
        Path first = Files.writeString(work.resolve("a/data.txt"), "A");
        Path second = Files.writeString(work.resolve("b/data.txt"), "B");

        CliRunner.Result result =
                cli.run("job", "run", "--input", first.toString(), "--input", second.toString(), "--", "true");

        assertThat(result.code()).as(result.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err()).contains("would both be staged as 'data.txt'");
    }

    @Test
    void configuredCommandsRunWhenNoneIsGiven() throws Exception {
        Path config = Files.writeString(
                work.resolve("c.yaml"),
                "corc:\n  job:\n    commands:\n      - echo one > $CORC_OUTPUT/one.txt\n      - echo two >> $CORC_OUTPUT/one.txt\n");

        CliRunner.Result run = cli.run("--config", config.toString(), "job", "run", "--wait", "-o", "json");
        assertThat(run.code()).as(run.toString()).isZero();
        @SuppressWarnings("unchecked")
        String jobId = (String) ((Map<String, Object>) run.json().get("job")).get("id");
        assertThat(cli.run("--config", config.toString(), "job", "result", "get", jobId, "--path", work.toString())
                        .code())
                .isZero();

        assertThat(work.resolve(jobId).resolve("0").resolve("one.txt")).hasContent("one\ntwo\n");
    }

    @Test
    void logsAsJsonAndAMalformedIdIsNotFound() {
        CliRunner.Result run =
                cli.run("job", "run", "--wait", "-o", "json", "--", "sh", "-c", "echo out; echo err >&2");
        @SuppressWarnings("unchecked")
        String jobId = (String) ((Map<String, Object>) run.json().get("job")).get("id");

        CliRunner.Result logs = cli.run("job", "logs", jobId, "-o", "json");

        assertThat(logs.code()).as(logs.toString()).isZero();
        assertThat(logs.json()).containsEntry("status", "success");
        assertThat(logs.json().get("lines"))
                .asList()
                .contains(
                        Map.of("task", 0, "stream", "stdout", "text", "out"),
                        Map.of("task", 0, "stream", "stderr", "text", "err"));
        assertThat(cli.run("job", "show", "bad/../id").code()).isEqualTo(ExitCodes.NOT_FOUND);
    }

    @Test
    void cancellingAFinishedJobLeavesItSucceeded() {
        CliRunner.Result run = cli.run("job", "run", "--wait", "-o", "json", "--", "true");
        @SuppressWarnings("unchecked")
        String jobId = (String) ((Map<String, Object>) run.json().get("job")).get("id");

        CliRunner.Result cancel = cli.run("job", "cancel", jobId, "-o", "json");

        assertThat(cancel.code()).isZero();
        assertThat(cli.run("job", "list").out()).contains("succeeded");
    }

    @Test
    void waitingPastTheTimeoutIsOneErrorAndTheJobKeepsRunning() {
        CliRunner.Result result = cli.run("job", "run", "--wait", "--timeout", "1s", "-o", "json", "--", "sleep", "30");

        assertThat(result.code()).as(result.toString()).isEqualTo(ExitCodes.CANCELLED);
        assertThat(result.out()).isEmpty();
        assertThat(result.errorJson().toString()).contains("gave up waiting");
        // the job goes on: it may still be pending when the wait gives up (a loaded machine), then it runs
        Map<String, Object> job = onlyJob();
        assertThat(job.get("state")).isIn("pending", "running");
        io.corc.api.Polling.until(
                "the job to run",
                java.time.Duration.ofSeconds(25),
                java.time.Duration.ofMillis(100),
                () -> "running".equals(onlyJob().get("state")),
                "corc job list shows its state");
        assertThat(cli.run("job", "cancel", (String) job.get("id")).code()).isZero();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> onlyJob() {
        List<Map<String, Object>> jobs = (List<Map<String, Object>>)
                cli.run("job", "list", "-o", "json").json().get("jobs");
        assertThat(jobs).hasSize(1);
        return jobs.get(0);
    }

    @Test
    void gcIsADryRunUnlessAskedToApply() {
        CliRunner.Result dryRun = cli.run("gc", "-o", "json");
        CliRunner.Result apply = cli.run("gc", "--apply");

        assertThat(dryRun.code()).as(dryRun.toString()).isZero();
        assertThat(dryRun.json()).containsEntry("status", "success").containsEntry("dry_run", true);
        assertThat(apply.out()).contains("Nothing to collect.");
    }

    @Test
    void aPlanBeyondThisMachineIsACapacityError() {
        CliRunner.Result result = cli.run("local", "orchestration", "instance", "plan", "--min-cores", "100000");

        assertThat(result.code()).as(result.toString()).isEqualTo(ExitCodes.CAPACITY);
        assertThat(result.err()).contains("100000");
    }
}
