package io.corc.core.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Values given by dotted key ({@code corc.job.meta.num_jobs}, the {@code corc.} prefix may be left out), as the CLI
 * does for its flags. A key must be a known scalar or list, or lie inside an open mapping; {@code null} values are
 * flags that were not given and are skipped.
 */
final class Overrides {
    private final List<ConfigProblem> problems = new ArrayList<>();
    private final Map<String, Object> values = new LinkedHashMap<>();

    private Overrides() {}

    static Layer read(Map<String, Object> overrides) {
        Overrides reader = new Overrides();
        overrides.forEach((key, value) -> {
            if (value != null) {
                reader.set(key, value);
            }
        });
        return new Layer(reader.values, reader.problems);
    }

    private void set(String dottedKey, Object value) {
        List<String> path = new ArrayList<>(Arrays.asList(dottedKey.split("\\.", -1)));
        if (!path.get(0).equals(CorcSchema.ROOT_KEY)) {
            path.add(0, CorcSchema.ROOT_KEY);
        }
        Schema schema = CorcSchema.ROOT;
        String parent = "";
        for (int i = 0; i < path.size(); i++) {
            if (schema instanceof Schema.Open || schema instanceof Schema.OneOf) {
                Trees.put(values, path, Trees.copy(value));
                return;
            }
            if (!(schema instanceof Schema.Mapping mapping)) {
                problems.add(new ConfigProblem(parent, 0, "is not a section, so it has no key '" + path.get(i) + "'"));
                return;
            }
            String key = mapping.aliases().getOrDefault(path.get(i), path.get(i));
            schema = mapping.fields().get(key);
            if (schema == null) {
                problems.add(new ConfigProblem(
                        parent,
                        0,
                        KeySuggestions.unknownKey(path.get(i), mapping.fields().keySet())));
                return;
            }
            path.set(i, key);
            parent = Trees.child(parent, key);
        }
        convert(schema, parent, value).ifPresent(converted -> Trees.put(values, path, converted));
    }

    private Optional<Object> convert(Schema schema, String path, Object value) {
        if (schema instanceof Schema.Scalar || (schema instanceof Schema.OneOf && !(value instanceof Map<?, ?>))) {
            Scalars.Conversion conversion = Scalars.fromValue(schema.scalar().orElseThrow(), value);
            if (conversion.failed()) {
                problems.add(new ConfigProblem(path, 0, conversion.problem()));
                return Optional.empty();
            }
            return Optional.of(conversion.value());
        }
        if ((schema instanceof Schema.ListOf && value instanceof List<?>)
                || (!(schema instanceof Schema.Mapping) && value instanceof Map<?, ?>)) {
            return Optional.of(Trees.copy(value));
        }
        String message = schema instanceof Schema.Mapping
                ? "is a section; set its keys one by one"
                : "must be " + schema.expected() + ", got '" + value + "'";
        problems.add(new ConfigProblem(path, 0, message));
        return Optional.empty();
    }
}
