package io.corc.core;

import static java.util.Objects.requireNonNull;

import io.corc.api.Orchestrator;
import io.corc.api.PluginConfig;
import io.corc.api.PluginContext;
import io.corc.api.RecordStore;
import io.corc.api.ResourceKind;
import io.corc.api.Scheduler;
import io.corc.api.Storage;
import io.corc.core.config.CorcConfig;
import io.corc.core.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creates plug-ins from the registry with their configuration section, and keeps one instance per name so a
 * command or an embedder does not initialise an SDK client twice.
 */
final class PluginInstances {
    private final CorcConfig config;
    private final PluginRegistry registry;
    private final Path home;
    private final RecordStore records;
    private final Map<String, Object> cache = new ConcurrentHashMap<>();

    PluginInstances(CorcConfig config, PluginRegistry registry, Path home, RecordStore records) {
        this.config = requireNonNull(config, "config is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.home = requireNonNull(home, "home is null");
        this.records = requireNonNull(records, "records is null");
    }

    Orchestrator orchestrator(String provider, ResourceKind kind) {
        return (Orchestrator)
                cache.computeIfAbsent("orchestrator:" + provider + ":" + kind, key -> registry.orchestrator(provider)
                        .create(kind, context(provider, "corc.providers." + provider)));
    }

    Scheduler scheduler(String name) {
        return (Scheduler) cache.computeIfAbsent(
                "scheduler:" + name, key -> registry.scheduler(name).create(context(name, "corc.schedulers." + name)));
    }

    /** The storage backend named by {@code corc.storage.backend}. */
    Storage storage() {
        String name = storageName();
        return (Storage) cache.computeIfAbsent(
                "storage:" + name, key -> registry.storage(name).create(context(name, "corc.storage." + name)));
    }

    String storageName() {
        return config.section("corc.storage").string("backend", "local");
    }

    PluginConfig storageConfig() {
        return config.section("corc.storage." + storageName());
    }

    private PluginContext context(String name, String sectionPath) {
        return new PluginContext(name, config.section(sectionPath), home, records);
    }
}
