package io.corc.jobio;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.InMemoryRecordStore;
import io.corc.api.JobSpec;
import io.corc.api.PluginConfig;
import io.corc.api.PluginContext;
import io.corc.api.Staging;
import io.corc.api.Storage;
import io.corc.api.StorageFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** Finds a {@link StorageFactory} on the class path by name and builds its {@link Storage}. */
public final class StorageLoader {

    private StorageLoader() {}

    /**
     * Builds the storage plug-in called {@code name} from its configuration section ({@code corc.storage.<name>}).
     * The plug-in gets an in-memory record store: the runner keeps no state of its own.
     *
     * @throws CorcException {@link io.corc.api.ErrorCategory#INVALID_INPUT} listing the known names when no
     *     factory has that name
     */
    public static Storage load(String name, Map<String, Object> config, Path home) {
        requireNonNull(name, "name is null");
        requireNonNull(home, "home is null");
        TreeSet<String> known = new TreeSet<>();
        for (StorageFactory factory : ServiceLoader.load(StorageFactory.class, StorageLoader.class.getClassLoader())) {
            if (factory.name().equals(name)) {
                PluginConfig section = new PluginConfig("corc.storage." + name, config == null ? Map.of() : config);
                return factory.create(new PluginContext(name, section, home, new InMemoryRecordStore()));
            }
            known.add(factory.name());
        }
        String choices = known.isEmpty() ? "none is on the class path" : "known: " + String.join(", ", known);
        throw CorcException.invalidInput("unknown storage '" + name + "'; " + choices)
                .withHint("set corc.storage to one of the known storage plug-ins");
    }

    /**
     * The storage a job stages through, rebuilt from the {@link Staging} options of its spec, or {@code null} when
     * the spec has no staging. {@code defaultHome} applies when the spec does not name corc's home.
     */
    public static Storage forSpec(JobSpec spec, Path defaultHome) {
        return forSpec(spec, defaultHome, Map.of());
    }

    /**
     * As {@link #forSpec(JobSpec, Path)}, with settings of the execution environment added to the storage's
     * configuration, e.g. {@code secrets_dir} where the scheduler mounted the storage credentials.
     */
    public static Storage forSpec(JobSpec spec, Path defaultHome, Map<String, Object> local) {
        if (spec.staging() == null) {
            return null;
        }
        Map<String, String> options = spec.options();
        Map<String, Object> config = new LinkedHashMap<>();
        options.forEach((key, value) -> {
            if (key.startsWith(Staging.STORAGE_CONFIG_OPTION_PREFIX)) {
                config.put(key.substring(Staging.STORAGE_CONFIG_OPTION_PREFIX.length()), value);
            }
        });
        config.putAll(local);
        String name =
                options.getOrDefault(Staging.STORAGE_NAME_OPTION, spec.staging().storage());
        Path home = options.containsKey(Staging.HOME_OPTION) ? Path.of(options.get(Staging.HOME_OPTION)) : defaultHome;
        return load(name, Map.copyOf(config), home);
    }
}
