package io.corc.core.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RetryPolicyTest {
    private final RecordingSleeper sleeper = new RecordingSleeper();

    @AfterEach
    void clearInterruptFlag() {
        Thread.interrupted();
    }

    private RetryPolicy.Builder policy() {
        return RetryPolicy.builder()
                .maxAttempts(6)
                .initialDelay(Duration.ofMillis(100))
                .maxDelay(Duration.ofMillis(500))
                .multiplier(2)
                .sleeper(sleeper)
                .random(() -> 0.5);
    }

    @ParameterizedTest
    @EnumSource(
            value = ErrorCategory.class,
            names = {"THROTTLED", "UNAVAILABLE"})
    void retriesTransientFailuresUntilSuccess(ErrorCategory category) {
        FailingAction action = new FailingAction(3, category);

        String result = policy().build().call("instance start", action);

        assertThat(result).isEqualTo("done");
        assertThat(action.calls.get()).isEqualTo(4);
        assertThat(sleeper.delays())
                .containsExactly(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void delaysGrowAndAreCappedAtMaxDelay() {
        RetryPolicy policy = policy().build();

        assertThat(policy.delayBeforeAttempt(1)).isZero();
        assertThat(List.of(2, 3, 4, 5, 6, 30).stream().map(policy::delayBeforeAttempt))
                .containsExactly(
                        Duration.ofMillis(100),
                        Duration.ofMillis(200),
                        Duration.ofMillis(400),
                        Duration.ofMillis(500),
                        Duration.ofMillis(500),
                        Duration.ofMillis(500));
    }

    @Test
    void fullJitterUsesTheWholeRangeUpToTheBound() {
        List<Double> fractions = new ArrayList<>(List.of(0.0, 0.75, 0.25));
        FailingAction action = new FailingAction(3, ErrorCategory.UNAVAILABLE);

        policy().random(() -> fractions.remove(0)).build().call("get", action);

        assertThat(sleeper.delays()).containsExactly(Duration.ZERO, Duration.ofMillis(150), Duration.ofMillis(100));
    }

    @ParameterizedTest
    @EnumSource(
            value = ErrorCategory.class,
            names = {"NOT_FOUND", "AUTHENTICATION", "INVALID_INPUT", "CAPACITY", "CONFLICT", "INTERNAL"})
    void stopsAtOnceOnPermanentFailures(ErrorCategory category) {
        FailingAction action = new FailingAction(10, category);

        CorcException thrown =
                catchThrowableOfType(CorcException.class, () -> policy().build().call("get", action));

        assertThat(thrown.category()).isEqualTo(category);
        assertThat(action.calls.get()).isEqualTo(1);
        assertThat(sleeper.delays()).isEmpty();
    }

    @Test
    void exceptionsOtherThanCorcExceptionAreNotRetriedByDefault() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> policy().build().run("get", () -> {
                    calls.incrementAndGet();
                    throw new IllegalStateException("bug");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void lastFailureIsRethrownWithTheEarlierOnesSuppressed() {
        FailingAction action = new FailingAction(100, ErrorCategory.THROTTLED);

        CorcException thrown = catchThrowableOfType(
                CorcException.class, () -> policy().maxAttempts(3).build().call("list", action));

        assertThat(action.calls.get()).isEqualTo(3);
        assertThat(sleeper.delays()).hasSize(2);
        assertThat(thrown).isSameAs(action.failures.get(2));
        assertThat(thrown.getSuppressed()).containsExactly(action.failures.get(0), action.failures.get(1));
    }

    @Test
    void permanentFailureAfterTransientOnesCarriesThemAsSuppressed() {
        List<CorcException> failures = List.of(
                new CorcException(ErrorCategory.UNAVAILABLE, "503"),
                new CorcException(ErrorCategory.NOT_FOUND, "gone"));
        AtomicInteger calls = new AtomicInteger();

        CorcException thrown =
                catchThrowableOfType(CorcException.class, () -> policy().build().run("stop", () -> {
                    throw failures.get(calls.getAndIncrement());
                }));

        assertThat(thrown).isSameAs(failures.get(1));
        assertThat(thrown.getSuppressed()).containsExactly(failures.get(0));
    }

    @Test
    void customPredicateDecidesWhatIsRetried() {
        AtomicInteger calls = new AtomicInteger();

        int result = policy().retryOn(e -> e instanceof IllegalStateException)
                .build()
                .call("count", () -> {
                    if (calls.incrementAndGet() < 3) {
                        throw new IllegalStateException("flaky");
                    }
                    return calls.get();
                });

        assertThat(result).isEqualTo(3);
    }

    @Test
    void interruptWhileWaitingCancelsAndKeepsTheInterruptFlag() {
        FailingAction action = new FailingAction(5, ErrorCategory.UNAVAILABLE);
        RetryPolicy policy = policy().sleeper(RecordingSleeper.interrupting()).build();

        CorcException thrown = catchThrowableOfType(CorcException.class, () -> policy.call("instance start", action));

        assertThat(thrown.category()).isEqualTo(ErrorCategory.CANCELLED);
        assertThat(thrown.getMessage()).contains("instance start");
        assertThat(thrown.getCause()).isInstanceOf(InterruptedException.class);
        assertThat(thrown.getSuppressed()).containsExactly(action.failures.get(0));
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
        assertThat(action.calls.get()).isEqualTo(1);
    }

    @Test
    void defaultsArePinned() {
        RetryPolicy defaults = RetryPolicy.defaults();

        assertThat(defaults.maxAttempts()).isEqualTo(5);
        assertThat(defaults.delayBeforeAttempt(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(defaults.delayBeforeAttempt(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(defaults.delayBeforeAttempt(8)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.builder().multiplier(0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.builder().initialDelay(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.builder()
                        .initialDelay(Duration.ofSeconds(2))
                        .maxDelay(Duration.ofSeconds(1))
                        .build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Fails {@code failures} times with {@code category}, then returns "done". */
    private static final class FailingAction implements Supplier<String> {
        final AtomicInteger calls = new AtomicInteger();
        final List<CorcException> failures = new ArrayList<>();
        private final int failuresBeforeSuccess;
        private final ErrorCategory category;

        FailingAction(int failuresBeforeSuccess, ErrorCategory category) {
            this.failuresBeforeSuccess = failuresBeforeSuccess;
            this.category = category;
        }

        @Override
        public String get() {
            if (calls.incrementAndGet() <= failuresBeforeSuccess) {
                CorcException failure = new CorcException(category, "attempt " + calls.get() + " failed");
                failures.add(failure);
                throw failure;
            }
            return "done";
        }
    }
}
