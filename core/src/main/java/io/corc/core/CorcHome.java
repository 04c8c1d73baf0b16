package io.corc.core;

import static java.util.Objects.requireNonNull;

import io.corc.api.SecureFiles;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where corc keeps its files: {@code CORC_HOME} when set, else {@code ~/.corc}. The home holds {@code config.yaml},
 * {@code ssh/}, {@code state/} and {@code broker/}; every directory corc creates in it is private (0700).
 */
public final class CorcHome {
    /** The environment variable that overrides the default home. */
    public static final String ENVIRONMENT_VARIABLE = "CORC_HOME";

    private static final String STATE_DIRECTORY = "state";

    private CorcHome() {}

    /**
     * The home named by {@code CORC_HOME} in {@code env} when it is set and not blank, else {@code <user.home>/.corc}.
     * Nothing is created.
     */
    public static Path resolve(Map<String, String> env) {
        requireNonNull(env, "env is null");
        String configured = env.get(ENVIRONMENT_VARIABLE);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.strip());
        }
        return Path.of(System.getProperty("user.home"), ".corc");
    }

    /** Creates {@code home} and its {@code state/} folder, both 0700, when missing. Returns {@code home}. */
    public static Path ensure(Path home) {
        requireNonNull(home, "home is null");
        SecureFiles.privateDirectory(home);
        SecureFiles.privateDirectory(stateDir(home));
        return home;
    }

    /** The state store's directory, {@code home/state}. */
    public static Path stateDir(Path home) {
        requireNonNull(home, "home is null");
        return home.resolve(STATE_DIRECTORY);
    }
}
