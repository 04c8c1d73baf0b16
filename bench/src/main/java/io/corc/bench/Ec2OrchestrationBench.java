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

/**
 * Orchestration overhead of the {@code ec2} provider: start + stop cycles, the provider built as the CLI builds it
 * (its factory, an AWS profile file, the {@link FileStateStore} of a corc home), against {@link FakeEc2} answering
 * every call after an injected latency. Overhead per cycle = wall time - EC2 calls x latency: what corc itself adds
 * (selection, state records, SDK marshalling, signing, XML parsing, the fake's own time on the same cores).
 *
 * <pre>
 *   java -cp ... io.corc.bench.Ec2OrchestrationBench [--cycles 50] [--warmup 20] [--latency 0,20,50]
 *        [--state file|memory] [--work DIR] [--results FILE]
 * </pre>
 */
public final class Ec2OrchestrationBench {
    private Ec2OrchestrationBench() {}

    public static void main(String[] args) throws IOException {
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
            Orchestrator orchestrator = new Ec2OrchestratorFactory()
                    .create(
                            ResourceKind.INSTANCE,
                            new PluginContext("ec2", new PluginConfig("corc.providers.ec2", config), home, records));
            ResourceSpec spec = new ResourceSpec(
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
            for (int i = 0; i < warmup; i++) {
                cycle(orchestrator, spec, new long[2]);
            }
            ec2.forgetRequests();
            ec2.latency(latency);
            long[] starts = new long[cycles];
            long[] stops = new long[cycles];
            long begin = System.nanoTime();
            for (int i = 0; i < cycles; i++) {
                long[] times = new long[2];
                cycle(orchestrator, spec, times);
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
