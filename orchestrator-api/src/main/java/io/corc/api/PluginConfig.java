package io.corc.api;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A read-only view of one section of the corc configuration (for instance {@code corc.providers.oci}), with typed
 * getters whose errors name the full YAML path. Values are plain YAML values: strings, numbers, booleans, lists
 * and maps. Never contains secrets: credentials stay in each cloud's own files.
 */
public final class PluginConfig {
    private final String path;
    private final Map<String, Object> values;

    public PluginConfig(String path, Map<String, ?> values) {
        this.path = requireNonNull(path, "path is null");
        this.values = values == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static PluginConfig empty(String path) {
        return new PluginConfig(path, Map.of());
    }

    /** Dotted YAML path of this section, e.g. {@code corc.providers.oci}. */
    public String path() {
        return path;
    }

    public Map<String, Object> asMap() {
        return values;
    }

    public boolean has(String key) {
        return values.containsKey(key) && values.get(key) != null;
    }

    /** The sub-section {@code key}; empty when absent. */
    public PluginConfig section(String key) {
        Object value = values.get(key);
        if (value == null) {
            return empty(path + "." + key);
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw wrongType(key, "a mapping", value);
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(String.valueOf(k), v));
        return new PluginConfig(path + "." + key, copy);
    }

    public Optional<String> optionalString(String key) {
        Object value = values.get(key);
        if (value == null || (value instanceof String s && s.isEmpty())) {
            return Optional.empty();
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            throw wrongType(key, "a string", value);
        }
        return Optional.of(String.valueOf(value));
    }

    public String string(String key, String defaultValue) {
        return optionalString(key).orElse(defaultValue);
    }

    public int integer(String key, int defaultValue) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            return ((Number) value).intValue();
        }
        if (value instanceof String s) {
            try {
                return Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                throw wrongType(key, "an integer", value);
            }
        }
        throw wrongType(key, "an integer", value);
    }

    public double number(String key, double defaultValue) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw wrongType(key, "a number", value);
            }
        }
        throw wrongType(key, "a number", value);
    }

    public boolean bool(String key, boolean defaultValue) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof String s) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on", "1":
                    return true;
                case "false", "no", "off", "0":
                    return false;
                default:
                    break;
            }
        }
        throw wrongType(key, "true or false", value);
    }

    /** A list of strings; a single string is read as a one-element list. */
    public List<String> strings(String key) {
        Object value = values.get(key);
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        if (value instanceof Map<?, ?>) {
            throw wrongType(key, "a list of strings", value);
        }
        return List.of(String.valueOf(value));
    }

    private CorcException wrongType(String key, String expected, Object value) {
        return CorcException.invalidInput(path + "." + key + " must be " + expected + ", got '" + value + "'")
                .withHint("fix the value in your corc configuration (corc config show prints it)");
    }

    @Override
    public String toString() {
        return path + "=" + values;
    }
}
