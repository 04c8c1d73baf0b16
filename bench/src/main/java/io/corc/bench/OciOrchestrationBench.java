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
import io.corc.provider.oci.OciFixture;
import io.corc.provider.oci.OciOrchestratorFactory;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The OCI measurement: with a fixed latency on every mocked OCI call, the time of {@code instance start}
 * against (OCI calls of that start) x latency, since every call of a start waits for the one before; and the time of
 * ten starts at once against one. The provider is built as the CLI builds it (factory, OCI config file, the
 * {@link FileStateStore} of a corc home) against {@code FakeOci} (WireMock) in this JVM.
 *
 * <pre>
 *   java -cp ... io.corc.bench.OciOrchestrationBench [--starts 5] [--latency 100] [--parallel 10]
 *        [--work DIR] [--results FILE]
 * </pre>
 */
public final class OciOrchestrationBench {
    private OciOrchestrationBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int starts = Integer.parseInt(options.getOrDefault("starts", "5"));
        int latency = Integer.parseInt(options.getOrDefault("latency", "100"));
        int parallel = Integer.parseInt(options.getOrDefault("parallel", "10"));
        Path work = Path.of(options.getOrDefault("work", "/tmp/corc-bench-oci"));
        Files.createDirectories(work);

        OciFixture fixture = new OciFixture();
        try {
            Path home = Files.createTempDirectory(work, "home");
            Map<String, Object> config = new LinkedHashMap<>(fixture.config(Map.of()));
            config.put("poll_interval_ms", 1);
            RecordStore records = FileStateStore.open(home.resolve("state"));
            Orchestrator orchestrator = new OciOrchestratorFactory()
                    .create(
                            ResourceKind.INSTANCE,
                            new PluginContext("oci", new PluginConfig("corc.providers.oci", config), home, records));
            ResourceSpec spec = new ResourceSpec(
                    "bench",
                    ResourceKind.INSTANCE,
                    2,
                    8,
                    null,
                    null,
                    null,
                    null,
                    null,
                    false,
                    null,
                    null,
                    List.of(OciFixture.KEY),
                    null);
            for (int i = 0; i < 5; i++) { // warm-up without latency
                orchestrator.stop(
                        orchestrator.start(spec, ProgressListener.NONE).id(), ProgressListener.NONE);
            }
            fixture.oci.latency(latency);

            long[] startNanos = new long[starts];
            double calls = 0;
            for (int i = 0; i < starts; i++) {
                fixture.oci.forgetRequests();
                long t0 = System.nanoTime();
                Resource resource = orchestrator.start(spec, ProgressListener.NONE);
                startNanos[i] = System.nanoTime() - t0;
                calls += fixture.oci.requestCount();
                orchestrator.stop(resource.id(), ProgressListener.NONE);
            }
            calls /= starts;
            double oneMs = median(startNanos) / 1e6;
            double floorMs = calls * latency;

            ExecutorService pool = Executors.newFixedThreadPool(parallel);
            List<Future<Resource>> futures = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < parallel; i++) {
                futures.add(pool.submit(() -> orchestrator.start(spec, ProgressListener.NONE)));
            }
            List<Resource> started = new ArrayList<>();
            for (Future<Resource> future : futures) {
                started.add(future.get());
            }
            double parallelMs = (System.nanoTime() - t0) / 1e6;
            for (Resource resource : started) {
                pool.submit(() -> orchestrator.stop(resource.id(), ProgressListener.NONE));
            }
            pool.shutdown();
            pool.awaitTermination(10, java.util.concurrent.TimeUnit.MINUTES);

            String report = "\n## "
                    + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                            .format(Instant.now().atOffset(ZoneOffset.UTC))
                    + "\n\n" + Runtime.getRuntime().availableProcessors() + " cores; "
                    + System.getProperty("java.vm.name") + ' ' + System.getProperty("java.version") + "; JVM flags: "
                    + ManagementFactory.getRuntimeMXBean().getInputArguments() + "; " + latency
                    + " ms on every OCI answer; new VCN stack per start; FileStateStore; FakeOci (WireMock) in this"
                    + " JVM.\n\n"
                    + "| OCI calls per start | calls x latency ms | start ms (median of " + starts + ") | ratio |"
                    + " " + parallel + " starts at once ms | vs one start |\n|---|---|---|---|---|---|\n"
                    + String.format(
                            "| %.1f | %.0f | %.0f | %.2f | %.0f | %.2f |%n",
                            calls, floorMs, oneMs, oneMs / floorMs, parallelMs, parallelMs / oneMs);
            System.out.print(report);
            if (options.containsKey("results")) {
                Files.writeString(
                        Path.of(options.get("results")),
                        report,
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
        } finally {
            fixture.close();
        }
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
