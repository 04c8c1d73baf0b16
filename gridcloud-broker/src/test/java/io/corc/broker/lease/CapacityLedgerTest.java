package io.corc.broker.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.Endpoint;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceState;
import io.corc.broker.BrokerConfig.Quota;
import io.corc.broker.BrokerConfig.SharedClass;
import io.corc.broker.Lease;
import io.corc.broker.LeaseState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The owner's policy, on a clock the test moves. */
class CapacityLedgerTest {
    private final MovableClock clock = new MovableClock();
    private final SharedClass gpu = new SharedClass(
            "gpu",
            "local",
            8,
            64,
            1,
            "A100",
            3,
            2.0,
            0,
            List.of(),
            Duration.ofHours(2),
            List.of("beta", "gamma", "eps"),
            1,
            Map.of());
    private final CapacityLedger ledger = new CapacityLedger(
            "alpha",
            List.of(gpu),
            m -> m.equals("gamma") ? new Quota(1, 0) : m.equals("eps") ? new Quota(5, 8) : new Quota(5, 0),
            Duration.ofSeconds(30),
            clock);

    @Test
    void peersGetTheUnitsNotKeptForLocalUsersAndLocalUsersGetTheRest() throws Refusal {
        assertThat(ledger.availableToPeers("gpu")).isEqualTo(2);
        ledger.reserve("beta", "b", "gpu", Duration.ofHours(1));
        ledger.reserve("beta", "b", "gpu", Duration.ofHours(1));

        assertThat(ledger.availableToPeers("gpu")).isZero();
        assertThatThrownBy(() -> ledger.reserve("gamma", "g", "gpu", Duration.ofHours(1)))
                .isInstanceOfSatisfying(
                        Refusal.class, r -> assertThat(r.reason()).isEqualTo(Refusal.NO_CAPACITY));
        assertThat(ledger.reserve("alpha", "a", "gpu", Duration.ofHours(1)).state())
                .isEqualTo(LeaseState.RESERVED);
        assertThatThrownBy(() -> ledger.reserve("alpha", "a", "gpu", Duration.ofHours(1)))
                .isInstanceOfSatisfying(
                        Refusal.class, r -> assertThat(r.reason()).isEqualTo(Refusal.NO_CAPACITY));
    }

    @Test
    void aReleaseDuringTheStartEndsTheLeaseWhenTheStartReturns() throws Refusal {
        Lease reserved = ledger.reserve("beta", "b", "gpu", Duration.ofHours(1));
        ledger.beginConfirm(reserved.id(), "beta");

        CapacityLedger.Entry pending = ledger.release(reserved.id(), "beta");
        assertThat(pending.lease().state()).isEqualTo(LeaseState.RESERVED);
        assertThat(ledger.availableToPeers("gpu")).isEqualTo(1); // still held while the provider works

        ledger.activate(reserved.id(), resource());
        CapacityLedger.Entry ended = ledger.releaseIfRequested(reserved.id());
        assertThat(ended).isNotNull();
        assertThat(ended.lease().state()).isEqualTo(LeaseState.RELEASED);
        assertThat(ended.lease().resourceId()).isEqualTo("local-1");
        assertThat(ledger.availableToPeers("gpu")).isEqualTo(2);
        assertThat(ledger.releaseIfRequested(reserved.id())).isNull();
    }

    @Test
    void membershipQuotasAndMaximumLeaseAreEnforced() throws Refusal {
        assertThatThrownBy(() -> ledger.reserve("delta", "d", "gpu", Duration.ofHours(1)))
                .isInstanceOfSatisfying(
                        Refusal.class, r -> assertThat(r.reason()).isEqualTo(Refusal.NOT_SHARED));
        assertThatThrownBy(() -> ledger.reserve("beta", "b", "gpu", Duration.ofHours(3)))
                .isInstanceOfSatisfying(
                        Refusal.class, r -> assertThat(r.reason()).isEqualTo(Refusal.MAX_LEASE));
        ledger.reserve("gamma", "g", "gpu", Duration.ofHours(1));
        assertThatThrownBy(() -> ledger.reserve("gamma", "g", "gpu", Duration.ofHours(1)))
                .isInstanceOfSatisfying(
                        Refusal.class, r -> assertThat(r.reason()).isEqualTo(Refusal.QUOTA));
        ledger.reserve("eps", "e", "gpu", Duration.ofHours(1)); // 8 cores
        assertThatThrownBy(() -> ledger.reserve("eps", "e", "gpu", Duration.ofHours(1))) // 8 + 8 cores > 8
                .isInstanceOfSatisfying(
                        Refusal.class, r -> assertThat(r.reason()).isEqualTo(Refusal.QUOTA))
                .hasMessageContaining("8 core(s)");
    }

    @Test
    void reservationsExpireUnlessConfirmedAndActiveLeasesAtTheirTtl() throws Refusal {
        Lease forgotten = ledger.reserve("beta", "b", "gpu", Duration.ofMinutes(10));
        Lease confirmed = ledger.reserve("beta", "b", "gpu", Duration.ofMinutes(10));
        ledger.beginConfirm(confirmed.id(), "beta");
        assertThatThrownBy(() -> ledger.beginConfirm(confirmed.id(), "beta")).isInstanceOf(Refusal.class);
        assertThatThrownBy(() -> ledger.beginConfirm(forgotten.id(), "gamma"))
                .isInstanceOfSatisfying(
                        Refusal.class, r -> assertThat(r.reason()).isEqualTo(Refusal.NOT_YOURS));

        clock.advance(Duration.ofSeconds(31));
        CapacityLedger.Due due = ledger.expireDue();
        assertThat(due.reservations()).extracting(Lease::id).containsExactly(forgotten.id());
        assertThat(ledger.holdingCount()).isEqualTo(1); // the one being orchestrated does not expire meanwhile

        Lease active = ledger.activate(confirmed.id(), resource());
        assertThat(active.expires()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));
        Lease renewed = ledger.renew(confirmed.id(), "beta", Duration.ofHours(5));
        assertThat(renewed.expires()).isEqualTo(clock.instant().plus(Duration.ofHours(2)));
        clock.advance(Duration.ofHours(2));
        assertThat(ledger.expireDue().active())
                .extracting(e -> e.lease().state())
                .containsExactly(LeaseState.EXPIRED);
        assertThat(ledger.availableToPeers("gpu")).isEqualTo(2);
    }

    private static Resource resource() {
        return new Resource(
                "local-1",
                "local",
                ResourceKind.INSTANCE,
                "x",
                ResourceState.RUNNING,
                List.of(new Endpoint("ssh", "10.0.0.1", 22, "corc")),
                null,
                Instant.EPOCH,
                null,
                null);
    }

    private static final class MovableClock extends Clock {
        private Instant now = Instant.parse("2026-12-04T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
