package io.corc.broker;

import io.corc.api.Polling;
import io.corc.broker.BrokerConfig.SharedClass;
import io.corc.core.Corc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Brokers of one grid in this JVM: TCP on 127.0.0.1 with free ports, everyone trusting everyone, short timings so
 * expiry and failure detection happen within a test. Each broker has its own corc home (local provider sandboxes).
 */
final class TestGrid implements AutoCloseable {
    static final String GRID = "test-grid";

    final Path dir;
    final Map<String, BrokerIdentity> identities = new LinkedHashMap<>();
    final Map<String, Integer> ports = new LinkedHashMap<>();
    final Map<String, GridBroker> brokers = new LinkedHashMap<>();
    final Map<String, Corc> corcs = new LinkedHashMap<>();

    /** The grid's shared key: every test broker encrypts its transport with it (SYM_ENCRYPT). */
    final Path gridKey;

    TestGrid(Path dir, String... organisations) {
        this.dir = dir;
        this.gridKey = dir.resolve("grid.key");
        if (!java.nio.file.Files.exists(gridKey)) {
            GridKey.generate(gridKey, GRID);
        }
        for (String organisation : organisations) {
            identities.put(organisation, BrokerIdentity.ephemeral(organisation));
            ports.put(organisation, freePort());
        }
    }

    /** A config with the test timings; {@code shared} is what the organisation shares. */
    BrokerConfig.Builder config(String organisation, SharedClass... shared) {
        List<String> hosts = new ArrayList<>();
        ports.values().forEach(p -> hosts.add("127.0.0.1[" + p + "]"));
        return BrokerConfig.builder(
                        organisation, GRID, dir.resolve(organisation).resolve("broker"))
                .port(ports.get(organisation))
                .initialHosts(hosts)
                .offerRefresh(Duration.ofMillis(500))
                .offerTtl(Duration.ofSeconds(3))
                .gridKey(gridKey)
                .reservationTimeout(Duration.ofSeconds(3))
                .replyTimeout(Duration.ofSeconds(3))
                .orchestrationTimeout(Duration.ofSeconds(10))
                .failureTimeout(Duration.ofSeconds(2))
                .mergeInterval(Duration.ofSeconds(2))
                .maxClockSkew(Duration.ofSeconds(5))
                .shared(List.of(shared));
    }

    /** A trust store holding every organisation of this grid. */
    TrustStore trustAll() {
        TrustStore trust = TrustStore.inMemory();
        identities.values().forEach(i -> trust.add(i.publicKeyText()));
        return trust;
    }

    GridBroker start(BrokerConfig config) {
        return start(config, trustAll());
    }

    GridBroker start(BrokerConfig config, TrustStore trust) {
        GridBroker broker = GridBroker.start(
                config, corc(config.organisation()), identities.get(config.organisation()), trust, Clock.systemUTC());
        brokers.put(config.organisation(), broker);
        return broker;
    }

    Corc corc(String organisation) {
        return corcs.computeIfAbsent(organisation, o -> Corc.builder()
                .home(dir.resolve(o).resolve("corc"))
                .environment(Map.of())
                .override("corc.ttl.auto_stop", false)
                .build());
    }

    /** Waits until every running broker sees {@code size} members. */
    void awaitView(int size) {
        await("a view of " + size + " members", () -> brokers.values().stream()
                .allMatch(b -> b.peers().size() == size));
    }

    static void await(String what, BooleanSupplier condition) {
        Polling.until(what, Duration.ofSeconds(20), Duration.ofMillis(50), condition, "see the test's log");
    }

    static LeaseRequest request(int cores, Duration ttl, String user) {
        return new LeaseRequest(cores, 0, 0, null, ttl, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBroker test", user, null);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (GridBroker broker : brokers.values()) {
            try {
                broker.close();
            } catch (RuntimeException ignored) {
                // best effort
            }
        }
    }
}
