package io.corc.core.plugin;

import static java.util.Objects.requireNonNull;

import io.corc.api.AuthenticatorFactory;
import io.corc.api.ConfigurerFactory;
import io.corc.api.OrchestratorFactory;
import io.corc.api.PluginFactory;
import io.corc.api.SchedulerFactory;
import io.corc.api.StorageFactory;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The plug-in factories available to corc, one family per SPI factory type, each looked up by name. Built from
 * {@link ServiceLoader} ({@link #load(ClassLoader)}) or from explicit factories ({@link #of(Collection)}, for tests
 * and embedders). A factory that fails to load is skipped and reported in {@link #loadProblems()}. Immutable.
 */
public final class PluginRegistry {
    /** Stops a class loader that keeps failing from looping forever. */
    private static final int MAX_PROBLEMS_PER_FAMILY = 100;

    private final PluginFamily<OrchestratorFactory> orchestrators;
    private final PluginFamily<SchedulerFactory> schedulers;
    private final PluginFamily<StorageFactory> storages;
    private final PluginFamily<ConfigurerFactory> configurers;
    private final PluginFamily<AuthenticatorFactory> authenticators;
    private final List<PluginLoadProblem> loadProblems;

    private PluginRegistry(
            List<OrchestratorFactory> orchestrators,
            List<SchedulerFactory> schedulers,
            List<StorageFactory> storages,
            List<ConfigurerFactory> configurers,
            List<AuthenticatorFactory> authenticators,
            List<PluginLoadProblem> loadProblems) {
        this.orchestrators = new PluginFamily<>("provider", orchestrators);
        this.schedulers = new PluginFamily<>("scheduler", schedulers);
        this.storages = new PluginFamily<>("storage", storages);
        this.configurers = new PluginFamily<>("configurer", configurers);
        this.authenticators = new PluginFamily<>("authenticator", authenticators);
        this.loadProblems = List.copyOf(loadProblems);
    }

    /**
     * Finds every factory registered in {@code META-INF/services} visible to {@code loader}.
     *
     * @throws io.corc.api.CorcException INTERNAL when two factories of one family share a name
     */
    /**
     * Only the installed providers, without loading the other families: for callers that need provider names
     * quickly, such as the CLI building its command tree.
     */
    public static List<OrchestratorFactory> loadProviders(ClassLoader loader) {
        requireNonNull(loader, "loader is null");
        List<OrchestratorFactory> providers =
                loadFamily(OrchestratorFactory.class, "provider", loader, new ArrayList<>());
        return providers.stream()
                .sorted(java.util.Comparator.comparing(OrchestratorFactory::name))
                .toList();
    }

    public static PluginRegistry load(ClassLoader loader) {
        requireNonNull(loader, "loader is null");
        List<PluginLoadProblem> problems = new ArrayList<>();
        return new PluginRegistry(
                loadFamily(OrchestratorFactory.class, "provider", loader, problems),
                loadFamily(SchedulerFactory.class, "scheduler", loader, problems),
                loadFamily(StorageFactory.class, "storage", loader, problems),
                loadFamily(ConfigurerFactory.class, "configurer", loader, problems),
                loadFamily(AuthenticatorFactory.class, "authenticator", loader, problems),
                problems);
    }

    /**
     * A registry of exactly {@code factories}; each goes into every family whose factory interface it implements.
     *
     * @throws io.corc.api.CorcException INTERNAL when two factories of one family share a name
     */
    public static PluginRegistry of(Collection<? extends PluginFactory> factories) {
        requireNonNull(factories, "factories is null");
        factories.forEach(factory -> requireNonNull(factory, "factory is null"));
        return new PluginRegistry(
                only(OrchestratorFactory.class, factories),
                only(SchedulerFactory.class, factories),
                only(StorageFactory.class, factories),
                only(ConfigurerFactory.class, factories),
                only(AuthenticatorFactory.class, factories),
                List.of());
    }

    public List<OrchestratorFactory> orchestrators() {
        return orchestrators.all();
    }

    public List<SchedulerFactory> schedulers() {
        return schedulers.all();
    }

    public List<StorageFactory> storages() {
        return storages.all();
    }

    public List<ConfigurerFactory> configurers() {
        return configurers.all();
    }

    public List<AuthenticatorFactory> authenticators() {
        return authenticators.all();
    }

    /** @throws io.corc.api.CorcException INVALID_INPUT listing the known providers when {@code name} is unknown */
    public OrchestratorFactory orchestrator(String name) {
        return orchestrators.get(name);
    }

    /** @throws io.corc.api.CorcException INVALID_INPUT listing the known schedulers when {@code name} is unknown */
    public SchedulerFactory scheduler(String name) {
        return schedulers.get(name);
    }

    /** @throws io.corc.api.CorcException INVALID_INPUT listing the known storages when {@code name} is unknown */
    public StorageFactory storage(String name) {
        return storages.get(name);
    }

    /** @throws io.corc.api.CorcException INVALID_INPUT listing the known configurers when {@code name} is unknown */
    public ConfigurerFactory configurer(String name) {
        return configurers.get(name);
    }

    /** @throws io.corc.api.CorcException INVALID_INPUT listing the known authenticators when {@code name} is unknown */
    public AuthenticatorFactory authenticator(String name) {
        return authenticators.get(name);
    }

    /** Factories that were found but could not be loaded; empty for {@link #of(Collection)}. */
    public List<PluginLoadProblem> loadProblems() {
        return loadProblems;
    }

    private static <F extends PluginFactory> List<F> loadFamily(
            Class<F> type, String noun, ClassLoader loader, List<PluginLoadProblem> problems) {
        List<F> factories = new ArrayList<>();
        Iterator<F> iterator = ServiceLoader.load(type, loader).iterator();
        int failures = 0;
        while (failures < MAX_PROBLEMS_PER_FAMILY) {
            try {
                if (!iterator.hasNext()) {
                    break;
                }
                F factory = iterator.next();
                PluginFamily.nameOf(factory);
                factories.add(factory);
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                failures++;
                PluginLoadProblem problem =
                        new PluginLoadProblem(noun, "could not load a " + noun + " plug-in: " + e.getMessage(), e);
                // Looked up here, not in a static field: logging start-up costs the CLI ~10 ms.
                System.getLogger(PluginRegistry.class.getName()).log(Level.WARNING, problem.message());
                problems.add(problem);
            }
        }
        return factories;
    }

    private static <F extends PluginFactory> List<F> only(Class<F> type, Collection<? extends PluginFactory> all) {
        return all.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
