package io.corc.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for a cloud object to reach a state, for providers whose APIs offer no way to be told. */
public final class Polling {
    private Polling() {}

    /**
     * Returns once {@code condition} holds, asking it again after each {@code interval}.
     *
     * @param what what is awaited, for the message ("instance i-1 to run")
     * @param hint what the user can do when it never holds
     * @throws CorcException UNAVAILABLE naming {@code what} and the timeout when it did not hold within {@code
     *     timeout}; CANCELLED when the thread is interrupted
     */
    public static void until(String what, Duration timeout, Duration interval, BooleanSupplier condition, String hint) {
        requireNonNull(condition, "condition is null");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new CorcException(
                                ErrorCategory.UNAVAILABLE,
                                "timed out after " + timeout.toSeconds() + " s waiting for " + what)
                        .withHint(hint);
            }
            try {
                Thread.sleep(interval.toMillis()); // a remote state: there is nothing local to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CorcException(ErrorCategory.CANCELLED, "interrupted while waiting for " + what);
            }
        }
    }
}
