package io.corc.broker;

import static io.corc.broker.TestGrid.await;
import static io.corc.broker.TestGrid.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.broker.BrokerConfig.SharedClass;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jgroups.Address;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Members join and leave at runtime, crash, and split and merge; the owner alone grants its units throughout. */
class MembershipTest {
    @TempDir
    Path dir;

    @Test
    void membersJoinLeaveAndCrashAtRuntimeAndTheirOffersGoWithThem() {
        try (TestGrid grid = new TestGrid(dir, "alpha", "beta", "gamma")) {
            Path noGridKey = dir.resolve("no-grid-key"); // these brokers encrypt with ASYM_ENCRYPT
            GridBroker alpha = grid.start(grid.config("alpha", SharedClass.of("a", "local", 1, 1, Duration.ofHours(1)))
                    .gridKey(noGridKey)
                    .build());
            GridBroker beta = grid.start(grid.config("beta", SharedClass.of("b", "local", 1, 1, Duration.ofHours(1)))
                    .gridKey(noGridKey)
                    .build());
            grid.awaitView(2);

            GridBroker gamma = grid.start(grid.config("gamma", SharedClass.of("g", "local", 1, 1, Duration.ofHours(1)))
                    .gridKey(noGridKey)
                    .build());
            grid.awaitView(3);
            for (GridBroker b : List.of(alpha, beta, gamma)) {
                await(
                        b.config().organisation() + " has all three offers",
                        () -> b.offers().size() == 3);
            }
            assertThat(alpha.peers())
                    .extracting(Peer::organisation)
                    .containsExactlyInAnyOrder("alpha", "beta", "gamma");
            assertThat(alpha.peers()).allSatisfy(p -> assertThat(p.trusted()).isTrue());
            assertThat(alpha.status().members()).hasSize(3);
            assertThat(alpha.config().effectiveEncryption()).isEqualTo(BrokerConfig.TransportSecurity.ASYM);

            gamma.close(); // graceful: leaves the view at once
            grid.brokers.remove("gamma");
            grid.awaitView(2);
            assertThat(alpha.offers()).extracting(MemberOffer::organisation).containsExactly("alpha", "beta");

            beta.halt(); // crash: no goodbye
            grid.brokers.remove("beta");
            await("alpha notices beta is gone", () -> alpha.peers().size() == 1);
            assertThat(alpha.offers()).extracting(MemberOffer::organisation).containsExactly("alpha");
            assertThatThrownBy(() -> alpha.request(
                            request(1, Duration.ofMinutes(1), "ann").withOptions(Map.of("member", "beta"))))
                    .isInstanceOfSatisfying(
                            CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY));
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = BrokerConfig.TransportSecurity.class,
            names = {"SYM", "ASYM"})
    void afterAPartitionHealsTheViewsMergeAndTheOwnersUnitIsStillGrantedOnce(BrokerConfig.TransportSecurity security) {
        try (TestGrid grid = new TestGrid(dir.resolve(security.name()), "alpha", "beta", "gamma")) {
            GridBroker alpha = grid.start(
                    fast(grid.config("alpha", SharedClass.of("one", "local", 1, 1, Duration.ofHours(1))), security));
            GridBroker beta = grid.start(fast(grid.config("beta"), security));
            GridBroker gamma = grid.start(fast(grid.config("gamma"), security));
            grid.awaitView(3);
            await("gamma sees alpha's unit", () -> gamma.offers().stream()
                    .anyMatch(o -> o.organisation().equals("alpha")
                            && o.classes().get(0).available() == 1));

            DISCARD[] discards = partition(List.of(alpha, beta), List.of(gamma));
            await(
                    "the views split",
                    () -> gamma.peers().size() == 1
                            && alpha.peers().size() == 2
                            && beta.peers().size() == 2);
            Lease lease = beta.request(request(1, Duration.ofMinutes(5), "bob"));
            assertThat(lease.owner()).isEqualTo("alpha");
            assertThatThrownBy(() -> gamma.request(request(1, Duration.ofMinutes(5), "gil")))
                    .isInstanceOfSatisfying(
                            CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY));

            for (DISCARD discard : discards) {
                discard.resetIgnoredMembers();
            }
            grid.awaitView(3);
            await("gamma learns alpha's unit is taken", () -> gamma.offers().stream()
                    .anyMatch(o -> o.organisation().equals("alpha")
                            && o.classes().get(0).available() == 0));
            assertThatThrownBy(() -> gamma.request(request(1, Duration.ofMinutes(5), "gil")))
                    .isInstanceOfSatisfying(
                            CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY));
            assertThat(alpha.leases())
                    .filteredOn(l -> l.state().holdsCapacity())
                    .singleElement()
                    .satisfies(l -> assertThat(l.requester()).isEqualTo("beta"));
            assertThat(alpha.metricsRegistry().value(BrokerMetrics.OWNER_GRANTS))
                    .isEqualTo(1);
            assertThat(beta.release(lease.id()).state()).isEqualTo(LeaseState.RELEASED);
            await("gamma sees the unit free again", () -> gamma.offers().stream()
                    .anyMatch(o -> o.organisation().equals("alpha")
                            && o.classes().get(0).available() == 1));
            assertThat(gamma.request(request(1, Duration.ofMinutes(5), "gil")).owner())
                    .isEqualTo("alpha");
        }
    }

    /** Failure detection and merging at their quickest for this test. */
    private static BrokerConfig fast(BrokerConfig.Builder config, BrokerConfig.TransportSecurity security) {
        return config.encryption(security)
                .failureTimeout(Duration.ofMillis(1200))
                .mergeInterval(Duration.ofMillis(1200))
                .build();
    }

    /** Inserts DISCARD into every channel so that the two sides drop each other's messages. */
    private static DISCARD[] partition(List<GridBroker> left, List<GridBroker> right) {
        List<Address> leftAddresses =
                left.stream().map(b -> b.channel().getAddress()).toList();
        List<Address> rightAddresses =
                right.stream().map(b -> b.channel().getAddress()).toList();
        DISCARD[] discards = new DISCARD[left.size() + right.size()];
        int i = 0;
        for (GridBroker b : left) {
            discards[i++] = discard(b, rightAddresses);
        }
        for (GridBroker b : right) {
            discards[i++] = discard(b, leftAddresses);
        }
        return discards;
    }

    private static DISCARD discard(GridBroker broker, List<Address> ignored) {
        DISCARD discard = new DISCARD();
        discard.setAddress(broker.channel().getAddress());
        try {
            broker.channel().getProtocolStack().insertProtocol(discard, ProtocolStack.Position.ABOVE, TP.class);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        discard.addIgnoredMembers(ignored.toArray(Address[]::new));
        return discard;
    }
}
