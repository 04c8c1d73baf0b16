package io.corc.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.corc.api.JobSpec;
import io.corc.api.PluginConfig;
import io.corc.api.PluginContext;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.ResourceRequest;
import io.corc.api.Scheduler;
import io.corc.api.Staging;
import io.corc.api.StateRecord;
import io.corc.core.CorcHome;
import io.corc.core.state.FileStateStore;
import io.corc.scheduler.kubernetes.KubernetesSchedulerFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Kubernetes job submission overhead: the {@code kubernetes} scheduler, built as the CLI builds it (the factory, a
 * kubeconfig file, the {@link FileStateStore} of a corc home), submitting against the fabric8 mock API server in CRUD
 * mode, which runs in a child JVM ({@link MockApiServer}) so the client CPU measured here is the client's alone.
 *
 * <pre>
 *   java -cp ... io.corc.bench.K8sSubmitBench [--jobs 1000] [--tasks 1000] [--warmup 100] [--threads 4]
 *        [--repeat-b 20] [--work DIR] [--json FILE] [--http]
 * </pre>
 *
 * Scenarios, each against a fresh server (the mock's store is scanned on every write, so a full one slows it down)
 * after {@code --warmup} uncounted submissions: A) {@code --jobs} single-task jobs one after another, as a user's
 * loop or an embedder does; A-par) the same from {@code --threads} threads (0 skips it); B) one job of
 * {@code --tasks} tasks, {@code --repeat-b} times. Each submit is timed; the client's process CPU time is read before
 * and after; the state store's calls are timed by a wrapper; the server reports its dispatch time and CPU.
 */
public final class K8sSubmitBench {
    private static final PrintStream OUT = System.err;
    private static final String NAMESPACE = "bench";

    private final Path home;
    private final Path work;
    private final TimedRecords records;
    private final boolean https;
    private final Map<String, String> credentials =
            Map.of("aws_access_key_id", "AKIABENCHBENCHBENCH1", "aws_secret_access_key", "x".repeat(40));
    private final AtomicInteger serial = new AtomicInteger();

    private K8sSubmitBench(Path work, boolean https) {
        this.work = work;
        this.home = CorcHome.ensure(work.resolve("home"));
        this.records = new TimedRecords(FileStateStore.open(CorcHome.stateDir(home)));
        this.https = https;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        int jobs = Integer.parseInt(options.getOrDefault("jobs", "1000"));
        int tasks = Integer.parseInt(options.getOrDefault("tasks", "1000"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "100"));
        int threads = Integer.parseInt(options.getOrDefault("threads", "4"));
        int repeatB = Integer.parseInt(options.getOrDefault("repeat-b", "20"));
        Path work = Path.of(options.getOrDefault("work", "/tmp/corc-bench-k8s"));
        deleteTree(work);
        Files.createDirectories(work);
        K8sSubmitBench bench = new K8sSubmitBench(work, !options.containsKey("http"));

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("jobs", jobs);
        result.put("tasks", tasks);
        result.put("warmup", warmup);
        result.put("threads", threads);
        result.put("tls", bench.https);
        result.put("client_jvm", ManagementFactory.getRuntimeMXBean().getInputArguments());
        result.put("client_cores", Runtime.getRuntime().availableProcessors());
        Map<String, Object> scenarios = new LinkedHashMap<>();
        scenarios.put("A", bench.run("A", "1,000 single-task jobs, sequential", warmup, jobs, 1, 1));
        if (threads > 1) {
            scenarios.put(
                    "A-par",
                    bench.run("A-par", "single-task jobs from " + threads + " threads", warmup, jobs, 1, threads));
        }
        scenarios.put("B", bench.run("B", "1 job of " + tasks + " tasks", warmup, repeatB, tasks, 1));
        result.put("scenarios", scenarios);

        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        String json = mapper.writeValueAsString(result);
        if (options.containsKey("json")) {
            Files.writeString(Path.of(options.get("json")), json + "\n");
        } else {
            System.out.println(json);
        }
    }

    /** One scenario against a fresh server: warm-up, then {@code count} timed submissions from {@code threads}. */
    private Map<String, Object> run(String label, String title, int warmup, int count, int tasks, int threads)
            throws Exception {
        OUT.printf("bench: scenario %s (%s): starting the mock API server%n", label, title);
        try (ServerProcess server = ServerProcess.start(https)) {
            Path kubeconfig = writeKubeconfig(server.url, label);
            Scheduler scheduler = new KubernetesSchedulerFactory()
                    .create(new PluginContext(
                            "kubernetes",
                            new PluginConfig(
                                    "corc.schedulers.kubernetes",
                                    Map.of("kubeconfig", kubeconfig.toString(), "namespace", NAMESPACE)),
                            home,
                            records));
            for (int i = 0; i < warmup; i++) {
                scheduler.submit(spec(label + "w", 1), credentials, ProgressListener.NONE);
            }
            if (tasks > 1) {
                scheduler.submit(spec(label + "w", tasks), credentials, ProgressListener.NONE);
            }
            System.gc();
            server.command("reset");
            records.reset();
            JobSpec[] specs = new JobSpec[count];
            for (int i = 0; i < count; i++) {
                specs[i] = spec(label.replace("-", ""), tasks);
            }
            long[] nanos = new long[count];
            long gcCount0 = gcCount();
            long gcTime0 = gcMillis();
            Map<Long, long[]> threads0 = ThreadCpu.snapshot();
            long cpu0 = processCpuNanos();
            long start = System.nanoTime();
            if (threads == 1) {
                for (int i = 0; i < count; i++) {
                    long t0 = System.nanoTime();
                    scheduler.submit(specs[i], credentials, ProgressListener.NONE);
                    nanos[i] = System.nanoTime() - t0;
                }
            } else {
                AtomicInteger next = new AtomicInteger();
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                try {
                    List<Future<?>> done = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        done.add(pool.submit(() -> {
                            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                                long t0 = System.nanoTime();
                                scheduler.submit(specs[i], credentials, ProgressListener.NONE);
                                nanos[i] = System.nanoTime() - t0;
                            }
                            return null;
                        }));
                    }
                    for (Future<?> f : done) {
                        f.get();
                    }
                } finally {
                    pool.shutdown();
                    pool.awaitTermination(1, TimeUnit.MINUTES);
                }
            }
            long wall = System.nanoTime() - start;
            long cpu = processCpuNanos() - cpu0;
            Map<String, Object> byThread = ThreadCpu.since(threads0, cpu, count);
            long gcCount = gcCount() - gcCount0;
            long gcTime = gcMillis() - gcTime0;
            JsonNode serverStats = new ObjectMapper().readTree(server.command("stats"));
            long serverCpu = serverStats.get("process_cpu_ns").asLong() - server.cpuAtReset;

            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("title", title);
            r.put("submissions", count);
            r.put("tasks_per_job", tasks);
            r.put("threads", threads);
            r.put("wall_s", round(wall / 1e9, 3));
            r.put("jobs_per_s", round(count / (wall / 1e9), 1));
            r.put("tasks_per_s", round((double) count * tasks / (wall / 1e9), 1));
            r.put("wall_ms_per_job", round(wall / 1e6 / count, 3));
            r.put("latency_ms_mean", round(Arrays.stream(nanos).average().orElse(0) / 1e6, 3));
            r.put("latency_ms_p50", round(percentile(sorted, 50) / 1e6, 3));
            r.put("latency_ms_p95", round(percentile(sorted, 95) / 1e6, 3));
            r.put("latency_ms_p99", round(percentile(sorted, 99) / 1e6, 3));
            r.put("latency_ms_max", round(sorted[sorted.length - 1] / 1e6, 3));
            r.put("client_cpu_s", round(cpu / 1e9, 3));
            r.put("client_cpu_ms_per_job", round(cpu / 1e6 / count, 3));
            r.put("client_cpu_utilisation", round((double) cpu / wall, 2));
            r.put("client_cpu_ms_per_job_by_thread", byThread);
            r.put("client_gc", Map.of("collections", gcCount, "ms", gcTime));
            r.put("state_store", records.summary(count));
            r.put("server_cpu_ms_per_job", round(serverCpu / 1e6 / count, 3));
            r.put("server_requests", serverRequests(serverStats.get("requests"), count));
            OUT.printf(
                    "bench: %s: %d submissions in %.2f s: %.1f jobs/s, %.2f ms/job (p50 %.2f, p95 %.2f, p99 %.2f),"
                            + " client CPU %.2f ms/job, state store %.2f ms/job, server CPU %.2f ms/job%n",
                    label,
                    count,
                    wall / 1e9,
                    count / (wall / 1e9),
                    wall / 1e6 / count,
                    percentile(sorted, 50) / 1e6,
                    percentile(sorted, 95) / 1e6,
                    percentile(sorted, 99) / 1e6,
                    cpu / 1e6 / count,
                    records.totalNanos() / 1e6 / count,
                    serverCpu / 1e6 / count);
            OUT.printf("bench: %s: client CPU ms/job by thread: %s%n", label, byThread);
            return r;
        }
    }

    private static Map<String, Object> serverRequests(JsonNode requests, int jobs) {
        Map<String, Object> out = new LinkedHashMap<>();
        requests.fields()
                .forEachRemaining(e -> out.put(
                        e.getKey(),
                        Map.of(
                                "count",
                                e.getValue().get("count").asLong(),
                                "dispatch_ms_per_job",
                                round(e.getValue().get("dispatch_ns").asLong() / 1e6 / jobs, 3))));
        return out;
    }

    /** A job as {@code corc job run --scheduler kubernetes --storage-s3 ...} hands it to the scheduler. */
    private JobSpec spec(String prefix, int tasks) {
        String id = "job-20261122-120000-" + prefix.toLowerCase(java.util.Locale.ROOT)
                + String.format("%05d", serial.incrementAndGet());
        Map<String, String> options = new LinkedHashMap<>();
        options.put(Staging.STORAGE_NAME_OPTION, "s3");
        options.put(Staging.STORAGE_CONFIG_OPTION_PREFIX + "endpoint", "https://s3.example.org");
        options.put(Staging.STORAGE_CONFIG_OPTION_PREFIX + "bucket_name", "corc-bench");
        options.put(Staging.STORAGE_CONFIG_OPTION_PREFIX + "region", "us-east-1");
        options.put(Staging.HOME_OPTION, home.toString());
        return new JobSpec(
                id,
                "bench",
                List.of("python3", "simulate.py", "--seed", "$CORC_TASK_INDEX"),
                "python:3.12-slim",
                Map.of("OMP_NUM_THREADS", "1"),
                null,
                tasks,
                Math.min(tasks, 100),
                new ResourceRequest(1, 0.5, null),
                null,
                false,
                new Staging("s3", "corc-bench", id, null, null),
                options);
    }

    private Path writeKubeconfig(String url, String label) throws IOException {
        Path file = work.resolve("kubeconfig-" + label);
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster:
                    server: %s
                    insecure-skip-tls-verify: true
                users:
                - name: bench
                  user:
                    token: bench-token
                contexts:
                - name: mock
                  context:
                    cluster: mock
                    user: bench
                    namespace: %s
                current-context: mock
                """.formatted(url, NAMESPACE));
        return file;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount)
                .sum();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime)
                .sum();
    }

    private static long percentile(long[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String key = args[i].substring(2);
            if (key.equals("http")) {
                options.put(key, "true");
            } else if (i + 1 < args.length) {
                options.put(key, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + key + " needs a value");
            }
        }
        return options;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * CPU time of this process's threads from {@code /proc/self/task} (Linux; empty elsewhere), grouped by thread
     * name with digits dropped. Threads that ended in between count under {@code (ended threads)}: their time is the
     * process's minus that of the threads still alive.
     */
    private static final class ThreadCpu {
        private static final Path TASKS = Path.of("/proc/self/task");
        private static final long TICK_NANOS = 10_000_000L; // USER_HZ is 100 on Linux

        /** Thread id to {name hash, cpu ticks}; names kept separately. */
        private static final Map<Long, String> NAMES = new java.util.concurrent.ConcurrentHashMap<>();

        static Map<Long, long[]> snapshot() {
            Map<Long, long[]> ticks = new LinkedHashMap<>();
            if (!Files.isDirectory(TASKS)) {
                return ticks;
            }
            try (Stream<Path> tasks = Files.list(TASKS)) {
                for (Path task : tasks.toList()) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        int open = stat.indexOf('(');
                        int close = stat.lastIndexOf(')');
                        String[] fields = stat.substring(close + 2).split(" ");
                        long tid = Long.parseLong(task.getFileName().toString());
                        NAMES.put(tid, stat.substring(open + 1, close).replaceAll("[0-9]+", "N"));
                        ticks.put(tid, new long[] {Long.parseLong(fields[11]) + Long.parseLong(fields[12])});
                    } catch (IOException | RuntimeException e) {
                        // the thread ended while listing
                    }
                }
            } catch (IOException e) {
                return ticks;
            }
            return ticks;
        }

        static Map<String, Object> since(Map<Long, long[]> before, long processNanos, int jobs) {
            Map<Long, long[]> after = snapshot();
            Map<String, Long> byName = new java.util.TreeMap<>();
            long alive = 0;
            for (Map.Entry<Long, long[]> e : after.entrySet()) {
                long[] old = before.get(e.getKey());
                long nanos = (e.getValue()[0] - (old == null ? 0 : old[0])) * TICK_NANOS;
                alive += nanos;
                byName.merge(NAMES.get(e.getKey()), nanos, Long::sum);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            if (after.isEmpty()) {
                return out;
            }
            byName.entrySet().stream()
                    .filter(e -> e.getValue() > 0)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> out.put(e.getKey(), round(e.getValue() / 1e6 / jobs, 3)));
            out.put("(ended threads)", round(Math.max(0, processNanos - alive) / 1e6 / jobs, 3));
            return out;
        }
    }

    /** The mock API server in a child JVM with this JVM's class path. */
    private static final class ServerProcess implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final Writer in;
        final String url;
        long cpuAtReset;

        private ServerProcess(Process process) throws IOException {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            String first = out.readLine();
            if (first == null || !first.startsWith("URL ")) {
                process.destroyForcibly();
                throw new IOException("the mock API server did not start: " + first);
            }
            this.url = first.substring(4);
        }

        static ServerProcess start(boolean https) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    MockApiServer.class.getName()));
            if (!https) {
                command.add("--http");
            }
            Process process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            return new ServerProcess(process);
        }

        String command(String command) throws IOException {
            in.write(command + "\n");
            in.flush();
            String line = out.readLine();
            if (line == null) {
                throw new IOException("the mock API server exited");
            }
            if (command.equals("reset")) {
                cpuAtReset = new ObjectMapper()
                        .readTree(command("stats"))
                        .get("process_cpu_ns")
                        .asLong();
            }
            return line;
        }

        @Override
        public void close() throws Exception {
            try {
                in.write("quit\n");
                in.flush();
            } catch (IOException e) {
                // already gone
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** The state store, with the time of each call kept. */
    private static final class TimedRecords implements RecordStore {
        private final RecordStore store;
        private final Map<String, AtomicLong[]> calls = new java.util.concurrent.ConcurrentHashMap<>();

        TimedRecords(RecordStore store) {
            this.store = store;
        }

        void reset() {
            calls.clear();
        }

        long totalNanos() {
            return calls.values().stream().mapToLong(c -> c[1].get()).sum();
        }

        Map<String, Object> summary(int jobs) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ms_per_job", round(totalNanos() / 1e6 / jobs, 3));
            calls.forEach((name, c) ->
                    out.put(name, Map.of("count", c[0].get(), "ms_per_job", round(c[1].get() / 1e6 / jobs, 3))));
            return out;
        }

        private void time(String name, long start) {
            AtomicLong[] c = calls.computeIfAbsent(name, k -> new AtomicLong[] {new AtomicLong(), new AtomicLong()});
            c[0].incrementAndGet();
            c[1].addAndGet(System.nanoTime() - start);
        }

        @Override
        public void put(StateRecord record) {
            long t0 = System.nanoTime();
            store.put(record);
            time("put", t0);
        }

        @Override
        public Optional<StateRecord> get(String type, String id) {
            long t0 = System.nanoTime();
            Optional<StateRecord> r = store.get(type, id);
            time("get", t0);
            return r;
        }

        @Override
        public List<StateRecord> list(String type) {
            long t0 = System.nanoTime();
            List<StateRecord> r = store.list(type);
            time("list", t0);
            return r;
        }

        @Override
        public boolean delete(String type, String id) {
            long t0 = System.nanoTime();
            boolean r = store.delete(type, id);
            time("delete", t0);
            return r;
        }

        @Override
        public StateRecord update(String type, String id, UnaryOperator<StateRecord> change) {
            long t0 = System.nanoTime();
            StateRecord r = store.update(type, id, change);
            time("update", t0);
            return r;
        }
    }
}
