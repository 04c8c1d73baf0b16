package io.corc.core.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * One problem found in a configuration.
 *
 * @param file the file it was found in, or {@code null} for an environment variable or an override
 * @param path where: the dotted YAML path ({@code corc.job.meta.num_jobs}, {@code corc.job.meta} for an unknown key
 *     below it, empty for the file as a whole), or the name of the environment variable
 * @param line 1-based line in {@code file}, 0 when unknown
 * @param message what is wrong, e.g. {@code must be an integer, got 'many'}
 */
public record ConfigProblem(Path file, String path, int line, String message) {
    public ConfigProblem {
        requireNonNull(path, "path is null");
        requireNonNull(message, "message is null");
        if (line < 0) {
            throw new IllegalArgumentException("line must not be negative: " + line);
        }
    }

    public ConfigProblem(String path, int line, String message) {
        this(null, path, line, message);
    }

    /** {@code config.yaml:12: corc.job.meta.num_jobs: must be an integer, got 'many'}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        if (file != null) {
            text.append(file.getFileName()).append(':');
            if (line > 0) {
                text.append(line).append(':');
            }
            text.append(' ');
        } else if (line > 0) {
            text.append("line ").append(line).append(": ");
        }
        if (!path.isEmpty()) {
            text.append(path).append(": ");
        }
        return text.append(message).toString();
    }
}
