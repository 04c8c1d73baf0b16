package io.corc.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * The values one source (file, environment, overrides) sets, as a tree rooted at {@code corc}, and the problems
 * found reading them. The values are only used when no source had problems.
 */
record Layer(Map<String, Object> values, List<ConfigProblem> problems) {
    Layer {
        requireNonNull(values, "values is null");
        problems = List.copyOf(problems);
    }
}
