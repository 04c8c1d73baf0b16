package io.corc.core.placement;

import io.corc.api.CheckResult;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Feature;
import io.corc.api.Features;
import io.corc.api.Orchestrator;
import io.corc.api.OrchestratorFactory;
import io.corc.api.Plan;
import io.corc.api.PluginContext;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.api.ResourceState;
import io.corc.api.StateRecord;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * Fake providers for placement tests, scripted per test: {@code alpha}, {@code beta} and {@code gamma}. Each
 * offers one shape at a price (per region when asked for one), and its start succeeds (a
 * {@code scripted-<name>} record is written, so started resources are visible to list, get and gc) or fails with a
 * scripted category.
 */
public final class ScriptedProviders {
    /** What one provider does. */
    public static final class Script {
        CheckResult check;
        String shape = "s1";
        int cores = 2;
        double memoryGb = 4;
        Double price = 0.1;
        String region = "r1";
        ErrorCategory planError;
        ErrorCategory startError;
        String startMessage = "scripted failure";
        java.time.Duration ttlOverride;

        public Script price(Double value) {
            price = value;
            return this;
        }

        public Script shape(String value, int valueCores, double valueMemoryGb) {
            shape = value;
            cores = valueCores;
            memoryGb = valueMemoryGb;
            return this;
        }

        public Script region(String value) {
            region = value;
            return this;
        }

        public Script failsCheck(String reason) {
            check = CheckResult.failed("x", reason);
            return this;
        }

        public Script notSetUp() {
            check = CheckResult.notConfigured("x", "no credentials");
            return this;
        }

        public Script failsPlan(ErrorCategory category) {
            planError = category;
            return this;
        }

        boolean bug;

        public Script failsWithBug() {
            bug = true;
            return this;
        }

        /** Further shapes this provider offers besides its own, each {@code shape=NAME} in the start's options. */
        final List<Plan> more = new ArrayList<>();

        public Script alsoOffers(String shapeName, int shapeCores, double shapeMemoryGb, Double shapePrice) {
            more.add(new Plan(
                    "x",
                    ResourceKind.INSTANCE,
                    null,
                    shapeName,
                    shapeCores,
                    shapeMemoryGb,
                    0,
                    shapePrice,
                    List.of(),
                    "another shape"));
            return this;
        }

        long startDelayMs;

        /** Makes each start take this long (to overlap two starts). */
        public Script slowStart(long millis) {
            startDelayMs = millis;
            return this;
        }

        /** Shapes started, in order (the {@code shape} option, or the default shape). */
        public final List<String> startedShapes = new CopyOnWriteArrayList<>();

        public Script failsStart(ErrorCategory category, String message) {
            startError = category;
            startMessage = message;
            return this;
        }
    }

    static final Map<String, Script> SCRIPTS = new ConcurrentHashMap<>();
    /** Every start and stop call, as "start alpha r1" / "plan alpha" / "stop alpha ID", in order. */
    public static final List<String> CALLS = new CopyOnWriteArrayList<>();

    private ScriptedProviders() {}

    public static Script script(String name) {
        return SCRIPTS.computeIfAbsent(name, n -> new Script());
    }

    public static void reset() {
        SCRIPTS.clear();
        CALLS.clear();
    }

    /** A class loader that adds the three scripted providers to the class path's. */
    public static URLClassLoader loader(Path dir) throws IOException {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(
                services.resolve(OrchestratorFactory.class.getName()),
                List.of(Alpha.class, Beta.class, Gamma.class).stream()
                        .map(Class::getName)
                        .collect(Collectors.joining("\n")));
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, ScriptedProviders.class.getClassLoader());
    }

    public static final class Alpha extends Base {
        public Alpha() {
            super("alpha");
        }
    }

    public static final class Beta extends Base {
        public Beta() {
            super("beta");
        }
    }

    public static final class Gamma extends Base {
        public Gamma() {
            super("gamma");
        }
    }

    abstract static class Base implements OrchestratorFactory {
        private final String name;

        Base(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String description() {
            return "scripted test provider " + name;
        }

        @Override
        public Set<ResourceKind> kinds() {
            return Set.of(ResourceKind.INSTANCE);
        }

        @Override
        public Orchestrator create(ResourceKind kind, PluginContext context) {
            return new Scripted(name, context.records());
        }
    }

    static final class Scripted implements Orchestrator {
        private final String name;
        private final RecordStore records;

        Scripted(String name, RecordStore records) {
            this.name = name;
            this.records = records;
        }

        private Script script() {
            return ScriptedProviders.script(name);
        }

        private String type() {
            return "scripted-" + name;
        }

        @Override
        public String provider() {
            return name;
        }

        @Override
        public ResourceKind kind() {
            return ResourceKind.INSTANCE;
        }

        @Override
        public Features features() {
            return Features.of(Feature.INSTANCES);
        }

        @Override
        public CheckResult check() {
            return script().check != null ? script().check : CheckResult.ok(name, "scripted");
        }

        @Override
        public Plan plan(ResourceSpec spec) {
            Script script = script();
            CALLS.add("plan " + name + " " + spec.region());
            if (script.planError != null) {
                throw new CorcException(script.planError, name + " cannot plan this");
            }
            if (spec.minCores() > script.cores) {
                throw new CorcException(
                        ErrorCategory.CAPACITY, name + " has no shape with " + spec.minCores() + " cores");
            }
            return new Plan(
                    name,
                    ResourceKind.INSTANCE,
                    spec.region() != null ? spec.region() : script.region,
                    script.shape,
                    script.cores,
                    script.memoryGb,
                    0,
                    script.price,
                    List.of("instance " + script.shape),
                    "the only shape");
        }

        @Override
        public List<io.corc.api.PlanChoice> plans(ResourceSpec spec) {
            List<io.corc.api.PlanChoice> choices = new ArrayList<>();
            choices.add(new io.corc.api.PlanChoice(plan(spec), Map.of()));
            for (Plan other : script().more) {
                if (other.cores() >= spec.minCores()) {
                    choices.add(new io.corc.api.PlanChoice(
                            new Plan(
                                    name,
                                    ResourceKind.INSTANCE,
                                    spec.region() != null ? spec.region() : script().region,
                                    other.shape(),
                                    other.cores(),
                                    other.memoryGb(),
                                    0,
                                    other.hourlyPrice(),
                                    List.of("instance " + other.shape()),
                                    other.reason()),
                            Map.of("shape", other.shape())));
                }
            }
            return choices;
        }

        @Override
        public Resource start(ResourceSpec spec, ProgressListener progress) {
            Script script = script();
            CALLS.add("start " + name + " " + spec.region());
            script.startedShapes.add(spec.options().getOrDefault("shape", script.shape));
            if (script.startDelayMs > 0) {
                try {
                    Thread.sleep(script.startDelayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (script.bug) {
                throw new IllegalStateException("a bug in " + name);
            }
            if (script.startError != null) {
                throw new CorcException(script.startError, script.startMessage);
            }
            String id = name + "-" + spec.name();
            Instant expires = spec.ttl() == null ? null : Instant.now().plus(spec.ttl());
            records.put(StateRecord.create(
                    type(),
                    id,
                    "running",
                    expires == null
                            ? Map.of("name", spec.name())
                            : Map.of("name", spec.name(), "expires_at", expires.toString())));
            return resource(records.get(type(), id).orElseThrow());
        }

        /** Lets a test move a resource's expiry into the past. */
        static void expire(RecordStore records, String provider, String id, Instant when) {
            records.update("scripted-" + provider, id, r -> r.with("expires_at", when.toString()));
        }

        private Resource resource(StateRecord record) {
            String expires = record.string("expires_at");
            return new Resource(
                    record.id(),
                    name,
                    ResourceKind.INSTANCE,
                    record.string("name"),
                    ResourceState.RUNNING,
                    List.of(),
                    List.of(),
                    record.createdAt(),
                    expires == null ? null : Instant.parse(expires),
                    Map.of("shape", script().shape));
        }

        @Override
        public Optional<Resource> get(String id) {
            return records.get(type(), id).map(this::resource);
        }

        @Override
        public List<Resource> list() {
            return new ArrayList<>(
                    records.list(type()).stream().map(this::resource).toList());
        }

        @Override
        public void stop(String id, ProgressListener progress) {
            CALLS.add("stop " + name + " " + id);
            records.delete(type(), id);
        }
    }
}
