package io.corc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PollingTest {

    @Test
    void returnsOnceTheConditionHoldsAskingAgainAfterEachInterval() {
        AtomicInteger asked = new AtomicInteger();

        Polling.until(
                "the third look",
                Duration.ofSeconds(10),
                Duration.ofMillis(1),
                () -> asked.incrementAndGet() == 3,
                "-");

        assertThat(asked).hasValue(3);
    }

    @Test
    void aConditionThatNeverHoldsIsUnavailableNamingWhatAndTheHint() {
        assertThatThrownBy(() -> Polling.until(
                        "instance i-1 to run", Duration.ZERO, Duration.ofMillis(1), () -> false, "check the console"))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE);
                    assertThat(e.getMessage()).isEqualTo("timed out after 0 s waiting for instance i-1 to run");
                    assertThat(e.hint()).hasValue("check the console");
                });
    }

    @Test
    void anInterruptedWaitIsCancelledAndKeepsTheInterrupt() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(
                            () -> Polling.until("x", Duration.ofSeconds(10), Duration.ofSeconds(1), () -> false, "-"))
                    .isInstanceOfSatisfying(
                            CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.CANCELLED));
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
