package io.corc.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corc.core.config.ConfigLoader;
import io.corc.core.config.CorcConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The McStas example of docs/mcstas.md: {@code mcstas/scan.sh} and {@code mcstas-kubernetes.yaml}. */
class McStasExampleTest {
    private static final Path SH = Path.of("/bin/sh");
    /** The keys of {@code corc.schedulers.kubernetes} (scheduler/kubernetes KubernetesSettings). */
    private static final Set<String> KUBERNETES_KEYS = Set.of(
            "kubeconfig",
            "context",
            "namespace",
            "runner_image",
            "image_pull_policy",
            "image_pull_secrets",
            "service_account",
            "default_image",
            "backoff_limit",
            "ttl_seconds_after_finished",
            "staging_allowance_seconds",
            "start_timeout_seconds",
            "gpu_resource",
            "runner_cpu",
            "runner_memory",
            "node_selector",
            "tolerations",
            "allow_loopback_storage");

    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    private Path output;
    private Path input;
    /** A PATH without mcrun (none is installed where corc is built; the test's own bin/ is added when needed). */
    private String path;

    @BeforeEach
    void setUp() throws IOException {
        assumeThat(Files.isExecutable(SH)).as("/bin/sh").isTrue();
        output = dir.resolve("output");
        input = Files.createDirectories(dir.resolve("input"));
        path = "/usr/bin:/bin";
    }

    @ParameterizedTest(name = "task {0}: -n {1}, {2} MPI process(es)")
    @CsvSource({"0, 1e6, 1", "1, 1e6, 2", "3, 1e6, 4", "5, 1e7, 2", "10, 1e8, 3", "12, 1e9, 1", "15, 1e9, 4"})
    void dryRunPicksTheScanPointOfTheTask(int index, String ncount, int mpi) throws Exception {
        Result result = run(Map.of("CORC_TASK_INDEX", Integer.toString(index), "MCSTAS_DRY_RUN", "1"));

        assertThat(result.exitCode).as(result.stderr).isZero();
        String name = "templateSANS_n" + ncount + "_mpi" + mpi;
        List<String> expected = new ArrayList<>(List.of("mcrun", "templateSANS.instr", "-n", ncount));
        if (mpi > 1) {
            expected.add("--mpi=" + mpi);
        }
        expected.addAll(List.of("-d", output.resolve(name).toString()));
        assertThat(result.stdout.strip()).isEqualTo(String.join(" ", expected));

        JsonNode params = params();
        assertThat(params.get("task_index").asInt()).isEqualTo(index);
        assertThat(params.get("ncount").asText()).isEqualTo(ncount);
        assertThat(params.get("mpi").asInt()).isEqualTo(mpi);
        assertThat(params.get("output_dir").asText()).isEqualTo(name);
        assertThat(strings(params.get("command"))).isEqualTo(expected);
        assertThat(params.get("parameters")).isEmpty();
        assertThat(params.get("dry_run").asBoolean()).isTrue();
        assertThat(params.get("exit_code").asInt()).isZero();
        assertThat(output.resolve(name)).doesNotExist(); // mcrun -d wants a directory that does not exist
    }

    @Test
    void everyTaskOfTheSixteenIsADistinctPoint() throws Exception {
        List<String> points = new ArrayList<>();
        for (int index = 0; index < 16; index++) {
            Result result = run(Map.of("CORC_TASK_INDEX", Integer.toString(index), "CORC_NUM_JOBS", "16"), "--dry-run");
            assertThat(result.exitCode).as(result.stderr).isZero();
            assertThat(result.stderr).doesNotContain("warning");
            JsonNode params = params();
            points.add(params.get("ncount").asText() + "/" + params.get("mpi").asInt());
        }
        assertThat(points)
                .doesNotHaveDuplicates()
                .containsExactly(
                        "1e6/1", "1e6/2", "1e6/3", "1e6/4", "1e7/1", "1e7/2", "1e7/3", "1e7/4", "1e8/1", "1e8/2",
                        "1e8/3", "1e8/4", "1e9/1", "1e9/2", "1e9/3", "1e9/4");
    }

    @Test
    void instrumentParametersAndAnInputInstrumentAreUsed() throws Exception {
        Path instrument = Files.createDirectories(input.resolve("sans")).resolve("MySANS.instr");
        Files.writeString(instrument, "DEFINE INSTRUMENT MySANS(lambda=6)\nTRACE\nEND\n");

        Result result = run(Map.of("CORC_TASK_INDEX", "6", "MCSTAS_DRY_RUN", "1"), "lambda=5", "label=a \"b\" c");

        assertThat(result.exitCode).as(result.stderr).isZero();
        JsonNode params = params();
        assertThat(params.get("instrument").asText()).isEqualTo(instrument.toString());
        assertThat(strings(params.get("parameters"))).containsExactly("lambda=5", "label=a \"b\" c");
        assertThat(strings(params.get("command")))
                .containsExactly(
                        "mcrun",
                        "MySANS.instr",
                        "-n",
                        "1e7",
                        "--mpi=3",
                        "-d",
                        output.resolve("MySANS_n1e7_mpi3").toString(),
                        "lambda=5",
                        "label=a \"b\" c");
    }

    @Test
    void runsMcrunWithTheChosenPointAndRecordsIt() throws Exception {
        // a stand-in for mcrun: records its working directory and arguments, fills the -d directory
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path fake = bin.resolve("mcrun");
        Files.writeString(fake, """
                #!/bin/sh
                pwd > "$FAKE_MCRUN_LOG"
                printf '%s\\n' "$@" >> "$FAKE_MCRUN_LOG"
                previous=''
                for arg; do
                    if [ "$previous" = -d ]; then mkdir "$arg" && echo 'Param: lambda=6' > "$arg/mccode.sim"; fi
                    previous=$arg
                done
                """);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path instrument = input.resolve("templateSANS.instr");
        Files.writeString(instrument, "DEFINE INSTRUMENT templateSANS(lambda=6)\nTRACE\nEND\n");
        Path log = dir.resolve("mcrun.log");
        path = bin + ":" + path;

        Result result = run(Map.of("CORC_TASK_INDEX", "13", "FAKE_MCRUN_LOG", log.toString()));

        assertThat(result.exitCode).as(result.stderr).isZero();
        List<String> lines = Files.readAllLines(log);
        assertThat(lines.get(0))
                .as("mcrun runs on a copy, not beside the input")
                .doesNotStartWith(input.toString());
        String name = "templateSANS_n1e9_mpi2";
        assertThat(lines.subList(1, lines.size()))
                .containsExactly(
                        "templateSANS.instr",
                        "-n",
                        "1e9",
                        "--mpi=2",
                        "-d",
                        output.resolve(name).toString());
        assertThat(output.resolve(name).resolve("mccode.sim")).exists();
        assertThat(input).isDirectoryNotContaining("glob:**.c"); // nothing compiled beside the input
        JsonNode params = params();
        assertThat(params.get("dry_run").asBoolean()).isFalse();
        assertThat(params.get("exit_code").asInt()).isZero();
        assertThat(params.get("instrument").asText()).isEqualTo(instrument.toString());
    }

    @Test
    void failsClearlyWithoutMcrun() throws Exception {
        assumeThat(Files.exists(Path.of("/usr/bin/mcrun")) || Files.exists(Path.of("/bin/mcrun")))
                .as("McStas installed in /usr/bin")
                .isFalse();

        Result result = run(Map.of("CORC_TASK_INDEX", "2"));

        assertThat(result.exitCode).isEqualTo(127);
        assertThat(result.stderr).contains("mcrun is not on PATH").contains("MCSTAS_DRY_RUN=1");
        assertThat(output.resolve("params.json")).doesNotExist();
    }

    @Test
    void refusesATaskBeyondTheScan() throws Exception {
        Result result = run(Map.of("CORC_TASK_INDEX", "16", "MCSTAS_DRY_RUN", "1"));

        assertThat(result.exitCode).isEqualTo(2);
        assertThat(result.stderr).contains("task index 16 is outside the scan of 16 points", "--num-jobs 16");
    }

    @Test
    void refusesAMissingTaskIndex() throws Exception {
        Result result = run(Map.of("MCSTAS_DRY_RUN", "1"));

        assertThat(result.exitCode).isEqualTo(2);
        assertThat(result.stderr).contains("CORC_TASK_INDEX is not set");
    }

    @Test
    void scriptIsExecutable() {
        assertThat(Files.isExecutable(script())).isTrue();
    }

    @Test
    void kubernetesExampleValidatesAndDescribesTheScan() throws Exception {
        Path file = folder().resolve("mcstas-kubernetes.yaml");
        ConfigLoader loader = new ConfigLoader(dir, Map.of());

        assertThat(loader.validate(file)).isEmpty();
        CorcConfig config = loader.load(file, Map.of());
        assertThat(config.section("corc.schedulers").string("default", "?")).isEqualTo("kubernetes");
        Map<String, Object> kubernetes =
                config.section("corc.schedulers.kubernetes").asMap();
        assertThat(kubernetes.keySet())
                .as("keys the Kubernetes scheduler reads")
                .isSubsetOf(KUBERNETES_KEYS)
                .contains("kubeconfig", "namespace", "runner_image", "default_image");
        assertThat(kubernetes.get("default_image")).isEqualTo("nielsbohr/mccode-job-runner:latest");
        assertThat(config.section("corc.storage").bool("enable", false)).isTrue();
        assertThat(config.section("corc.storage").string("backend", "?")).isEqualTo("s3");
        assertThat(config.section("corc.storage.s3").string("endpoint", "")).isNotBlank();
        assertThat(config.section("corc.job").strings("commands")).containsExactly("sh input/scan.sh");

        // the configured number of tasks is exactly the scan: its last task is a point, the next one is not
        int numJobs = config.section("corc.job.meta").integer("num_jobs", 1);
        assertThat(numJobs).isEqualTo(16);
        assertThat(run(Map.of("CORC_TASK_INDEX", Integer.toString(numJobs - 1)), "--dry-run").exitCode)
                .isZero();
        assertThat(run(Map.of("CORC_TASK_INDEX", Integer.toString(numJobs)), "--dry-run").exitCode)
                .isEqualTo(2);
    }

    private Result run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(SH.toString(), script().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.putAll(new LinkedHashMap<>(Map.of(
                "PATH", path,
                "HOME", dir.toString(),
                "TMPDIR", Files.createDirectories(dir.resolve("tmp")).toString(),
                "CORC_INPUT", input.toString(),
                "CORC_OUTPUT", output.toString())));
        environment.putAll(env);
        Path stdout = dir.resolve("stdout.txt");
        Path stderr = dir.resolve("stderr.txt");
        Process process = builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("scan.sh finished").isTrue();
        return new Result(
                process.exitValue(),
                Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }

    private JsonNode params() throws IOException {
        return json.readTree(output.resolve("params.json").toFile());
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }

    private static Path script() {
        return folder().resolve("mcstas").resolve("scan.sh");
    }

    private static Path folder() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    }

    private record Result(int exitCode, String stdout, String stderr) {}
}
