package io.corc.core.config;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One node of the configuration schema: the type a YAML value must have and its default. The tree of these nodes is
 * the single description of corc's configuration, used for defaults, validation and the environment table.
 */
sealed interface Schema permits Schema.Scalar, Schema.ListOf, Schema.Mapping, Schema.Open, Schema.OneOf {

    /** The default as a plain value (string, number, boolean, list or map); {@code null} when there is none. */
    Object defaultValue();

    /** What a value must be, for messages: "an integer", "a mapping". */
    String expected();

    /** This node when it is a scalar, or the scalar alternative of a {@link OneOf}. */
    default Optional<Scalar> scalar() {
        return Optional.empty();
    }

    enum Type {
        STRING("a string"),
        INTEGER("an integer"),
        /** An integer, a quoted integer, or a Kubernetes-style quantity such as {@code 500m} or {@code 4Gi}. */
        QUANTITY("an integer or a quantity such as 2, 500m or 4Gi"),
        NUMBER("a number"),
        BOOLEAN("true or false");

        private final String expected;

        Type(String expected) {
            this.expected = expected;
        }
    }

    record Scalar(Type type, Object defaultValue, int minimum) implements Schema {
        public Scalar {
            requireNonNull(type, "type is null");
        }

        @Override
        public String expected() {
            return type.expected;
        }

        @Override
        public Optional<Scalar> scalar() {
            return Optional.of(this);
        }
    }

    /** A list; {@code element} is {@code null} when elements may be anything. */
    record ListOf(Schema element, List<Object> defaults) implements Schema {
        public ListOf {
            defaults = Collections.unmodifiableList(new ArrayList<>(defaults));
        }

        @Override
        public Object defaultValue() {
            return Trees.copy(defaults);
        }

        @Override
        public String expected() {
            return "a list";
        }
    }

    /** A mapping with known keys; {@code aliases} maps an accepted spelling (e.g. corc's "ANSIBLE") to its key. */
    record Mapping(Map<String, Schema> fields, Map<String, String> aliases) implements Schema {
        public Mapping {
            fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
            aliases = Map.copyOf(aliases);
        }

        @Override
        public Map<String, Object> defaultValue() {
            Map<String, Object> defaults = new LinkedHashMap<>();
            fields.forEach((key, schema) -> {
                Object value = schema.defaultValue();
                if (value != null) {
                    defaults.put(key, value);
                }
            });
            return defaults;
        }

        @Override
        public String expected() {
            return "a mapping";
        }

        Mapping withAlias(String alias, String key) {
            Map<String, String> copy = new LinkedHashMap<>(aliases);
            copy.put(alias, key);
            return new Mapping(fields, copy);
        }
    }

    /** A mapping whose keys and values are not checked (sections specified by plug-ins or later issues). */
    record Open() implements Schema {
        @Override
        public Object defaultValue() {
            return new LinkedHashMap<String, Object>();
        }

        @Override
        public String expected() {
            return "a mapping";
        }
    }

    /** A string or an open mapping, like corc's {@code (str, dict)} for an OCI node image. */
    record OneOf(Scalar text, Open mapping) implements Schema {
        @Override
        public Object defaultValue() {
            return text.defaultValue();
        }

        @Override
        public String expected() {
            return text.expected() + " or a mapping";
        }

        @Override
        public Optional<Scalar> scalar() {
            return Optional.of(text);
        }
    }

    record Field(String key, Schema schema) {}

    static Field field(String key, Schema schema) {
        return new Field(requireNonNull(key, "key is null"), requireNonNull(schema, "schema is null"));
    }

    static Mapping mapping(Field... fields) {
        Map<String, Schema> map = new LinkedHashMap<>();
        for (Field field : fields) {
            if (map.put(field.key(), field.schema()) != null) {
                throw new IllegalArgumentException("duplicate schema key " + field.key());
            }
        }
        return new Mapping(map, Map.of());
    }

    static Scalar string(String defaultValue) {
        return new Scalar(Type.STRING, defaultValue, 0);
    }

    static Scalar integer(int defaultValue, int minimum) {
        return new Scalar(Type.INTEGER, defaultValue, minimum);
    }

    static Scalar quantity(Integer defaultValue) {
        return new Scalar(Type.QUANTITY, defaultValue, 0);
    }

    static Scalar bool(boolean defaultValue) {
        return new Scalar(Type.BOOLEAN, defaultValue, 0);
    }

    static ListOf list(Schema element, List<Object> defaults) {
        return new ListOf(element, defaults);
    }

    static Open open() {
        return new Open();
    }
}
