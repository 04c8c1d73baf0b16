package io.corc.broker.control;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * corc's error categories as HTTP status codes of the control API, and back. The answer's body names the category
 * itself ({@code {"status": "error", "error": {"category", "message", "hint"}}}), so the client restores the exact
 * {@link CorcException} and the CLI exits with the code of docs/exit-codes.md; the status code alone is enough for
 * curl users and is mapped back when a body is missing.
 */
public final class ControlErrors {
    private ControlErrors() {}

    /** The HTTP status for {@code category}. */
    public static int httpStatus(ErrorCategory category) {
        return switch (category) {
            case INVALID_INPUT -> 400;
            case AUTHENTICATION -> 403;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case THROTTLED -> 429;
            case CANCELLED -> 499;
            case INTERNAL -> 500;
            case UNAVAILABLE -> 503;
            case CAPACITY -> 507;
        };
    }

    /** The category of an HTTP status the control API answered without a readable body. */
    public static ErrorCategory category(int httpStatus) {
        return switch (httpStatus) {
            case 400, 405, 413, 415 -> ErrorCategory.INVALID_INPUT;
            case 401, 403 -> ErrorCategory.AUTHENTICATION;
            case 404 -> ErrorCategory.NOT_FOUND;
            case 409 -> ErrorCategory.CONFLICT;
            case 429 -> ErrorCategory.THROTTLED;
            case 499 -> ErrorCategory.CANCELLED;
            case 502, 503, 504 -> ErrorCategory.UNAVAILABLE;
            case 507 -> ErrorCategory.CAPACITY;
            default -> ErrorCategory.INTERNAL;
        };
    }

    /** The error body for {@code error}: {@code {status: error, error: {category, message, hint, plugin}}}. */
    public static Map<String, Object> body(CorcException error) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("category", error.category().name().toLowerCase(Locale.ROOT));
        inner.put("message", error.getMessage());
        inner.put("hint", error.hint().orElse(null));
        inner.put("plugin", error.plugin().orElse(null));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "error");
        body.put("error", inner);
        return body;
    }

    /** The exception an error answer stands for: from its body when it has one, else from its status code. */
    public static CorcException fromAnswer(int httpStatus, Map<?, ?> body, String operation) {
        if (body != null && body.get("error") instanceof Map<?, ?> error && error.get("message") != null) {
            ErrorCategory category = category(httpStatus);
            if (error.get("category") instanceof String name) {
                try {
                    category = ErrorCategory.valueOf(name.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException unknown) {
                    // a newer broker's category: keep the status code's
                }
            }
            String plugin = error.get("plugin") instanceof String p ? p : "broker";
            String hint = error.get("hint") instanceof String h ? h : null;
            return new CorcException(category, String.valueOf(error.get("message")), plugin, operation, hint, null);
        }
        ErrorCategory category = category(httpStatus);
        return new CorcException(
                category,
                "the broker's control API answered HTTP " + httpStatus + " to " + operation,
                "broker",
                operation,
                "see the broker's log (broker.log in its state directory)",
                null);
    }
}
