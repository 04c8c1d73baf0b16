package io.corc.broker;

import static io.corc.broker.TestGrid.await;
import static io.corc.broker.TestGrid.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.ResourceKind;
import io.corc.broker.BrokerConfig.SharedClass;
import io.corc.broker.protocol.Bodies;
import io.corc.broker.protocol.Envelope;
import io.corc.broker.protocol.MessageType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Owner-side guarantees: one unit is granted once, leases expire and are torn down, dead requesters cost nothing. */
class LeaseLifecycleTest {
    @TempDir
    Path dir;

    @Test
    void threeConcurrentRequestsForTheLastUnitGetExactlyOneGrant() throws Exception {
        try (TestGrid grid = new TestGrid(dir, "alpha", "beta", "gamma")) {
            GridBroker alpha =
                    grid.start(grid.config("alpha", SharedClass.of("last", "local", 1, 1, Duration.ofHours(1)))
                            .build());
            GridBroker beta = grid.start(grid.config("beta").build());
            GridBroker gamma = grid.start(grid.config("gamma").build());
            grid.awaitView(3);
            for (GridBroker b : List.of(beta, gamma)) {
                await(b.config().organisation() + " sees alpha's unit", () -> b.offers().stream()
                        .anyMatch(o -> o.organisation().equals("alpha")
                                && o.classes().get(0).available() == 1));
            }

            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(3);
            List<CompletableFuture<Lease>> results = new ArrayList<>();
            for (GridBroker b : List.of(alpha, beta, gamma)) {
                results.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                go.await();
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                            return b.request(request(1, Duration.ofMinutes(5), "user"));
                        },
                        pool));
            }
            go.countDown();
            List<Lease> granted = new ArrayList<>();
            List<Throwable> refused = new ArrayList<>();
            for (CompletableFuture<Lease> f : results) {
                try {
                    granted.add(f.get(30, TimeUnit.SECONDS));
                } catch (java.util.concurrent.ExecutionException e) {
                    refused.add(e.getCause());
                }
            }
            pool.shutdownNow();

            assertThat(granted).hasSize(1);
            assertThat(refused).hasSize(2).allSatisfy(e -> assertThat(e)
                    .isInstanceOfSatisfying(
                            CorcException.class, c -> assertThat(c.category()).isEqualTo(ErrorCategory.CAPACITY)));
            assertThat(alpha.leases())
                    .filteredOn(l -> l.state().holdsCapacity())
                    .hasSize(1);
            assertThat(grid.corc("alpha").list("local", ResourceKind.INSTANCE)).hasSize(1);
        }
    }

    @Test
    void anExpiredLeaseIsTornDownAndRenewalIsCappedAtTheMaximumLease() throws Exception {
        try (TestGrid grid = new TestGrid(dir, "alpha", "beta")) {
            GridBroker alpha =
                    grid.start(grid.config("alpha", SharedClass.of("short", "local", 1, 2, Duration.ofSeconds(3)))
                            .build());
            GridBroker beta = grid.start(grid.config("beta").build());
            grid.awaitView(2);
            await("beta sees alpha's offer", () -> beta.offers().size() == 2);

            Lease lease = beta.request(request(1, Duration.ofSeconds(1), "bob"));
            Path sandbox = Path.of(lease.endpoint().host());
            assertThat(sandbox).isDirectory();
            Lease renewed = beta.renew(lease.id(), Duration.ofHours(1));
            assertThat(renewed.expires()).isAfter(lease.expires());
            assertThat(renewed.reason()).contains("maximum lease");
            assertThat(Duration.between(lease.created(), renewed.expires())).isLessThanOrEqualTo(Duration.ofSeconds(5));
            // the resource's own TTL (gc, the on-resource timer) must not end a renewed lease early
            assertThat(grid.corc("alpha").list("local", ResourceKind.INSTANCE))
                    .singleElement()
                    .satisfies(r -> assertThat(r.expiresAt()).isAfterOrEqualTo(renewed.expires()));

            await(
                    "alpha tears the lease down at its expiry",
                    () -> !Files.exists(sandbox)
                            && grid.corc("alpha")
                                    .list("local", ResourceKind.INSTANCE)
                                    .isEmpty());
            assertThat(alpha.leases())
                    .filteredOn(l -> l.id().equals(lease.id()))
                    .singleElement()
                    .satisfies(l -> assertThat(l.state()).isEqualTo(LeaseState.EXPIRED));
            await("beta sees its lease expired", () -> beta.leases().stream()
                    .anyMatch(l -> l.id().equals(lease.id()) && l.state() == LeaseState.EXPIRED));
            assertThat(alpha.accounting()).singleElement().satisfies(u -> {
                assertThat(u.organisation()).isEqualTo("beta");
                assertThat(u.coreHours()).isPositive();
            });
            assertThat(Files.readString(alpha.config().accountingFile())).contains("\"beta\"");
        }
    }

    @Test
    void aRequesterKilledBetweenReserveAndConfirmLosesItsReservationAndTheCapacityReturns() throws Exception {
        try (TestGrid grid = new TestGrid(dir, "alpha", "mallory")) {
            GridBroker alpha =
                    grid.start(grid.config("alpha", SharedClass.of("one", "local", 1, 1, Duration.ofHours(1)))
                            .build());
            RawMember requester = new RawMember(
                    grid, grid.identities.get("mallory"), grid.config("mallory").build(), grid.trustAll());
            grid.awaitView(2);
            await("mallory's view", () -> requester.channel.getView().size() == 2);
            Map<String, Object> reserve = Map.of("class", "one", "ttl_ms", 60_000, "user", "m", "min_cores", 1);
            requester.unicast(
                    "alpha",
                    RawMember.signed(
                            requester.envelope(MessageType.RESERVE, "alpha", System.currentTimeMillis(), reserve),
                            requester.identity));
            Envelope granted = requester.next(MessageType.GRANTED);
            @SuppressWarnings("unchecked")
            Lease reserved = Bodies.leaseOf((Map<String, Object>) granted.body().get("lease"));
            assertThat(reserved.state()).isEqualTo(LeaseState.RESERVED);
            await("alpha offers no free unit", () -> freeAt(alpha, "alpha") == 0); // re-published after the reply

            requester.crash(); // no CONFIRM, no goodbye

            await("the reservation expires at alpha", () -> alpha.leases().stream()
                    .anyMatch(l -> l.id().equals(reserved.id()) && l.state() == LeaseState.EXPIRED));
            await("mallory leaves alpha's view", () -> alpha.peers().size() == 1);
            Lease local = alpha.request(request(1, Duration.ofMinutes(1), "ann"));
            assertThat(local.state()).isEqualTo(LeaseState.ACTIVE);
            assertThat(alpha.metricsRegistry().count(BrokerMetrics.LEASES_ENDED, "state", "reservation_expired"))
                    .isEqualTo(1);
        }
    }

    @Test
    void aRestartedOwnerKeepsItsActiveLeasesAndStillTearsThemDownAtTheirExpiry() {
        try (TestGrid grid = new TestGrid(dir, "alpha", "beta")) {
            BrokerConfig.Builder alphaConfig =
                    grid.config("alpha", SharedClass.of("one", "local", 1, 1, Duration.ofHours(1)));
            GridBroker alpha = grid.start(alphaConfig.build());
            GridBroker beta = grid.start(grid.config("beta").build());
            grid.awaitView(2);
            await("beta sees alpha's offer", () -> beta.offers().size() == 2);
            Lease lease = beta.request(request(1, Duration.ofSeconds(4), "bob"));
            Path sandbox = Path.of(lease.endpoint().host());

            alpha.halt(); // crash: the lease is only in alpha's state directory now
            grid.brokers.remove("alpha");
            GridBroker restarted =
                    grid.start(alphaConfig.port(TestGrid.freePort()).build());

            assertThat(restarted.leases())
                    .filteredOn(l -> l.id().equals(lease.id()))
                    .singleElement()
                    .satisfies(l -> assertThat(l.state()).isEqualTo(LeaseState.ACTIVE));
            await("the restarted owner offers no free unit", () -> freeAt(restarted, "alpha") == 0);
            assertThat(sandbox).isDirectory();
            await("the restarted owner tears the lease down at its expiry", () -> !Files.exists(sandbox));
            await("and offers the unit again", () -> freeAt(beta, "alpha") == 1);
        }
    }

    private static int freeAt(GridBroker viewer, String owner) {
        return viewer.offers().stream()
                .filter(o -> o.organisation().equals(owner))
                .mapToInt(o -> o.classes().get(0).available())
                .findFirst()
                .orElse(-1);
    }
}
