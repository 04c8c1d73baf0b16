package io.corc.bench;

import io.corc.api.Orchestrator;
import io.corc.api.PluginConfig;
import io.corc.api.PluginContext;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.core.state.FileStateStore;
import io.corc.provider.ec2.Ec2OrchestratorFactory;
import io.corc.provider.ec2.FakeEc2;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Orchestration overhead of the {@code ec2} provider: start + stop cycles, the provider built as the CLI builds it
 * (its factory, an AWS profile file, the {@link FileStateStore} of a corc home), against {@link FakeEc2} answering
 * every call after an injected latency. Overhead per cycle = wall time - EC2 calls x latency: what corc itself adds
 * (selection, state records, SDK marshalling, signing, XML parsing, the fake's own time on the same cores).
 *
 * <pre>
 *   java -cp ... io.corc.bench.Ec2OrchestrationBench [--cycles 50] [--warmup 20] [--latency 0,20,50]
 *        [--state file|memory] [--work DIR] [--results FILE] [--figure-latency 100] [--parallel 10]
 * </pre>
 */
public final class Ec2OrchestrationBench {
    private Ec2OrchestrationBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int cycles = Integer.parseInt(options.getOrDefault("cycles", "50"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "20"));
        List<Integer> latencies = Arrays.stream(
                        options.getOrDefault("latency", "0,20,50").split(","))
                .map(String::strip)
                .map(Integer::parseInt)
                .toList();
        Path work = Path.of(options.getOrDefault("work", "/tmp/corc-bench-ec2"));
        boolean fileState = !options.getOrDefault("state", "file").equals("memory");
        Files.createDirectories(work);

        List<String> rows = new ArrayList<>();
        for (int latency : latencies) {
            rows.add(run(work.resolve("latency-" + latency), latency, cycles, warmup, fileState));
        }
        StringBuilder report = new StringBuilder();
        report.append("\n## ")
                .append(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                        .format(Instant.now().atOffset(ZoneOffset.UTC)))
                .append("\n\n")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores; ")
                .append(System.getProperty("java.vm.name"))
                .append(' ')
                .append(System.getProperty("java.version"))
                .append("; JVM flags: ")
                .append(ManagementFactory.getRuntimeMXBean().getInputArguments())
                .append("; ")
                .append(cycles)
                .append(" cycles after ")
                .append(warmup)
                .append(" warm-up cycles per latency; state: ")
                .append(fileState ? "FileStateStore (the CLI's)" : "in memory")
                .append("; FakeEc2 (WireMock) in this JVM.\n\n")
                .append("| latency ms/call | EC2 calls/cycle | start ms (median) | stop ms (median) | cycle ms (mean) |"
                        + " overhead ms/cycle (mean) |\n")
                .append("|---|---|---|---|---|---|\n");
        rows.forEach(row -> report.append(row).append('\n'));
        int figureLatency = Integer.parseInt(options.getOrDefault("figure-latency", "100"));
        if (figureLatency > 0) {
            int parallel = Integer.parseInt(options.getOrDefault("parallel", "10"));
            report.append("\nThe issue's figure, ")
                    .append(figureLatency)
                    .append(" ms on every EC2 answer (all of a start's calls are sequential: each needs the previous"
                            + " answer):\n")
                    .append(issueFigure(
                            work.resolve("figure"), figureLatency, 5, parallel, Math.min(warmup, 10), fileState));
        }
        System.out.print(report);
        if (options.containsKey("results")) {
            Files.writeString(
                    Path.of(options.get("results")),
                    report,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
    }

    private static String run(Path home, int latency, int cycles, int warmup, boolean fileState) throws IOException {
        FakeEc2 ec2 = new FakeEc2().standardCatalogue();
        try {
            Orchestrator orchestrator = orchestrator(ec2, home, fileState);
            for (int i = 0; i < warmup; i++) {
                cycle(orchestrator, SPEC, new long[2]);
            }
            ec2.forgetRequests();
            ec2.latency(latency);
            long[] starts = new long[cycles];
            long[] stops = new long[cycles];
            long begin = System.nanoTime();
            for (int i = 0; i < cycles; i++) {
                long[] times = new long[2];
                cycle(orchestrator, SPEC, times);
                starts[i] = times[0];
                stops[i] = times[1];
            }
            double wallMs = (System.nanoTime() - begin) / 1e6;
            double calls = ec2.requestCount() / (double) cycles;
            double cycleMs = wallMs / cycles;
            return String.format(
                    "| %d | %.1f | %.1f | %.1f | %.1f | %.1f |",
                    latency, calls, median(starts) / 1e6, median(stops) / 1e6, cycleMs, cycleMs - calls * latency);
        } finally {
            ec2.shutdown();
        }
    }

    /**
     * The issue's figure: with {@code latency} ms on every answer, one {@code start} against its EC2 calls x the
     * latency (all of a start's calls are sequential: each needs the previous answer), and {@code parallel} starts
     * at once against one. Returns the report section.
     */
    private static String issueFigure(Path home, int latency, int starts, int parallel, int warmup, boolean fileState)
            throws Exception {
        FakeEc2 ec2 = new FakeEc2().standardCatalogue();
        try {
            Orchestrator orchestrator = orchestrator(ec2, home, fileState);
            for (int i = 0; i < warmup; i++) {
                cycle(orchestrator, SPEC, new long[2]);
            }
            ec2.latency(latency);
            long[] startTimes = new long[starts];
            int calls = 0;
            for (int i = 0; i < starts; i++) {
                ec2.forgetRequests();
                long t0 = System.nanoTime();
                Resource resource = orchestrator.start(SPEC, ProgressListener.NONE);
                startTimes[i] = System.nanoTime() - t0;
                calls = ec2.requestCount();
                orchestrator.stop(resource.id(), ProgressListener.NONE);
            }
            double oneMs = median(startTimes) / 1e6;
            ExecutorService pool = Executors.newFixedThreadPool(parallel);
            try {
                List<Callable<Resource>> tasks = new ArrayList<>();
                for (int i = 0; i < parallel; i++) {
                    tasks.add(() -> orchestrator.start(SPEC, ProgressListener.NONE));
                }
                long t0 = System.nanoTime();
                List<Future<Resource>> started = pool.invokeAll(tasks);
                double allMs = (System.nanoTime() - t0) / 1e6;
                for (Future<Resource> resource : started) {
                    orchestrator.stop(resource.get().id(), ProgressListener.NONE);
                }
                return String.format(
                        "%n| EC2 calls per start | calls x latency ms | start ms (median of %d) | ratio | %d starts at"
                                + " once ms | vs one start |%n|---|---|---|---|---|---|%n"
                                + "| %d | %d | %.0f | %.2f | %.0f | %.2f |%n",
                        starts,
                        parallel,
                        calls,
                        calls * latency,
                        oneMs,
                        oneMs / (calls * latency),
                        allMs,
                        allMs / oneMs);
            } finally {
                pool.shutdownNow();
            }
        } finally {
            ec2.shutdown();
        }
    }

    /** The provider as the CLI builds it: its factory, an AWS profile file, the state store of a corc home. */
    private static Orchestrator orchestrator(FakeEc2 ec2, Path home, boolean fileState) throws IOException {
        Files.createDirectories(home);
        Path credentials = Files.writeString(
                home.resolve("aws-credentials"),
                "[default]\naws_access_key_id = AKIDBENCH\naws_secret_access_key = bench\n");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(
                "profile",
                Map.of(
                        "region",
                        "us-east-1",
                        "credentials_file",
                        credentials.toString(),
                        "config_file",
                        home.resolve("none").toString()));
        config.put("endpoint", ec2.url());
        config.put("ssh_cidr", "198.51.100.7/32");
        config.put("ssh_wait_seconds", 0);
        config.put("poll_interval_ms", 1);
        RecordStore records =
                fileState ? FileStateStore.open(home.resolve("state")) : new io.corc.api.InMemoryRecordStore();
        return new Ec2OrchestratorFactory()
                .create(
                        ResourceKind.INSTANCE,
                        new PluginContext("ec2", new PluginConfig("corc.providers.ec2", config), home, records));
    }

    private static final ResourceSpec SPEC = new ResourceSpec(
            "bench",
            ResourceKind.INSTANCE,
            2,
            4,
            null,
            null,
            null,
            null,
            null,
            false,
            null,
            null,
            List.of("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchKey bench@corc"),
            null);

    private static void cycle(Orchestrator orchestrator, ResourceSpec spec, long[] times) {
        long t0 = System.nanoTime();
        Resource resource = orchestrator.start(spec, ProgressListener.NONE);
        long t1 = System.nanoTime();
        orchestrator.stop(resource.id(), ProgressListener.NONE);
        times[0] = t1 - t0;
        times[1] = System.nanoTime() - t1;
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
