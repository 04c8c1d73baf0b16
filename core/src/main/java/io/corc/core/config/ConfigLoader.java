package io.corc.core.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads the configuration. Precedence, highest first: overrides (CLI flags), {@code CORC_*} environment variables,
 * the file, the built-in defaults. Every problem of the file, the environment and the overrides is collected and
 * reported together in one {@link ConfigException}.
 */
public final class ConfigLoader {
    /** Names the configuration file, like the {@code --config} flag. */
    public static final String CONFIG_FILE_VARIABLE = "CORC_CONFIG_FILE";

    private static final String FILE_NAME = "config.yaml";
    /** The Python corc's file name, read when there is no {@code config.yaml}. */
    private static final String LEGACY_FILE_NAME = "config";

    private final Path home;
    private final Map<String, String> environment;

    /**
     * @param home corc's home directory ({@code ~/.corc} or {@code CORC_HOME})
     * @param environment the process environment ({@code System.getenv()}) or a test's map
     */
    public ConfigLoader(Path home, Map<String, String> environment) {
        this.home = requireNonNull(home, "home is null");
        this.environment = Map.copyOf(requireNonNull(environment, "environment is null"));
    }

    /**
     * Loads defaults, the file from {@link #configPath(Path)} (when it exists), the environment and {@code overrides}.
     *
     * @param explicitFile the {@code --config} file, or {@code null}
     * @param overrides values by dotted key, e.g. {@code corc.job.meta.num_jobs -> 5}; {@code null} values are skipped
     * @throws ConfigException {@code NOT_FOUND} when an explicitly named file does not exist, {@code INVALID_INPUT}
     *     when the file cannot be read or any source has problems (unknown override keys included)
     */
    public CorcConfig load(Path explicitFile, Map<String, Object> overrides) {
        requireNonNull(overrides, "overrides is null");
        Path file = configPath(explicitFile);
        Path source = null;
        Layer fromFile = new Layer(Map.of(), List.of());
        if (Files.exists(file)) {
            fromFile = ConfigFiles.read(file);
            source = file;
        } else if (explicitFile != null || namedByEnvironment()) {
            throw ConfigException.missingFile(file);
        }
        Layer fromEnvironment = EnvironmentVariables.read(environment);
        Layer fromOverrides = Overrides.read(overrides);
        List<ConfigProblem> problems = new ArrayList<>(fromFile.problems());
        problems.addAll(fromEnvironment.problems());
        problems.addAll(fromOverrides.problems());
        if (!problems.isEmpty()) {
            boolean fileProblems = !fromFile.problems().isEmpty();
            throw ConfigException.invalid(fileProblems ? file : null, problems);
        }
        Map<String, Object> merged = Trees.merge(CorcSchema.defaults(), fromFile.values());
        merged = Trees.merge(merged, fromEnvironment.values());
        merged = Trees.merge(merged, fromOverrides.values());
        return new CorcConfig(merged, source);
    }

    /**
     * The file {@link #load} reads: {@code explicitFile} when given; else {@code CORC_CONFIG_FILE}; else
     * {@code <home>/config.yaml} when it exists; else the Python corc's {@code <home>/config} when it exists; else
     * {@code <home>/config.yaml}. The result may not exist.
     */
    public Path configPath(Path explicitFile) {
        if (explicitFile != null) {
            return explicitFile;
        }
        if (namedByEnvironment()) {
            return expandHome(environment.get(CONFIG_FILE_VARIABLE).strip());
        }
        Path file = home.resolve(FILE_NAME);
        Path legacy = home.resolve(LEGACY_FILE_NAME);
        return !Files.exists(file) && Files.isRegularFile(legacy) ? legacy : file;
    }

    /**
     * Every problem of {@code file} alone (no environment, no overrides); empty when it is valid.
     *
     * @throws ConfigException when the file does not exist ({@code NOT_FOUND}) or cannot be read
     */
    public List<ConfigProblem> validate(Path file) {
        requireNonNull(file, "file is null");
        if (!Files.exists(file)) {
            throw ConfigException.missingFile(file);
        }
        return ConfigFiles.read(file).problems();
    }

    /** {@code ~} or a leading {@code ~/} replaced by the user's home directory; other paths unchanged. */
    public static Path expandHome(String path) {
        return ConfigFiles.expandHome(requireNonNull(path, "path is null"));
    }

    private boolean namedByEnvironment() {
        String named = environment.get(CONFIG_FILE_VARIABLE);
        return named != null && !named.isBlank();
    }
}
