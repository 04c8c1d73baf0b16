package io.corc.bench;

import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The fabric8 mock Kubernetes API server in CRUD mode (what {@code @EnableKubernetesMockClient(crud = true)} starts),
 * as a process of its own so that the benchmark's client CPU is the client's alone.
 *
 * <pre>
 *   java -cp ... io.corc.bench.MockApiServer [--http]
 * </pre>
 *
 * Prints {@code URL <url>} on its first line, then answers commands read from standard input, one a line:
 * {@code stats} prints one JSON line (requests by method and resource, time spent in the dispatcher, this
 * process's CPU time), {@code reset} zeroes the request statistics, {@code quit} or end of input stops the server.
 */
public final class MockApiServer {
    /** Held, so the level stays: the mock logs every request at INFO, which costs the server more than the work. */
    private static final java.util.logging.Logger MOCK_LOG =
            java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    private MockApiServer() {}

    public static void main(String[] args) throws Exception {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        boolean https = !java.util.Arrays.asList(args).contains("--http");
        TimedDispatcher dispatcher = new TimedDispatcher();
        KubernetesMockServer server = new KubernetesMockServer(
                new Context(Serialization.jsonMapper()), new MockWebServer(), new HashMap<>(), dispatcher, https);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        String url = server.url("/");
        System.out.println("URL " + url.substring(0, url.length() - 1));
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                switch (line.strip()) {
                    case "stats" -> System.out.println(dispatcher.json());
                    case "reset" -> {
                        dispatcher.resetStats();
                        System.out.println("{}");
                    }
                    case "quit" -> {
                        server.destroy();
                        return;
                    }
                    default -> System.out.println("{\"error\":\"unknown command\"}");
                }
                System.out.flush();
            }
        } finally {
            server.destroy();
        }
    }

    /** Counts and times every request by method and resource, e.g. {@code POST secrets}. */
    private static final class TimedDispatcher extends KubernetesMixedDispatcher {
        private final Map<String, LongAdder[]> stats = new ConcurrentHashMap<>();

        TimedDispatcher() {
            super(new HashMap<>());
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            long start = System.nanoTime();
            try {
                return super.dispatch(request);
            } finally {
                long nanos = System.nanoTime() - start;
                LongAdder[] counters =
                        stats.computeIfAbsent(request.getMethod() + " " + resource(request.getPath()), k ->
                                new LongAdder[] {new LongAdder(), new LongAdder()});
                counters[0].increment();
                counters[1].add(nanos);
            }
        }

        /** {@code /api/v1/namespaces/ns/secrets/name?x} is {@code secrets}; {@code /apis/batch/v1/...} {@code jobs}. */
        private static String resource(String path) {
            String p = path == null ? "" : path;
            int query = p.indexOf('?');
            if (query >= 0) {
                p = p.substring(0, query);
            }
            String[] parts = p.split("/");
            for (int i = 0; i < parts.length - 1; i++) {
                if (parts[i].equals("namespaces") && i + 2 < parts.length) {
                    return parts[i + 2];
                }
            }
            return parts.length == 0 ? "/" : parts[parts.length - 1];
        }

        void resetStats() {
            stats.clear();
        }

        String json() {
            long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
            StringBuilder json =
                    new StringBuilder("{\"process_cpu_ns\":").append(cpu).append(",\"requests\":{");
            boolean first = true;
            for (Map.Entry<String, LongAdder[]> e : new TreeMap<>(stats).entrySet()) {
                json.append(first ? "" : ",")
                        .append('"')
                        .append(e.getKey())
                        .append("\":{\"count\":")
                        .append(e.getValue()[0].sum())
                        .append(",\"dispatch_ns\":")
                        .append(e.getValue()[1].sum())
                        .append('}');
                first = false;
            }
            return json.append("}}").toString();
        }
    }
}
