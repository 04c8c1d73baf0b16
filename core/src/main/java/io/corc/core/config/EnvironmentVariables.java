package io.corc.core.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Configuration from {@code CORC_*} variables. Names come from the schema: {@code CORC_} and the key path below
 * {@code corc}, upper-cased, dots to underscores ({@code CORC_JOB_META_NUM_JOBS}). Because underscores are also part
 * of keys, only the schema's known scalar keys have names; lists and open mappings cannot be set this way, and any
 * other {@code CORC_*} variable (such as {@code CORC_HOME}) is ignored.
 */
final class EnvironmentVariables {
    /** Variables corc and its jobs use for other things; never configuration keys. */
    static final Set<String> RESERVED = Set.of(
            "CORC_HOME",
            "CORC_CONFIG_FILE",
            "CORC_VERBOSE",
            "CORC_OUTPUT",
            "CORC_INPUT",
            "CORC_TASK_INDEX",
            "CORC_JOB_ID",
            "CORC_NUM_JOBS");

    private static final Map<String, Key> TABLE = build();

    private record Key(List<String> path, Schema.Scalar schema) {}

    private EnvironmentVariables() {}

    /** Every settable variable with the dotted key it sets, in schema order. */
    static Map<String, String> names() {
        Map<String, String> names = new LinkedHashMap<>();
        TABLE.forEach((name, key) -> names.put(name, String.join(".", key.path())));
        return Collections.unmodifiableMap(names);
    }

    static Layer read(Map<String, String> environment) {
        Map<String, Object> values = new LinkedHashMap<>();
        List<ConfigProblem> problems = new ArrayList<>();
        TABLE.forEach((name, key) -> {
            String text = environment.get(name);
            if (text == null) {
                return;
            }
            Scalars.Conversion conversion = Scalars.fromText(key.schema(), text);
            if (conversion.failed()) {
                problems.add(new ConfigProblem(name, 0, conversion.problem()));
            } else {
                Trees.put(values, key.path(), conversion.value());
            }
        });
        return new Layer(values, problems);
    }

    private static Map<String, Key> build() {
        Map<String, Key> table = new LinkedHashMap<>();
        add(table, "CORC", List.of(CorcSchema.ROOT_KEY), CorcSchema.CORC);
        RESERVED.forEach(table::remove);
        return Collections.unmodifiableMap(table);
    }

    private static void add(Map<String, Key> table, String name, List<String> path, Schema.Mapping mapping) {
        mapping.fields().forEach((key, schema) -> {
            String childName = name + "_" + key.toUpperCase(Locale.ROOT);
            List<String> childPath = new ArrayList<>(path);
            childPath.add(key);
            if (schema instanceof Schema.Mapping child) {
                add(table, childName, childPath, child);
            } else {
                schema.scalar().ifPresent(scalar -> {
                    Key previous = table.put(childName, new Key(List.copyOf(childPath), scalar));
                    if (previous != null) {
                        throw new IllegalStateException(
                                childName + " would name both " + previous.path() + " and " + childPath);
                    }
                });
            }
        });
    }
}
