package io.corc.core.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Operations on plain configuration trees: maps with string keys, lists and scalars. */
final class Trees {
    private Trees() {}

    /** A deep, mutable copy of {@code value}. */
    static Object copy(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((key, child) -> copy.put(String.valueOf(key), copy(child)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(child -> copy.add(copy(child)));
            return copy;
        }
        return value;
    }

    /** A deep, unmodifiable copy of {@code value}; insertion order is kept and {@code null} values are allowed. */
    static Object freeze(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((key, child) -> copy.put(String.valueOf(key), freeze(child)));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(child -> copy.add(freeze(child)));
            return Collections.unmodifiableList(copy);
        }
        return value;
    }

    /**
     * A new tree with {@code top} laid over {@code base}: mappings merge key by key, any other value of {@code top}
     * (scalar or list) replaces the one in {@code base}.
     */
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> top) {
        Map<String, Object> merged = new LinkedHashMap<>();
        base.forEach((key, value) -> merged.put(key, copy(value)));
        top.forEach((key, value) -> {
            Object below = merged.get(key);
            if (below instanceof Map<?, ?> && value instanceof Map<?, ?>) {
                merged.put(key, merge(asTree(below), asTree(value)));
            } else {
                merged.put(key, copy(value));
            }
        });
        return merged;
    }

    /** Sets {@code value} at {@code path} in {@code tree}, creating the mappings on the way. */
    static void put(Map<String, Object> tree, List<String> path, Object value) {
        Map<String, Object> current = tree;
        for (String key : path.subList(0, path.size() - 1)) {
            Object child = current.get(key);
            if (!(child instanceof Map<?, ?>)) {
                child = new LinkedHashMap<String, Object>();
                current.put(key, child);
            }
            current = asTree(child);
        }
        current.put(path.get(path.size() - 1), value);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asTree(Object map) {
        return (Map<String, Object>) map;
    }

    /** {@code parent.key}, or {@code key} at the root. */
    static String child(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }
}
