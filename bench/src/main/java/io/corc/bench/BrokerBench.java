package io.corc.bench;

import io.corc.broker.BrokerConfig;
import io.corc.broker.BrokerIdentity;
import io.corc.broker.BrokerService;
import io.corc.broker.GridBroker;
import io.corc.broker.Lease;
import io.corc.broker.LeaseRequest;
import io.corc.broker.TrustStore;
import io.corc.core.Corc;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The broker measurement, all brokers in this JVM (real GridBrokers: JGroups over TCP on 127.0.0.1 with the
 * default AUTH + ASYM_ENCRYPT stack, signed messages, each broker with its own corc home and local provider). For
 * each grid size: request-to-grant latency (p50/p99) of leases that only a peer can serve (broker 0 shares nothing,
 * the others share 1-core local sandboxes), the messages one request costs (from the brokers' metrics), and the
 * time for a partition to heal (a quarter of the brokers cut off with JGroups DISCARD until the views split, then
 * let back; until every broker again sees all members).
 *
 * <pre>
 *   java -cp ... io.corc.bench.BrokerBench [--sizes 3,10,30] [--requests 200] [--warmup 20] [--work DIR]
 *        [--results FILE.md] [--json FILE.json]
 * </pre>
 */
public final class BrokerBench {
    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)(\\{[^}]*\\})? ([0-9.eE+-]+)$");

    /** The transport protection asked for with --encryption, or null for the configuration's default. */
    private static BrokerConfig.TransportSecurity encryption;

    private static Duration failureTimeout = Duration.ofSeconds(6);

    private BrokerBench() {}

    public static void main(String[] args) {
        try {
            bench(args);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1); // JGroups' threads of a grid that failed half-way must not keep the JVM alive
        }
        System.exit(0);
    }

    private static void bench(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int[] sizes = Arrays.stream(options.getOrDefault("sizes", "3,10,30").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        int requests = Integer.parseInt(options.getOrDefault("requests", "200"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "20"));
        failureTimeout = Duration.ofSeconds(Long.parseLong(options.getOrDefault("failure-timeout", "6")));
        encryption = options.containsKey("encryption")
                ? BrokerConfig.TransportSecurity.valueOf(
                        options.get("encryption").toUpperCase(Locale.ROOT))
                : null;
        Path work = Path.of(options.getOrDefault("work", "/tmp/corc-bench-broker"));
        Files.createDirectories(work);
        double loadBefore = load();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int size : sizes) {
            Map<String, Object> row = run(size, requests, warmup, Files.createTempDirectory(work, "grid" + size));
            rows.add(row);
            System.out.println(row);
        }
        double loadAfter = load();
        report(options, rows, requests, warmup, loadBefore, loadAfter);
    }

    private static Map<String, Object> run(int size, int requests, int warmup, Path dir) throws Exception {
        List<BrokerConfig> configs = configs(size, dir);
        List<BrokerService> brokers = new ArrayList<>();
        long startNanos = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(size, 8));
        try {
            List<Future<BrokerService>> starting = new ArrayList<>();
            for (BrokerConfig config : configs) {
                starting.add(pool.submit(
                        () -> GridBroker.start(config, corc(config.home().getParent()))));
            }
            for (Future<BrokerService> broker : starting) {
                brokers.add(broker.get());
            }
            BrokerService requester = brokers.get(0);
            await(
                    Duration.ofSeconds(120),
                    () -> brokers.stream().allMatch(b -> b.peers().size() == size)
                            && requester.offers().stream()
                                            .filter(o -> !o.classes().isEmpty())
                                            .count()
                                    == size - 1,
                    () -> "members "
                            + brokers.stream()
                                    .map(b -> b.status().members().size())
                                    .toList() + ", offers at the requester "
                            + requester.offers().size());
            double joinSeconds = (System.nanoTime() - startNanos) / 1e9;

            LeaseRequest request = new LeaseRequest(
                    1, 0, 0, null, Duration.ofMinutes(10), "ssh-ed25519 AAAAbench bench", "bench", Map.of());
            for (int i = 0; i < warmup; i++) {
                requester.release(requester.request(request).id());
            }
            Map<String, Double> before = metrics(requester);
            double sentBefore = sentExceptOffers(brokers);
            long[] latencies = new long[requests];
            long[] grants = new long[requests];
            for (int i = 0; i < requests; i++) {
                long t = System.nanoTime();
                long[] granted = {0};
                Lease lease = requester.request(request, (step, done, total) -> {
                    if (step.equals(BrokerService.GRANTED_STEP)) {
                        granted[0] = System.nanoTime();
                    }
                });
                latencies[i] = System.nanoTime() - t;
                grants[i] = granted[0] - t;
                requester.release(lease.id());
            }
            Map<String, Double> after = metrics(requester);
            double sentAfter = sentExceptOffers(brokers);
            Arrays.sort(latencies);
            Arrays.sort(grants);

            // The same requests served by an owner for its own users: the orchestration (local provider) alone.
            long[] local = new long[requests];
            BrokerService owner = brokers.get(1);
            for (int i = 0; i < requests; i++) {
                long t = System.nanoTime();
                Lease lease = owner.request(request);
                local[i] = System.nanoTime() - t;
                owner.release(lease.id());
            }
            Arrays.sort(local);

            Map<String, Object> row = new LinkedHashMap<>();
            row.put("brokers", size);
            row.put("requests", requests);
            row.put("grant_p50_ms", millis(percentile(grants, 0.50)));
            row.put("grant_p99_ms", millis(percentile(grants, 0.99)));
            row.put("p50_ms", millis(percentile(latencies, 0.50)));
            row.put("p99_ms", millis(percentile(latencies, 0.99)));
            row.put("max_ms", millis(latencies[latencies.length - 1]));
            row.put("local_p50_ms", millis(percentile(local, 0.50)));
            row.put("local_p99_ms", millis(percentile(local, 0.99)));
            double requestDelta = delta(before, after, "corc_broker_requests_total");
            row.put(
                    "messages_per_request",
                    round(delta(before, after, "corc_broker_request_messages_total") / requestDelta));
            row.put("unicasts_sent_per_request_all_brokers", round((sentAfter - sentBefore) / requests));
            row.put("join_seconds", round(joinSeconds));
            System.out.println("measured " + row + "; partitioning");
            try {
                row.put("partition_heal_seconds", PartitionProbe.heal(brokers));
            } catch (IllegalStateException e) {
                row.put("partition_heal_seconds", "\"" + e.getMessage() + "\"");
            }
            return row;
        } finally {
            pool.shutdownNow();
            brokers.parallelStream().forEach(BrokerService::close);
        }
    }

    private static List<BrokerConfig> configs(int size, Path dir) throws IOException {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            ports.add(freePort());
        }
        List<String> hosts = ports.stream().map(p -> "127.0.0.1[" + p + "]").toList();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Path home = dir.resolve("org-" + i).resolve("broker");
            keys.add(BrokerIdentity.generate(home.resolve("identity.key"), "org-" + i)
                    .publicKeyText());
        }
        List<BrokerConfig> configs = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Path home = dir.resolve("org-" + i).resolve("broker");
            TrustStore trust = TrustStore.load(home.resolve("trust.json"));
            for (int j = 0; j < size; j++) {
                if (j != i) {
                    trust.add(keys.get(j));
                }
            }
            BrokerConfig.Builder config = BrokerConfig.builder("org-" + i, "bench", home)
                    .port(ports.get(i))
                    .initialHosts(hosts)
                    .failureTimeout(failureTimeout)
                    .mergeInterval(Duration.ofSeconds(2))
                    .encryption(encryption);
            if (i > 0) {
                config.share(BrokerConfig.SharedClass.of("sandbox", "local", 1, 100_000, Duration.ofHours(1)));
            }
            configs.add(config.build());
        }
        return configs;
    }

    private static Corc corc(Path corcHome) {
        return Corc.builder()
                .home(corcHome)
                .environment(Map.of("CORC_HOME", corcHome.toString()))
                .build();
    }

    /** Messages all brokers sent, except offers (the periodic broadcast that does not depend on requests). */
    private static double sentExceptOffers(List<BrokerService> brokers) {
        double sum = 0;
        for (BrokerService broker : brokers) {
            for (String line : broker.metrics().split("\n")) {
                Matcher m = SAMPLE.matcher(line.strip());
                if (m.matches()
                        && m.group(1).equals("corc_broker_messages_total")
                        && m.group(2) != null
                        && m.group(2).contains("direction=\"out\"")
                        && !m.group(2).contains("type=\"offer\"")) {
                    sum += Double.parseDouble(m.group(3));
                }
            }
        }
        return sum;
    }

    /** Unlabelled samples of a broker's metrics. */
    private static Map<String, Double> metrics(BrokerService broker) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (String line : broker.metrics().split("\n")) {
            Matcher m = SAMPLE.matcher(line.strip());
            if (m.matches()) {
                values.merge(m.group(1), Double.parseDouble(m.group(3)), Double::sum);
            }
        }
        return values;
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
        return after.getOrDefault(name, 0.0) - before.getOrDefault(name, 0.0);
    }

    static void await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        await(timeout, condition, () -> "");
    }

    static void await(Duration timeout, BooleanSupplier condition, java.util.function.Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within " + timeout + ": " + state.get());
            }
            Thread.sleep(20);
        }
    }

    private static long percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static double millis(long nanos) {
        return round(nanos / 1e6);
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    private static double load() {
        return round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static int nextPort = 20_000 + new java.util.Random().nextInt(5_000) * 2;

    /**
     * A port below the kernel's ephemeral range (32768+ here), free now: the brokers' own outgoing connections take
     * ephemeral ports, so a port picked there could be taken before the broker that should bind it starts (seen at
     * 30 brokers). Every other port, so FD_SOCK2's port (bind port + 100) of one broker is not another's.
     */
    private static int freePort() throws IOException {
        while (nextPort < 32_000) {
            int port = nextPort;
            nextPort += 2;
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // next one
            }
        }
        throw new IOException("no free port below 32000");
    }

    private static void report(
            Map<String, String> options,
            List<Map<String, Object>> rows,
            int requests,
            int warmup,
            double loadBefore,
            double loadAfter)
            throws IOException {
        String when = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                .withZone(ZoneOffset.UTC)
                .format(Instant.now());
        String machine = Runtime.getRuntime().availableProcessors() + " cores; "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + "; JVM flags: "
                + ManagementFactory.getRuntimeMXBean().getInputArguments() + "; load average " + loadBefore
                + " before, " + loadAfter + " after";
        StringBuilder md = new StringBuilder("\n## " + when + "\n\n" + machine + "; all brokers in one JVM; "
                + requests + " sequential requests after " + warmup + " warm-up ones, each released at once.\n\n"
                + "| brokers | grant p50 ms | grant p99 ms | active p50 ms | active p99 ms | active max ms |"
                + " local active p50 ms | local active p99 ms |"
                + " messages/request (requester's metric) | unicasts sent per request, all brokers | join s |"
                + " partition heal s |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> row : rows) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    row.get("brokers"),
                    row.get("grant_p50_ms"),
                    row.get("grant_p99_ms"),
                    row.get("p50_ms"),
                    row.get("p99_ms"),
                    row.get("max_ms"),
                    row.get("local_p50_ms"),
                    row.get("local_p99_ms"),
                    row.get("messages_per_request"),
                    row.get("unicasts_sent_per_request_all_brokers"),
                    row.get("join_seconds"),
                    row.get("partition_heal_seconds")));
        }
        String results = options.get("results");
        if (results != null) {
            Files.writeString(
                    Path.of(results),
                    md.toString(),
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
        String json = options.get("json");
        if (json != null) {
            StringBuilder out = new StringBuilder("{\n  \"date\": \"" + when + "\",\n  \"machine\": \""
                    + machine.replace("\"", "'") + "\",\n  \"requests\": " + requests + ",\n  \"rows\": [\n");
            for (int i = 0; i < rows.size(); i++) {
                out.append("    {");
                List<String> fields = new ArrayList<>();
                rows.get(i).forEach((k, v) -> fields.add("\"" + k + "\": " + v));
                out.append(String.join(", ", fields)).append(i + 1 < rows.size() ? "},\n" : "}\n");
            }
            out.append("  ]\n}\n");
            Files.writeString(Path.of(json), out.toString(), StandardCharsets.UTF_8);
        }
        System.out.print(md);
    }
}
