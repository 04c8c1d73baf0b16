package io.corc.broker;

import static io.corc.broker.TestGrid.await;
import static io.corc.broker.TestGrid.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.ResourceKind;
import io.corc.broker.BrokerConfig.SharedClass;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two brokers: join, offers replicated, a request served locally and one served by the peer. */
class GridBrokerTest {
    @TempDir
    Path dir;

    @Test
    void servesLocallyThenThroughThePeerAndTearsDownOnRelease() {
        try (TestGrid grid = new TestGrid(dir, "alpha", "beta")) {
            GridBroker alpha =
                    grid.start(grid.config("alpha", SharedClass.of("small", "local", 1, 1, Duration.ofHours(1)))
                            .build());
            GridBroker beta = grid.start(grid.config(
                            "beta",
                            SharedClass.of("big", "local", 1, 2, Duration.ofHours(1))
                                    .withPrice(0.5))
                    .build());
            grid.awaitView(2);
            assertThat(alpha.metrics()).contains("corc_broker_transport_encrypted 1");
            await("alpha knows beta's offer", () -> alpha.offers().stream()
                    .anyMatch(o -> o.organisation().equals("beta")
                            && o.classes().get(0).available() == 2));
            await("beta knows alpha's offer", () -> beta.offers().stream()
                    .anyMatch(o -> o.organisation().equals("alpha")));

            Lease local = alpha.request(request(1, Duration.ofMinutes(5), "ann"));
            assertThat(local.owner()).isEqualTo("alpha");
            assertThat(local.local()).isTrue();
            assertThat(local.state()).isEqualTo(LeaseState.ACTIVE);
            assertThat(Path.of(local.endpoint().host())).isDirectory();

            List<String> steps = new java.util.concurrent.CopyOnWriteArrayList<>();
            Lease remote = alpha.request(
                    request(1, Duration.ofMinutes(5), "ann"), (step, done, total) -> steps.add(step + " " + done));
            assertThat(steps).containsExactly(BrokerService.GRANTED_STEP + " 1", BrokerService.ACTIVE_STEP + " 2");
            assertThat(remote.owner()).isEqualTo("beta");
            assertThat(remote.requester()).isEqualTo("alpha");
            assertThat(remote.state()).isEqualTo(LeaseState.ACTIVE);
            Path sandbox = Path.of(remote.endpoint().host());
            assertThat(sandbox).isDirectory();
            assertThat(grid.corc("beta").get("local", ResourceKind.INSTANCE, remote.resourceId()))
                    .isPresent();
            assertThat(beta.leases()).extracting(Lease::id).contains(remote.id());
            assertThat(alpha.metricsRegistry().value(BrokerMetrics.REQUEST_MESSAGES))
                    .isEqualTo(4);
            await("beta offers one free unit", () -> alpha.offers().stream()
                    .anyMatch(o -> o.organisation().equals("beta")
                            && o.classes().get(0).available() == 1));

            Lease released = alpha.release(remote.id());
            assertThat(released.state()).isEqualTo(LeaseState.RELEASED);
            assertThat(Files.exists(sandbox)).isFalse();
            assertThat(grid.corc("beta").get("local", ResourceKind.INSTANCE, remote.resourceId()))
                    .isEmpty();
            assertThat(beta.accounting()).anySatisfy(u -> {
                assertThat(u.organisation()).isEqualTo("alpha");
                assertThat(u.leasesGranted()).isEqualTo(1);
                assertThat(u.activeLeases()).isZero();
            });
            assertThat(alpha.release(remote.id()).state()).isEqualTo(LeaseState.RELEASED);
            assertThat(alpha.release(local.id()).state()).isEqualTo(LeaseState.RELEASED);
            assertThat(Files.exists(Path.of(local.endpoint().host()))).isFalse();
        }
    }

    @Test
    void aRequestNobodyCanServeIsCapacityAndOneAboveEveryMaxLeaseIsInvalid() {
        try (TestGrid grid = new TestGrid(dir, "alpha")) {
            GridBroker alpha =
                    grid.start(grid.config("alpha", SharedClass.of("small", "local", 1, 1, Duration.ofHours(1)))
                            .gridKey(dir.resolve("no-such-grid.key"))
                            .build());
            assertThat(alpha.config().effectiveEncryption()).isEqualTo(BrokerConfig.TransportSecurity.ASYM);
            assertThat(alpha.metrics()).contains("corc_broker_transport_encrypted 1");

            assertThatThrownBy(() -> grid.start(
                            grid.config("alpha", SharedClass.of("gpu", "no-such-cloud", 8, 1, Duration.ofHours(1)))
                                    .build()))
                    .isInstanceOf(CorcException.class)
                    .hasMessageContaining("shared class gpu names provider no-such-cloud");
            assertThatThrownBy(() -> alpha.request(request(64, Duration.ofMinutes(5), "ann")))
                    .isInstanceOfSatisfying(
                            CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY));
            assertThatThrownBy(() -> alpha.request(request(1, Duration.ofHours(3), "ann")))
                    .isInstanceOfSatisfying(
                            CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT));
        }
    }

    @Test
    void aClassSharedWithNamedMembersIsNeitherOfferedToNorGrantedToOthers() {
        try (TestGrid grid = new TestGrid(dir, "alpha", "beta", "gamma")) {
            SharedClass onlyGamma = SharedClass.of("private", "local", 1, 2, Duration.ofHours(1))
                    .withMembers(List.of("gamma"));
            grid.start(grid.config("alpha", onlyGamma).build());
            GridBroker beta = grid.start(grid.config("beta").build());
            GridBroker gamma = grid.start(grid.config("gamma").build());
            grid.awaitView(3);
            await("gamma sees the class", () -> gamma.offers().stream()
                    .anyMatch(
                            o -> o.organisation().equals("alpha") && o.classes().size() == 1));
            await("beta has alpha's offer", () -> beta.offers().stream()
                    .anyMatch(o -> o.organisation().equals("alpha")));

            assertThat(beta.offers())
                    .filteredOn(o -> o.organisation().equals("alpha"))
                    .singleElement()
                    .satisfies(o -> assertThat(o.classes()).isEmpty());
            assertThatThrownBy(() -> beta.request(request(1, Duration.ofMinutes(1), "bob")))
                    .isInstanceOfSatisfying(
                            CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY));
            assertThat(gamma.request(request(1, Duration.ofMinutes(1), "gil")).owner())
                    .isEqualTo("alpha");
        }
    }

    @Test
    void aMemberWhoseKeyIsRemovedFromTheTrustStoreLosesItsOffersAtOnce() {
        try (TestGrid grid = new TestGrid(dir, "alpha", "beta")) {
            // offers that would stay a minute: only the trust change can take alpha's away within the test
            grid.start(grid.config("alpha", SharedClass.of("small", "local", 1, 2, Duration.ofHours(1)))
                    .offerTtl(Duration.ofMinutes(1))
                    .build());
            TrustStore betaTrusts = grid.trustAll();
            GridBroker beta = grid.start(grid.config("beta").build(), betaTrusts);
            grid.awaitView(2);
            await("beta has alpha's offer", () -> beta.offers().stream()
                    .anyMatch(o -> o.organisation().equals("alpha")));

            assertThat(betaTrusts.remove("alpha")).isTrue();

            await("alpha's offer gone from beta", () -> beta.offers().stream()
                    .noneMatch(o -> o.organisation().equals("alpha")));
            assertThatThrownBy(() -> beta.request(request(1, Duration.ofMinutes(1), "bob")))
                    .isInstanceOfSatisfying(
                            CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY));
        }
    }

    @Test
    void anOwnerThatStopsTellsItsRequestersTheirLeasesEnded() {
        try (TestGrid grid = new TestGrid(dir, "alpha", "beta")) {
            GridBroker alpha =
                    grid.start(grid.config("alpha", SharedClass.of("small", "local", 1, 2, Duration.ofHours(1)))
                            .build());
            GridBroker beta = grid.start(grid.config("beta").build());
            grid.awaitView(2);
            await("beta has alpha's offer", () -> beta.offers().stream()
                    .anyMatch(o -> o.organisation().equals("alpha")));
            Lease lease = beta.request(request(1, Duration.ofMinutes(10), "bob"));

            alpha.close(); // graceful: tears down what it serves
            grid.brokers.remove("alpha");

            // without word from alpha, beta would list the lease as active for its ten minutes
            await("beta knows the lease ended", () -> beta.leases().stream()
                    .anyMatch(l -> l.id().equals(lease.id()) && l.state() != LeaseState.ACTIVE));
            assertThat(beta.leases())
                    .filteredOn(l -> l.id().equals(lease.id()))
                    .singleElement()
                    .satisfies(l -> {
                        assertThat(l.state()).isEqualTo(LeaseState.RELEASED);
                        assertThat(l.reason()).contains("the owner's broker stopped");
                    });
            assertThat(beta.status().leasesHeld()).isZero();
        }
    }
}
