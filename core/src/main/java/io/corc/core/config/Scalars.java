package io.corc.core.config;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Converts a scalar to its schema type. YAML values arrive already typed by the parser (a quoted {@code "5"} is a
 * string, a plain {@code 5} an integer); environment values and string overrides arrive as text and are parsed.
 */
final class Scalars {
    private static final Pattern QUANTITY = Pattern.compile("[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?");

    private Scalars() {}

    /** The outcome of a conversion: a value, or the reason it was refused ("must be an integer, got 'x'"). */
    record Conversion(Object value, String problem) {
        static Conversion ok(Object value) {
            return new Conversion(value, null);
        }

        static Conversion failed(String problem) {
            return new Conversion(null, problem);
        }

        boolean failed() {
            return problem != null;
        }
    }

    /** A value parsed from YAML; {@code text} is the scalar as written, without quotes. */
    static Conversion fromYaml(Schema.Scalar schema, Object parsed, String text) {
        return switch (schema.type()) {
            case STRING -> Conversion.ok(text);
            case QUANTITY -> parsed instanceof String ? fromText(schema, text) : typed(schema, parsed, text);
            default -> typed(schema, parsed, text);
        };
    }

    /** A value given as text, from an environment variable or a string override. */
    static Conversion fromText(Schema.Scalar schema, String text) {
        String trimmed = text.strip();
        return switch (schema.type()) {
            case STRING -> Conversion.ok(text);
            case INTEGER ->
                parseInteger(trimmed)
                        .map(value -> atLeast(schema, value, text))
                        .orElseGet(() -> mismatch(schema, text));
            case QUANTITY ->
                parseInteger(trimmed)
                        .map(value -> atLeast(schema, value, text))
                        .orElseGet(() ->
                                QUANTITY.matcher(trimmed).matches() ? Conversion.ok(trimmed) : mismatch(schema, text));
            case NUMBER -> parseNumber(trimmed);
            case BOOLEAN -> parseBoolean(trimmed);
        };
    }

    /** A value given as a Java object, from a CLI override. */
    static Conversion fromValue(Schema.Scalar schema, Object value) {
        if (value instanceof String text) {
            return fromText(schema, text);
        }
        if (schema.type() == Schema.Type.STRING && (value instanceof Number || value instanceof Boolean)) {
            return Conversion.ok(String.valueOf(value));
        }
        return typed(schema, value, String.valueOf(value));
    }

    private static Conversion typed(Schema.Scalar schema, Object value, String text) {
        switch (schema.type()) {
            case INTEGER, QUANTITY:
                if ((value instanceof Integer || value instanceof Long || value instanceof Short)
                        && ((Number) value).longValue() == ((Number) value).intValue()) {
                    return atLeast(schema, ((Number) value).intValue(), text);
                }
                break;
            case NUMBER:
                if (value instanceof Number) {
                    return Conversion.ok(value);
                }
                break;
            case BOOLEAN:
                if (value instanceof Boolean) {
                    return Conversion.ok(value);
                }
                break;
            default:
                break;
        }
        if (value instanceof String && !fromText(schema, text).failed()) {
            return Conversion.failed("must be " + schema.expected() + " without quotes, got '" + text + "'");
        }
        return mismatch(schema, text);
    }

    private static Conversion atLeast(Schema.Scalar schema, int value, String text) {
        if (value < schema.minimum()) {
            return Conversion.failed("must be at least " + schema.minimum() + ", got '" + text + "'");
        }
        return Conversion.ok(value);
    }

    private static Optional<Integer> parseInteger(String text) {
        try {
            return Optional.of(Integer.parseInt(text));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Conversion parseNumber(String text) {
        try {
            return Conversion.ok(Double.parseDouble(text));
        } catch (NumberFormatException e) {
            return Conversion.failed("must be a number, got '" + text + "'");
        }
    }

    private static Conversion parseBoolean(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> Conversion.ok(true);
            case "false", "no", "off", "0" -> Conversion.ok(false);
            default -> Conversion.failed("must be true or false, got '" + text + "'");
        };
    }

    private static Conversion mismatch(Schema.Scalar schema, String text) {
        return Conversion.failed("must be " + schema.expected() + ", got '" + text + "'");
    }
}
