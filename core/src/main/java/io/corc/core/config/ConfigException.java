package io.corc.core.config;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import java.nio.file.Path;
import java.util.List;

/**
 * A configuration that cannot be used, with every problem found. {@link ErrorCategory#INVALID_INPUT}, except for an
 * explicitly named file that does not exist, which is {@link ErrorCategory#NOT_FOUND}. The message is a one-line
 * summary followed by one line per problem.
 */
public final class ConfigException extends CorcException {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigProblem> problems;

    private ConfigException(
            ErrorCategory category, String message, String hint, List<ConfigProblem> problems, Throwable cause) {
        super(category, message, null, null, hint, cause);
        this.problems = List.copyOf(problems);
    }

    /** The problems of {@code file} ({@code null} when they come from the environment or overrides only). */
    public static ConfigException invalid(Path file, List<ConfigProblem> problems) {
        requireNonNull(problems, "problems is null");
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid configuration has at least one problem");
        }
        StringBuilder message = new StringBuilder("invalid configuration");
        if (file != null) {
            message.append(" in ").append(file);
        }
        message.append(": ").append(problems.size()).append(problems.size() == 1 ? " problem" : " problems");
        problems.forEach(
                problem -> message.append(System.lineSeparator()).append("  ").append(problem));
        String hint = file == null
                ? "fix the named environment variables or flags"
                : "fix the listed keys, then check the file again with: corc config validate " + file;
        return new ConfigException(ErrorCategory.INVALID_INPUT, message.toString(), hint, problems, null);
    }

    /** An explicitly named file (flag or {@code CORC_CONFIG_FILE}) that does not exist. */
    public static ConfigException missingFile(Path file) {
        requireNonNull(file, "file is null");
        return new ConfigException(
                ErrorCategory.NOT_FOUND,
                "configuration file " + file + " does not exist",
                "write one with: corc config generate > " + file,
                List.of(new ConfigProblem(file, "", 0, "file does not exist")),
                null);
    }

    /** A file that exists but cannot be read as text, e.g. a directory or a file without read permission. */
    public static ConfigException unreadable(Path file, String reason, Throwable cause) {
        requireNonNull(file, "file is null");
        requireNonNull(reason, "reason is null");
        return new ConfigException(
                ErrorCategory.INVALID_INPUT,
                "cannot read configuration file " + file + ": " + reason,
                "point --config or CORC_CONFIG_FILE at a readable YAML file",
                List.of(new ConfigProblem(file, "", 0, reason)),
                cause);
    }

    /** Every problem found, in file order, then environment, then overrides. */
    public List<ConfigProblem> problems() {
        return problems;
    }
}
