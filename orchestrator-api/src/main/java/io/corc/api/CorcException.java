package io.corc.api;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * The one unchecked exception of corc. It carries a {@link ErrorCategory}, the plug-in and operation that failed
 * and a hint telling the user what to do next. Plug-ins keep the SDK exception as the cause; the CLI prints the
 * message and hint, and the cause only with {@code --verbose}.
 */
public class CorcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCategory category;
    private final String plugin;
    private final String operation;
    private final String hint;

    public CorcException(ErrorCategory category, String message) {
        this(category, message, null, null, null, null);
    }

    public CorcException(
            ErrorCategory category, String message, String plugin, String operation, String hint, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.category = requireNonNull(category, "category is null");
        this.plugin = plugin;
        this.operation = operation;
        this.hint = hint;
    }

    public static CorcException invalidInput(String message) {
        return new CorcException(ErrorCategory.INVALID_INPUT, message);
    }

    public static CorcException notFound(String message) {
        return new CorcException(ErrorCategory.NOT_FOUND, message);
    }

    public static CorcException internal(String message, Throwable cause) {
        return new CorcException(ErrorCategory.INTERNAL, message, null, null, null, cause);
    }

    /** A copy with the hint set; the hint is one sentence saying what the user can do about the failure. */
    public CorcException withHint(String newHint) {
        return copy(plugin, operation, newHint);
    }

    /** A copy naming the plug-in (e.g. {@code oci}, {@code local}) and the operation (e.g. {@code instance start}). */
    public CorcException withContext(String newPlugin, String newOperation) {
        return copy(newPlugin, newOperation, hint);
    }

    /** A copy with the cause set, for wrapping an SDK or I/O exception at a plug-in's edge. */
    public CorcException withCause(Throwable cause) {
        CorcException copy = new CorcException(category, getMessage(), plugin, operation, hint, cause);
        copy.setStackTrace(getStackTrace());
        return copy;
    }

    private CorcException copy(String newPlugin, String newOperation, String newHint) {
        CorcException copy = new CorcException(category, getMessage(), newPlugin, newOperation, newHint, getCause());
        copy.setStackTrace(getStackTrace());
        for (Throwable suppressed : getSuppressed()) {
            copy.addSuppressed(suppressed);
        }
        return copy;
    }

    public ErrorCategory category() {
        return category;
    }

    public Optional<String> plugin() {
        return Optional.ofNullable(plugin);
    }

    public Optional<String> operation() {
        return Optional.ofNullable(operation);
    }

    public Optional<String> hint() {
        return Optional.ofNullable(hint);
    }
}
