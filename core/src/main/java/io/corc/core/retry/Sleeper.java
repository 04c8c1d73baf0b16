package io.corc.core.retry;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waits between attempts; tests inject one that records the delays instead of waiting. */
@FunctionalInterface
public interface Sleeper {

    /** Blocks for {@code delay}; throws when the thread is interrupted meanwhile. */
    void sleep(Duration delay) throws InterruptedException;

    /** Really waits, with {@link TimeUnit#sleep(long)}. */
    static Sleeper system() {
        return delay -> TimeUnit.NANOSECONDS.sleep(delay.toNanos());
    }
}
