package io.corc.scheduler.local;

import java.time.Instant;

/** Conversions of the plain JSON values in the job directory's files (instants are ISO-8601 strings). */
final class JsonValues {
    private JsonValues() {}

    static Instant instant(Object value) {
        return value == null ? null : Instant.parse(value.toString());
    }

    static String iso(Instant value) {
        return value == null ? null : value.toString();
    }

    static Long longValue(Object value) {
        return value == null ? null : ((Number) value).longValue();
    }

    static Integer intValue(Object value) {
        return value == null ? null : ((Number) value).intValue();
    }

    static String string(Object value) {
        return value == null ? null : value.toString();
    }
}
