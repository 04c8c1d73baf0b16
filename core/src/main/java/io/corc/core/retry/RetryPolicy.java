package io.corc.core.retry;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Retries an action that failed transiently, waiting with exponential backoff and full jitter: before attempt
 * {@code n} (n &ge; 2) it waits a random time in {@code [0, min(maxDelay, initialDelay * multiplier^(n-2))]}. A
 * failure the predicate rejects is rethrown at once; after the last attempt the last failure is rethrown with the
 * earlier ones attached as suppressed exceptions. Immutable and thread-safe.
 */
public final class RetryPolicy {
    private static final System.Logger LOGGER = System.getLogger(RetryPolicy.class.getName());

    private final int maxAttempts;
    private final Duration initialDelay;
    private final Duration maxDelay;
    private final double multiplier;
    private final Predicate<Throwable> retryOn;
    private final Sleeper sleeper;
    private final DoubleSupplier random;

    private RetryPolicy(Builder builder) {
        this.maxAttempts = builder.maxAttempts;
        this.initialDelay = builder.initialDelay;
        this.maxDelay = builder.maxDelay;
        this.multiplier = builder.multiplier;
        this.retryOn = builder.retryOn;
        this.sleeper = builder.sleeper;
        this.random = builder.random;
    }

    /** 5 attempts, 200 ms initial delay doubling up to 10 s, retrying transient {@link CorcException}s. */
    public static RetryPolicy defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The default predicate: a {@link CorcException} whose category {@link ErrorCategory#isTransient()}. */
    public static boolean isTransient(Throwable failure) {
        return failure instanceof CorcException corc && corc.category().isTransient();
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * The longest wait before attempt {@code attempt} (1-based): zero for the first, then {@code initialDelay}
     * growing by {@code multiplier} up to {@code maxDelay}. The actual wait is a uniform random fraction of it.
     */
    public Duration delayBeforeAttempt(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1, got " + attempt);
        }
        if (attempt == 1) {
            return Duration.ZERO;
        }
        double nanos = initialDelay.toNanos() * Math.pow(multiplier, attempt - 2.0);
        return nanos >= maxDelay.toNanos() ? maxDelay : Duration.ofNanos((long) nanos);
    }

    /** Runs {@code action} until it succeeds, fails permanently or runs out of attempts. */
    public <T> T call(String operation, Supplier<T> action) {
        requireNonNull(operation, "operation is null");
        requireNonNull(action, "action is null");
        List<RuntimeException> failures = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            try {
                return action.get();
            } catch (RuntimeException failure) {
                if (!retryOn.test(failure) || attempt >= maxAttempts) {
                    throw withEarlier(failure, failures);
                }
                failures.add(failure);
                Duration delay = jittered(delayBeforeAttempt(attempt + 1));
                LOGGER.log(
                        Level.DEBUG,
                        () -> operation + " failed (" + describe(failure) + "), retrying in " + delay.toMillis()
                                + " ms");
                pause(operation, delay, failures);
            }
        }
    }

    /** Like {@link #call(String, Supplier)} for an action without result. */
    public void run(String operation, Runnable action) {
        requireNonNull(action, "action is null");
        call(operation, () -> {
            action.run();
            return null;
        });
    }

    private Duration jittered(Duration bound) {
        double fraction = Math.min(1.0, Math.max(0.0, random.getAsDouble()));
        return Duration.ofNanos((long) (bound.toNanos() * fraction));
    }

    private void pause(String operation, Duration delay, List<RuntimeException> failures) {
        try {
            sleeper.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CorcException cancelled = new CorcException(
                    ErrorCategory.CANCELLED,
                    operation + " was cancelled while waiting to retry",
                    null,
                    operation,
                    null,
                    e);
            failures.forEach(cancelled::addSuppressed);
            throw cancelled;
        }
    }

    private static RuntimeException withEarlier(RuntimeException last, List<RuntimeException> earlier) {
        for (RuntimeException failure : earlier) {
            if (failure != last) {
                last.addSuppressed(failure);
            }
        }
        return last;
    }

    private static String describe(Throwable failure) {
        return failure instanceof CorcException corc
                ? corc.category().name()
                : failure.getClass().getSimpleName();
    }

    /** Builds a {@link RetryPolicy}; every setting starts at the value of {@link #defaults()}. */
    public static final class Builder {
        private int maxAttempts = 5;
        private Duration initialDelay = Duration.ofMillis(200);
        private Duration maxDelay = Duration.ofSeconds(10);
        private double multiplier = 2.0;
        private Predicate<Throwable> retryOn = RetryPolicy::isTransient;
        private Sleeper sleeper = Sleeper.system();
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

        private Builder() {}

        /** Attempts in all, including the first; at least 1. */
        public Builder maxAttempts(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, got " + value);
            }
            this.maxAttempts = value;
            return this;
        }

        public Builder initialDelay(Duration value) {
            this.initialDelay = nonNegative(value, "initialDelay");
            return this;
        }

        public Builder maxDelay(Duration value) {
            this.maxDelay = nonNegative(value, "maxDelay");
            return this;
        }

        /** Growth factor of the delay bound per attempt; at least 1. */
        public Builder multiplier(double value) {
            if (!(value >= 1.0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException("multiplier must be a finite number >= 1, got " + value);
            }
            this.multiplier = value;
            return this;
        }

        /** Which failures are worth another attempt. */
        public Builder retryOn(Predicate<Throwable> value) {
            this.retryOn = requireNonNull(value, "retryOn is null");
            return this;
        }

        public Builder sleeper(Sleeper value) {
            this.sleeper = requireNonNull(value, "sleeper is null");
            return this;
        }

        /** Source of the jitter fraction, a value in [0, 1). */
        public Builder random(DoubleSupplier value) {
            this.random = requireNonNull(value, "random is null");
            return this;
        }

        /** Jitter from a {@link RandomGenerator} (e.g. a seeded one in tests). */
        public Builder random(RandomGenerator value) {
            requireNonNull(value, "random is null");
            return random((DoubleSupplier) value::nextDouble);
        }

        public RetryPolicy build() {
            if (maxDelay.compareTo(initialDelay) < 0) {
                throw new IllegalArgumentException(
                        "maxDelay " + maxDelay + " must not be shorter than initialDelay " + initialDelay);
            }
            return new RetryPolicy(this);
        }

        private static Duration nonNegative(Duration value, String name) {
            requireNonNull(value, name + " is null");
            if (value.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative, got " + value);
            }
            return value;
        }
    }
}
