package io.corc.broker;

import static io.corc.broker.TestGrid.await;
import static io.corc.broker.TestGrid.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.ResourceKind;
import io.corc.broker.BrokerConfig.SharedClass;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requester-side guarantees across a restart: the leases a broker's users hold at peers are in its state directory,
 * so a broker that crashed still lists, renews and releases them once started again, and a graceful stop releases
 * them.
 */
class HeldLeasesRestartTest {
    @TempDir
    Path dir;

    @Test
    void aCrashedRequesterStillHoldsItsLeaseAfterARestartAndReleasesItAtTheOwner() throws Exception {
        try (TestGrid grid = new TestGrid(dir, "alpha", "beta")) {
            GridBroker alpha =
                    grid.start(grid.config("alpha", SharedClass.of("one", "local", 1, 1, Duration.ofHours(1)))
                            .build());
            BrokerConfig.Builder betaConfig = grid.config("beta");
            GridBroker beta = grid.start(betaConfig.build());
            grid.awaitView(2);
            await("beta sees alpha's offer", () -> hears(beta, "alpha"));
            Lease lease = beta.request(request(1, Duration.ofMinutes(10), "bob"));
            Path sandbox = Path.of(lease.endpoint().host());

            Path file = beta.config().heldLeasesFile();
            assertThat(Files.readString(file)).contains(lease.id()).doesNotContain("ssh-ed25519");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");

            beta.halt(); // crash: nothing released, the lease is only in beta's state directory now
            grid.brokers.remove("beta");
            GridBroker restarted =
                    grid.start(betaConfig.port(TestGrid.freePort()).build());

            assertThat(restarted.leases()).singleElement().satisfies(l -> {
                assertThat(l.id()).isEqualTo(lease.id());
                assertThat(l.owner()).isEqualTo("alpha");
                assertThat(l.state()).isEqualTo(LeaseState.ACTIVE);
                assertThat(l.endpoint()).isEqualTo(lease.endpoint());
            });
            assertThat(restarted.status().leasesHeld()).isEqualTo(1);
            await("the restarted beta hears from alpha", () -> hears(restarted, "alpha"));

            Lease renewed = restarted.renew(lease.id(), Duration.ofMinutes(5));
            assertThat(renewed.expires()).isAfter(lease.expires());
            Lease released = restarted.release(lease.id());
            assertThat(released.state()).isEqualTo(LeaseState.RELEASED);

            await(
                    "alpha tears the released lease down",
                    () -> !Files.exists(sandbox)
                            && grid.corc("alpha")
                                    .list("local", ResourceKind.INSTANCE)
                                    .isEmpty());
            assertThat(alpha.leases())
                    .filteredOn(l -> l.id().equals(lease.id()))
                    .singleElement()
                    .satisfies(l -> assertThat(l.state()).isEqualTo(LeaseState.RELEASED));
            assertThat(Files.readString(file)).doesNotContain(lease.id());
        }
    }

    @Test
    void aLeaseThatExpiredWhileTheRequesterWasDownIsListedAsExpiredNotActive() throws Exception {
        try (TestGrid grid = new TestGrid(dir, "alpha", "beta")) {
            grid.start(grid.config("alpha", SharedClass.of("one", "local", 1, 1, Duration.ofHours(1)))
                    .build());
            BrokerConfig.Builder betaConfig = grid.config("beta");
            Lease lease = leaseThenCrash(grid, betaConfig, Duration.ofSeconds(2));
            await("the lease's time runs out", () -> Instant.now().isAfter(lease.expires()));
            GridBroker restarted =
                    grid.start(betaConfig.port(TestGrid.freePort()).build());

            assertThat(restarted.leases()).singleElement().satisfies(l -> {
                assertThat(l.id()).isEqualTo(lease.id());
                assertThat(l.state()).isEqualTo(LeaseState.EXPIRED);
            });
            assertThat(restarted.status().leasesHeld()).isZero();
            assertThat(Files.readString(restarted.config().heldLeasesFile())).doesNotContain(lease.id());
        }
    }

    @Test
    void aRestartedRequesterWhoseOwnerIsNotInTheViewSaysUnavailableAndKeepsTheLease() throws Exception {
        try (TestGrid grid = new TestGrid(dir, "alpha", "beta")) {
            grid.start(grid.config("alpha", SharedClass.of("one", "local", 1, 1, Duration.ofHours(1)))
                    .build());
            BrokerConfig.Builder betaConfig = grid.config("beta");
            Lease lease = leaseThenCrash(grid, betaConfig, Duration.ofMinutes(10));
            int port = TestGrid.freePort(); // a grid of its own: alpha is never in its view
            GridBroker restarted = grid.start(betaConfig
                    .port(port)
                    .initialHosts(List.of("127.0.0.1[" + port + "]"))
                    .build());

            for (Runnable call : List.<Runnable>of(
                    () -> restarted.release(lease.id()), () -> restarted.renew(lease.id(), Duration.ofMinutes(1)))) {
                CorcException e = catchThrowableOfType(call::run, CorcException.class);
                assertThat(e).isNotNull();
                assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE);
                assertThat(e.getMessage()).contains("alpha").contains("not in the grid's view");
                assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("retry once alpha is back"));
            }
            assertThat(restarted.leases()).singleElement().satisfies(l -> assertThat(l.state())
                    .isEqualTo(LeaseState.ACTIVE));
            assertThat(Files.readString(restarted.config().heldLeasesFile())).contains(lease.id());
        }
    }

    @Test
    void aGracefulStopOfARestartedRequesterReleasesTheLeasesItResumed() throws Exception {
        try (TestGrid grid = new TestGrid(dir, "alpha", "beta")) {
            GridBroker alpha =
                    grid.start(grid.config("alpha", SharedClass.of("one", "local", 1, 1, Duration.ofHours(1)))
                            .build());
            BrokerConfig.Builder betaConfig = grid.config("beta");
            Lease lease = leaseThenCrash(grid, betaConfig, Duration.ofMinutes(10));
            Path sandbox = Path.of(lease.endpoint().host());
            GridBroker restarted =
                    grid.start(betaConfig.port(TestGrid.freePort()).build());
            await("the restarted beta hears from alpha", () -> hears(restarted, "alpha"));
            restarted.close(); // graceful: releases what its users hold at peers
            grid.brokers.remove("beta");

            await("alpha tears the lease down", () -> !Files.exists(sandbox));
            assertThat(alpha.leases())
                    .filteredOn(l -> l.id().equals(lease.id()))
                    .singleElement()
                    .satisfies(l -> assertThat(l.state()).isEqualTo(LeaseState.RELEASED));
            assertThat(Files.readString(restarted.config().heldLeasesFile())).doesNotContain(lease.id());

            GridBroker again = grid.start(betaConfig.port(TestGrid.freePort()).build());
            assertThat(again.leases()).isEmpty();
        }
    }

    @Test
    void anUnreadableHeldLeasesFileStopsTheStartNamingItAndAFixedOneStarts() throws Exception {
        try (TestGrid grid = new TestGrid(dir, "alpha")) {
            BrokerConfig config = grid.config("alpha").build();
            Files.createDirectories(config.heldLeasesFile().getParent());
            Files.writeString(config.heldLeasesFile(), "{ not json");

            CorcException e = catchThrowableOfType(() -> grid.start(config), CorcException.class);

            assertThat(e).isNotNull();
            assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
            assertThat(e.getMessage()).contains(config.heldLeasesFile().toString());
            Files.delete(config.heldLeasesFile());
            assertThat(grid.start(config).status().state()).isEqualTo("running");
        }
    }

    /** beta leases one of alpha's units for {@code ttl}, then crashes: nothing released, nothing said to alpha. */
    private static Lease leaseThenCrash(TestGrid grid, BrokerConfig.Builder betaConfig, Duration ttl) {
        GridBroker beta = grid.start(betaConfig.build());
        grid.awaitView(2);
        await("beta sees alpha's offer", () -> hears(beta, "alpha"));
        Lease lease = beta.request(request(1, ttl, "bob"));
        beta.halt();
        grid.brokers.remove("beta");
        return lease;
    }

    private static boolean hears(GridBroker viewer, String member) {
        return viewer.offers().stream().anyMatch(o -> o.organisation().equals(member));
    }
}
