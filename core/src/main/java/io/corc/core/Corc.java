package io.corc.core;

import static java.util.Objects.requireNonNull;

import io.corc.api.Authenticator;
import io.corc.api.CheckResult;
import io.corc.api.ConfigurerSpec;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Feature;
import io.corc.api.Job;
import io.corc.api.KeyType;
import io.corc.api.LogLine;
import io.corc.api.Orchestrator;
import io.corc.api.OrchestratorFactory;
import io.corc.api.Plan;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.api.ResourceState;
import io.corc.api.Storage;
import io.corc.api.StoredObject;
import io.corc.api.TestPause;
import io.corc.api.TransferReport;
import io.corc.core.config.ConfigLoader;
import io.corc.core.config.CorcConfig;
import io.corc.core.gc.GarbageCollector;
import io.corc.core.gc.GcItem;
import io.corc.core.gc.StartIntents;
import io.corc.core.job.JobRequest;
import io.corc.core.job.JobService;
import io.corc.core.job.StagingArea;
import io.corc.core.placement.AutoStop;
import io.corc.core.placement.Budgets;
import io.corc.core.placement.Placement;
import io.corc.core.placement.PlacementPolicy;
import io.corc.core.placement.Placer;
import io.corc.core.plugin.PluginRegistry;
import io.corc.core.state.FileStateStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The engine as a Java library: everything the CLI does, for services that embed corc (spawners, portals). One
 * instance serves many threads; plug-ins are created on first use and reused.
 *
 * <pre>{@code
 * Corc corc = Corc.builder().build();                       // ~/.corc, CORC_* environment, embedded default
 * Job job = corc.runJob(JobRequest.of(List.of("echo", "hi")), ProgressListener.NONE);
 * corc.awaitJob(job.id(), Duration.ofMinutes(5), ProgressListener.NONE);
 * corc.downloadResults(job.id(), Path.of("results"), ProgressListener.NONE);
 * }</pre>
 */
public final class Corc {
    /** The authenticator whose default key {@link #start} has authorised on instances reachable over SSH. */
    private static final String SSH_AUTHENTICATOR = "ssh";

    private final Path home;
    private final CorcConfig config;
    private final PluginRegistry registry;
    private final RecordStore records;
    private final PluginInstances plugins;
    private final JobService jobs;
    private final Budgets budgets;
    private final AutoStop autoStop;

    private Corc(
            Path home,
            CorcConfig config,
            PluginRegistry registry,
            Map<String, Object> overrides,
            Map<String, String> environment,
            Clock clock) {
        this.home = home;
        this.config = config;
        this.registry = registry;
        this.records = FileStateStore.open(CorcHome.stateDir(home));
        this.plugins = new PluginInstances(config, registry, home, records);
        StagingArea.Backends backends = new StagingArea.Backends() {
            @Override
            public io.corc.api.PluginConfig configured(String name) {
                return plugins.storageConfig(name);
            }

            @Override
            public Storage open(String name, io.corc.api.PluginConfig settings) {
                return plugins.storage(name, settings);
            }
        };
        // the overrides are the explicit settings (the CLI's flags): they win over what a job's record says
        StagingArea staging = new StagingArea(
                plugins.storageName(), plugins.storageConfig(), plugins::storage, backends, overrides, home);
        this.jobs = new JobService(config.section("corc.job"), records, plugins::scheduler, staging);
        this.budgets = new Budgets(config.section("corc.budgets"), environment, records, clock);
        this.autoStop = new AutoStop(config.section("corc.ttl"), records);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Path home() {
        return home;
    }

    public CorcConfig config() {
        return config;
    }

    public PluginRegistry plugins() {
        return registry;
    }

    public RecordStore records() {
        return records;
    }

    // ---- orchestration ------------------------------------------------------------------------------------------

    public Orchestrator orchestrator(String provider, ResourceKind kind) {
        return plugins.orchestrator(provider, kind);
    }

    public Plan plan(String provider, ResourceSpec spec) {
        return orchestrator(provider, spec.kind()).plan(spec);
    }

    /**
     * Starts a resource. At a provider with {@link Feature#SSH_ACCESS}, corc's own key ({@link
     * Authenticator#DEFAULT_KEY_NAME} of the {@code ssh} authenticator, made on first use and reused after) is
     * among the keys the provider authorises, so corc's configurers and schedulers can log in; without an {@code
     * ssh} authenticator installed, the spec's keys are passed on as they are.
     */
    public Resource start(String provider, ResourceSpec spec, ProgressListener progress) {
        Orchestrator orchestrator = orchestrator(provider, spec.kind());
        Double price = null;
        if (!budgets.caps().isEmpty()) { // the price is needed only to check a cap: plan only then
            price = orchestrator.plan(spec).hourlyPrice();
        }
        return startTracked(orchestrator, spec, price, progress);
    }

    /**
     * The steps every start takes, direct or placed: reserve the price against the budget caps (under the state
     * store's lock), record the intent ({@link StartIntents}), let the provider start, record the spend, install the
     * auto-stop and idle-stop timers, and drop the intent. A crash at any step leaves records {@code corc gc} can
     * finish from; {@link TestPause} marks the steps for the crash tests.
     */
    private Resource startTracked(
            Orchestrator orchestrator, ResourceSpec spec, Double price, ProgressListener progress) {
        String provider = orchestrator.provider();
        String reservation = budgets.reserve(provider, price, spec.ttl());
        StartIntents intents = new StartIntents(records);
        String intent;
        try {
            intent = intents.begin(provider, spec.kind().cliName(), reservation);
        } catch (RuntimeException e) {
            budgets.release(reservation);
            throw e;
        }
        TestPause.at("corc:intent");
        Resource resource;
        try {
            resource = orchestrator.start(withCorcKey(orchestrator, spec), progress);
        } catch (RuntimeException e) { // the provider rolled back what it made (the SPI's contract)
            budgets.release(reservation);
            intents.finish(intent);
            throw e;
        }
        TestPause.at("corc:returned"); // the provider's start returned; the intent does not name it yet
        intents.started(intent, resource.id());
        TestPause.at("corc:started");
        budgets.recordStart(resource, price, reservation);
        TestPause.at("corc:spend");
        installAutoStop(orchestrator, spec, resource);
        TestPause.at("corc:auto-stop");
        intents.finish(intent);
        return resource;
    }

    /**
     * With {@code --ttl} or {@code --idle-stop} at a provider with {@link Feature#SSH_ACCESS} and the {@code ssh}
     * configurer installed, puts timers on the resource that stop it (see {@link AutoStop}); best effort. The
     * idle-stop period is recorded whatever happens on the resource, so {@code corc gc} enforces it too.
     */
    private void installAutoStop(Orchestrator orchestrator, ResourceSpec spec, Resource resource) {
        Duration idle = idleStop(spec);
        if (idle != null) {
            autoStop.recordIdle(resource, idle);
        }
        if ((spec.ttl() == null && idle == null)
                || !autoStop.enabled()
                || !orchestrator.features().supports(Feature.SSH_ACCESS)
                || registry.configurers().stream().noneMatch(f -> f.name().equals("ssh"))) {
            return;
        }
        if (spec.ttl() != null) {
            autoStop.install(
                    resource, spec.ttl(), (r, configurerSpec) -> configure(r, configurerSpec, ProgressListener.NONE));
        }
        if (idle != null) {
            autoStop.installIdle(
                    resource, idle, (r, configurerSpec) -> configure(r, configurerSpec, ProgressListener.NONE));
        }
    }

    /** The spec option that carries {@code --idle-stop} (corc's, not a provider's): seconds. */
    public static final String IDLE_STOP_OPTION = "corc.idle_stop_seconds";

    private static Duration idleStop(ResourceSpec spec) {
        String value = spec.options().get(IDLE_STOP_OPTION);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.strip());
            if (seconds <= 0) {
                throw new NumberFormatException();
            }
            return Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            throw CorcException.invalidInput(
                    IDLE_STOP_OPTION + " must be a positive number of seconds, not '" + value + "'");
        }
    }

    /**
     * {@code --provider auto}: ranks the offers of every installed provider whose check passes (within {@code
     * corc.placement} and the budget) and starts them in order until one starts; a capacity, quota or
     * unsupported-shape error moves on to the next, any other error stops. See {@link Placer}.
     *
     * @throws io.corc.core.placement.PlacementException when nothing was started, with what was tried
     */
    public Placement place(ResourceSpec spec, ProgressListener progress) {
        return placer(spec)
                .place(
                        spec,
                        (orchestrator, attemptSpec, offer, listener) ->
                                startTracked(orchestrator, attemptSpec, offer.hourlyPrice(), listener),
                        progress);
    }

    /** What {@link #place} would try, in order, and what it leaves out; creates and records nothing. */
    public Placement rankPlacement(ResourceSpec spec) {
        return placer(spec).rank(spec);
    }

    private Placer placer(ResourceSpec spec) {
        List<Placer.Provider> providers = new ArrayList<>();
        for (OrchestratorFactory factory : registry.orchestrators()) {
            if (factory.kinds().contains(spec.kind())) {
                providers.add(new Placer.Provider(factory.name(), () -> orchestrator(factory.name(), spec.kind())));
            }
        }
        return new Placer(providers, PlacementPolicy.from(config.section("corc.placement")), budgets, records);
    }

    /** The budget caps that apply to this user and project, and the spend recorded so far. */
    public Budgets budgets() {
        return budgets;
    }

    private ResourceSpec withCorcKey(Orchestrator orchestrator, ResourceSpec spec) {
        if (!orchestrator.features().supports(Feature.SSH_ACCESS)) {
            return spec;
        }
        Optional<Authenticator> ssh = plugins.authenticator(SSH_AUTHENTICATOR);
        if (ssh.isEmpty()) {
            return spec;
        }
        String corcKey = ssh.get()
                .loadOrCreate(Authenticator.DEFAULT_KEY_NAME, KeyType.ED25519)
                .publicKey();
        if (spec.sshPublicKeys().stream().anyMatch(key -> sameKey(key, corcKey))) {
            return spec;
        }
        List<String> keys = new ArrayList<>(spec.sshPublicKeys());
        keys.add(corcKey);
        return spec.withSshPublicKeys(keys);
    }

    /** Whether two OpenSSH public key lines hold the same key, whatever their comments. */
    private static boolean sameKey(String a, String b) {
        String[] x = a.strip().split("\\s+");
        String[] y = b.strip().split("\\s+");
        return x.length >= 2 && y.length >= 2 && x[0].equals(y[0]) && x[1].equals(y[1]);
    }

    /**
     * Starts a resource as {@link #start(String, ResourceSpec, ProgressListener)} does, then applies {@code
     * configurer} to it once it is running. A failed configuration leaves the resource running (re-creating it
     * would cost more than fixing the playbook); the error's hint names the resource and how to retry or stop it.
     */
    public Resource start(String provider, ResourceSpec spec, ConfigurerSpec configurer, ProgressListener progress) {
        Resource resource = start(provider, spec, progress);
        if (configurer != null) {
            try {
                configure(resource, configurer, progress);
            } catch (CorcException e) {
                throw e.withHint(e.hint().map(h -> h + "; ").orElse("")
                        + resource.kind().cliName() + " "
                        + resource.id() + " is running: apply again with 'corc configurer apply " + resource.id()
                        + "', or stop it with 'corc " + provider + " orchestration "
                        + resource.kind().cliName()
                        + " stop " + resource.id() + "'");
            }
        }
        return resource;
    }

    /** Applies {@code spec}'s configurer ({@code corc.configurers.<name>} plus the spec's options) to the resource. */
    public void configure(Resource resource, ConfigurerSpec spec, ProgressListener progress) {
        plugins.configurer(spec.configurer()).apply(resource, spec, progress);
        autoStop.touch(resource.id());
    }

    /**
     * The resource with this id at any installed provider, of any kind.
     *
     * @throws CorcException NOT_FOUND when no provider knows it
     */
    public Resource findResource(String id) {
        List<String> unasked = new ArrayList<>();
        for (OrchestratorFactory factory : registry.orchestrators()) {
            for (ResourceKind kind : factory.kinds()) {
                Optional<Resource> found;
                try {
                    found = orchestrator(factory.name(), kind).get(id);
                } catch (CorcException e) { // a provider nobody set up cannot hold the resource; say so below
                    unasked.add(factory.name() + " (" + e.getMessage() + ")");
                    continue;
                }
                if (found.isPresent()) {
                    return found.get();
                }
            }
        }
        throw CorcException.notFound("resource '" + id + "' not found at any provider"
                        + (unasked.isEmpty() ? "" : "; not asked: " + String.join(", ", unasked)))
                .withHint("'corc <provider> orchestration instance list' shows the resources corc started");
    }

    public List<Resource> list(String provider, ResourceKind kind) {
        return orchestrator(provider, kind).list();
    }

    public Optional<Resource> get(String provider, ResourceKind kind, String id) {
        return orchestrator(provider, kind).get(id);
    }

    /** Stops the resource and removes what corc created for it. Idempotent. */
    public void stop(String provider, ResourceKind kind, String id, ProgressListener progress) {
        orchestrator(provider, kind).stop(id, progress);
        budgets.recordStop(id);
    }

    // ---- storage --------------------------------------------------------------------------------------------

    /** The configured storage backend ({@code corc.storage.backend}), created on first use. */
    public Storage storage() {
        return plugins.storage();
    }

    /** The bucket jobs stage through: {@code bucket_name} of the backend's section, or {@code null} when unset. */
    public String defaultBucket() {
        String bucket = plugins.storageConfig().string("bucket_name", "");
        return bucket.isBlank() ? null : bucket;
    }

    /** The provider used when none is named: {@code corc.default_provider}. */
    public String defaultProvider() {
        return config.section("corc").string("default_provider", "local");
    }

    /**
     * The scheduler for jobs "on" a provider: the scheduler of the same name if one is installed (local -> local),
     * else {@code corc.schedulers.default}.
     */
    public String schedulerFor(String provider) {
        boolean sameName = registry.schedulers().stream().anyMatch(f -> f.name().equals(provider));
        return sameName ? provider : config.section("corc.schedulers").string("default", "local");
    }

    /**
     * Every installed plug-in's credential/health check, labelled with its role ({@code provider local
     * (instance)}, {@code scheduler local}, {@code storage local}); a plug-in that fails to initialise is a failed
     * check. The checks run at once (each may wait on a network or a daemon), so the whole takes as long as the
     * slowest; the results come in the order above.
     */
    public List<CheckResult> check() {
        Map<String, Supplier<CheckResult>> checks = new LinkedHashMap<>();
        for (OrchestratorFactory factory : registry.orchestrators()) {
            for (ResourceKind kind : factory.kinds()) {
                checks.put(
                        "provider " + factory.name() + " (" + kind.cliName() + ")",
                        () -> orchestrator(factory.name(), kind).check());
            }
        }
        registry.schedulers()
                .forEach(f -> checks.put("scheduler " + f.name(), () -> plugins.scheduler(f.name())
                        .check()));
        checks.put("storage " + plugins.storageName(), () -> plugins.storage().check());
        List<CompletableFuture<CheckResult>> running = new ArrayList<>();
        checks.forEach((label, check) -> {
            CompletableFuture<CheckResult> result = new CompletableFuture<>();
            Thread thread = new Thread(
                    () -> {
                        try {
                            result.complete(safeCheck(label, check));
                        } catch (Throwable e) { // a plug-in's Error must not leave the caller waiting
                            result.complete(CheckResult.failed(label, e.toString()));
                        }
                    },
                    "corc-check");
            thread.setDaemon(true); // a check stuck in a plug-in must not keep the JVM alive
            thread.start();
            running.add(result);
        });
        return running.stream().map(CompletableFuture::join).toList();
    }

    private static CheckResult safeCheck(String label, Supplier<CheckResult> check) {
        CheckResult result;
        try {
            result = check.get();
        } catch (RuntimeException e) {
            return CheckResult.failed(label, String.valueOf(e.getMessage()));
        }
        return new CheckResult(label, result.ok(), result.reason(), result.configured());
    }

    /**
     * What a crash or a hand-deleted directory left behind (see {@link GarbageCollector}); with {@code apply},
     * removes it and returns only what could not be removed.
     */
    public List<GcItem> collectGarbage(boolean apply) {
        List<Orchestrator> orchestrators = new ArrayList<>();
        for (OrchestratorFactory factory : registry.orchestrators()) {
            factory.kinds().forEach(kind -> orchestrators.add(orchestrator(factory.name(), kind)));
        }
        GarbageCollector collector = new GarbageCollector(jobs, orchestrators, records);
        List<GcItem> found = collector.find(java.time.Instant.now());
        if (!apply) {
            return found;
        }
        List<GcItem> failed = collector.apply(found);
        found.stream()
                .filter(item -> !item.kind().equals(JobService.RECORD_TYPE))
                .filter(item -> failed.stream().noneMatch(f -> f.id().equals(item.id())))
                .forEach(item -> budgets.recordStop(item.id()));
        return failed;
    }

    // ---- jobs ---------------------------------------------------------------------------------------------------

    /** Stages the request's inputs and submits it to its scheduler (or {@link #schedulerFor} the default provider). */
    public Job runJob(JobRequest request, ProgressListener progress) {
        String scheduler = request.scheduler() != null ? request.scheduler() : schedulerFor(defaultProvider());
        return jobs.run(request, scheduler, progress);
    }

    /**
     * Runs the job on an orchestrated resource: {@code request}'s scheduler (default: {@code ssh} for an instance,
     * {@code kubernetes} for a cluster) bound to {@code target} by {@link Scheduler#prepare}, e.g. the instance's SSH
     * endpoint or the cluster's kubeconfig.
     *
     * @throws CorcException CONFLICT when the resource is not running
     */
    public Job runJobOn(Resource target, JobRequest request, ProgressListener progress) {
        if (target.state() != ResourceState.RUNNING) {
            throw new CorcException(
                            ErrorCategory.CONFLICT,
                            target.kind().cliName() + " " + target.id() + " is "
                                    + target.state().name().toLowerCase(java.util.Locale.ROOT) + ", not running")
                    .withHint("jobs run on running resources; 'corc " + target.provider() + " orchestration "
                            + target.kind().cliName() + " show " + target.id() + "' shows it");
        }
        String scheduler = request.scheduler() != null
                ? request.scheduler()
                : target.kind() == ResourceKind.CLUSTER ? "kubernetes" : "ssh";
        Job job = jobs.run(request, scheduler, plugins.schedulerBoundTo(scheduler, target), progress);
        autoStop.touch(target.id());
        return job;
    }

    /** Waits until the job has finished or the timeout passed; returns the job as last seen. */
    public Job awaitJob(String jobId, Duration timeout, ProgressListener progress) {
        return jobs.await(jobId, timeout, progress);
    }

    /** Jobs corc knows, newest first; {@code scheduler} null for all. */
    public List<Job> listJobs(String scheduler) {
        return jobs.list(scheduler);
    }

    public Job showJob(String jobId) {
        return jobs.show(jobId);
    }

    public void logs(String jobId, Integer taskIndex, boolean follow, Consumer<LogLine> sink) {
        jobs.logs(jobId, taskIndex, follow, sink);
    }

    public Job cancelJob(String jobId) {
        return jobs.cancel(jobId);
    }

    public void deleteJob(String jobId, boolean withResults) {
        jobs.delete(jobId, withResults);
    }

    /** Downloads the job's outputs to {@code targetDir/<job-id>/<task-index>/}. */
    public TransferReport downloadResults(String jobId, Path targetDir, ProgressListener progress) {
        return jobs.downloadResults(jobId, targetDir, progress);
    }

    public List<StoredObject> listResults(String jobId) {
        return jobs.listResults(jobId);
    }

    public int deleteResults(String jobId) {
        return jobs.deleteResults(jobId);
    }

    public String resultLocation(String jobId) {
        return jobs.outputLocation(jobId);
    }

    /** Options for {@link #builder()}; everything defaults to what the CLI would use. */
    public static final class Builder {
        private Path home;
        private Path configFile;
        private Map<String, String> environment = System.getenv();
        private final Map<String, Object> overrides = new LinkedHashMap<>();
        private ClassLoader classLoader = Corc.class.getClassLoader();
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** corc's home; default {@code CORC_HOME} or {@code ~/.corc}. */
        public Builder home(Path value) {
            this.home = requireNonNull(value, "home is null");
            return this;
        }

        /** The configuration file; default {@code CORC_CONFIG_FILE} or {@code <home>/config.yaml}. */
        public Builder configFile(Path value) {
            this.configFile = value;
            return this;
        }

        /** The environment read for {@code CORC_*} settings; default the process environment. */
        public Builder environment(Map<String, String> value) {
            this.environment = Map.copyOf(requireNonNull(value, "environment is null"));
            return this;
        }

        /**
         * A setting that wins over file and environment, e.g. {@code override("corc.job.meta.num_jobs", 4)}. A storage
         * setting given here also wins over what a job's record says for the backend the job was staged to (its
         * bucket, endpoint, ...); the backend itself is always the recorded one.
         */
        public Builder override(String dottedKey, Object value) {
            overrides.put(requireNonNull(dottedKey, "dottedKey is null"), value);
            return this;
        }

        /** The class loader plug-ins are found with. */
        public Builder classLoader(ClassLoader value) {
            this.classLoader = requireNonNull(value, "classLoader is null");
            return this;
        }

        /** The clock spend is measured with; default the system's UTC clock. */
        public Builder clock(Clock value) {
            this.clock = requireNonNull(value, "clock is null");
            return this;
        }

        /**
         * Loads the configuration and opens the state store.
         *
         * @throws io.corc.api.CorcException with every configuration problem when the configuration is invalid
         */
        public Corc build() {
            Path resolvedHome = CorcHome.ensure(home != null ? home : CorcHome.resolve(environment));
            CorcConfig config = new ConfigLoader(resolvedHome, environment).load(configFile, overrides);
            return new Corc(resolvedHome, config, PluginRegistry.load(classLoader), overrides, environment, clock);
        }
    }
}
