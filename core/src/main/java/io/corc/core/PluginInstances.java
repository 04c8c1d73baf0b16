package io.corc.core;

import static java.util.Objects.requireNonNull;

import io.corc.api.Authenticator;
import io.corc.api.Configurer;
import io.corc.api.Orchestrator;
import io.corc.api.PluginConfig;
import io.corc.api.PluginContext;
import io.corc.api.RecordStore;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.Scheduler;
import io.corc.api.Storage;
import io.corc.core.config.CorcConfig;
import io.corc.core.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /**
     * A scheduler of its own bound to {@code target} ({@link Scheduler#prepare}): never the shared instance, so a
     * job on one resource does not redirect another caller's jobs. Its job records name the target, so the shared
     * instance finds the job later.
     */
    Scheduler schedulerBoundTo(String name, Resource target) {
        Scheduler scheduler = registry.scheduler(name).create(context(name, "corc.schedulers." + name));
        scheduler.prepare(target);
        return scheduler;
    }

    /** The configurer {@code name} with its section {@code corc.configurers.<name>}. */
    Configurer configurer(String name) {
        return (Configurer) cache.computeIfAbsent("configurer:" + name, key -> registry.configurer(name)
                .create(context(name, "corc.configurers." + name)));
    }

    /** The authenticator {@code name}, or empty when none of that name is installed. */
    Optional<Authenticator> authenticator(String name) {
        if (registry.authenticators().stream().noneMatch(f -> f.name().equals(name))) {
            return Optional.empty();
        }
        return Optional.of(
                (Authenticator) cache.computeIfAbsent("authenticator:" + name, key -> registry.authenticator(name)
                        .create(context(name, "corc.authenticators." + name))));
    }

    /** The storage backend named by {@code corc.storage.backend}. */
    Storage storage() {
        String name = storageName();
        return (Storage) cache.computeIfAbsent("storage:" + name, key -> registry.storage(name)
                .create(new PluginContext(name, storageConfig(), home, records)));
    }

    /**
     * Storage backend {@code name} with {@code settings} (a job's recorded settings, say); one instance per name and
     * settings.
     */
    Storage storage(String name, PluginConfig settings) {
        return (Storage) cache.computeIfAbsent("storage:" + name + ":" + settings.asMap(), key -> registry.storage(name)
                .create(new PluginContext(name, settings, home, records)));
    }

    String storageName() {
        return config.section("corc.storage").string("backend", "local");
    }

    /**
     * The backend's section, with corc's backend-independent {@code corc.storage.endpoint} and {@code
     * credentials_path} filled in where the section does not set them itself.
     */
    PluginConfig storageConfig() {
        return storageConfig(storageName());
    }

    /** {@link #storageConfig()} of backend {@code name}. */
    PluginConfig storageConfig(String name) {
        PluginConfig shared = config.section("corc.storage");
        PluginConfig section = config.section("corc.storage." + name);
        Map<String, Object> merged = new LinkedHashMap<>(section.asMap());
        for (String key : List.of("endpoint", "credentials_path")) {
            String value = shared.string(key, "");
            if (!value.isBlank() && String.valueOf(merged.getOrDefault(key, "")).isBlank()) {
                merged.put(key, value);
            }
        }
        return new PluginConfig(section.path(), merged);
    }

    private PluginContext context(String name, String sectionPath) {
        return new PluginContext(name, config.section(sectionPath), home, records);
    }
}
