package io.corc.broker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.broker.BrokerIdentity;
import io.corc.broker.Lease;
import io.corc.broker.LeaseRequest;
import io.corc.broker.LeaseState;
import io.corc.broker.MemberOffer;
import io.corc.broker.TrustStore;
import io.corc.broker.control.ControlClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real network stack: three brokers as separate JVMs ({@link DaemonLauncher#startDetached}, the daemon's own
 * main), each with its own CORC_HOME, identity and trust store, talking JGroups over TCP on 127.0.0.1 (encrypted and
 * authenticated transport, the default). org-a shares nothing, org-b shares 2-core units, org-c 1-core units, so a
 * 2-core request from org-a can only be served by org-b, which starts it with its own local provider.
 */
class BrokerProcessesTest {
    private static final List<String> ORGS = List.of("org-a", "org-b", "org-c");

    @TempDir
    Path dir;

    private final List<Path> started = new ArrayList<>();

    @AfterEach
    void stopAll() {
        for (Path state : started) {
            try {
                DaemonLauncher.stop(state, Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                // best effort: the next assertion failure already says what went wrong
            }
        }
    }

    @Test
    void threeOrganisationsJoinShareLeaseAndForgetAKilledMember() throws Exception {
        int[] ports = {freePort(), freePort(), freePort()};
        String hosts = "["
                + String.join(
                        ", ",
                        Stream.of(0, 1, 2)
                                .map(i -> "\"127.0.0.1[" + ports[i] + "]\"")
                                .toList()) + "]";
        List<String> keys = new ArrayList<>();
        for (String org : ORGS) {
            keys.add(BrokerIdentity.generate(home(org).resolve("broker/identity.key"), org)
                    .publicKeyText());
        }
        for (int i = 0; i < ORGS.size(); i++) {
            TrustStore trust = TrustStore.load(home(ORGS.get(i)).resolve("broker/trust.json"));
            for (int j = 0; j < ORGS.size(); j++) {
                if (i != j) {
                    trust.add(keys.get(j));
                }
            }
            String share =
                    switch (ORGS.get(i)) {
                        case "org-b" ->
                            "share:\n  - {name: two-core, provider: local, cores: 2, count: 2,"
                                    + " max_lease: 1h, price_per_hour: 0.2}\n";
                        case "org-c" ->
                            "share:\n  - {name: one-core, provider: local, cores: 1, count: 1," + " max_lease: 1h}\n";
                        default -> "";
                    };
            Files.writeString(
                    home(ORGS.get(i)).resolve("broker.yaml"),
                    "organisation: " + ORGS.get(i) + "\n"
                            + "grid: test-grid\n"
                            + "network:\n"
                            + "  port: " + ports[i] + "\n"
                            + "  initial_hosts: " + hosts + "\n"
                            + "  failure_timeout: 3s\n"
                            + "  merge_interval: 2s\n"
                            + "offers:\n"
                            + "  refresh_interval: 1s\n"
                            + "  ttl: 4s\n"
                            + share,
                    StandardCharsets.UTF_8);
        }

        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<DaemonLauncher.DaemonState>> starts = new ArrayList<>();
        for (String org : ORGS) {
            started.add(state(org));
            Callable<DaemonLauncher.DaemonState> start = () -> DaemonLauncher.startDetached(
                    home(org).resolve("broker.yaml"),
                    null,
                    Map.of("CORC_HOME", home(org).toString()),
                    state(org),
                    Duration.ofSeconds(40));
            starts.add(pool.submit(start));
        }
        for (Future<DaemonLauncher.DaemonState> start : starts) {
            DaemonLauncher.DaemonState state = start.get();
            assertThat(state.running()).isTrue();
            assertThat(state.pid()).isNotEqualTo(ProcessHandle.current().pid());
        }
        pool.shutdown();
        ControlClient a = ControlClient.connect(state("org-a"));
        ControlClient b = ControlClient.connect(state("org-b"));

        await(
                "all three in one view",
                Duration.ofSeconds(20),
                () -> a.status().members().size() == 3 && b.status().members().size() == 3);
        await("offers of org-b and org-c replicated to org-a", Duration.ofSeconds(10), () -> a.offers().stream()
                .map(MemberOffer::organisation)
                .toList()
                .containsAll(List.of("org-b", "org-c")));
        assertThat(a.peers()).allSatisfy(p -> assertThat(p.trusted()).isTrue());

        Lease lease = a.request(new LeaseRequest(
                2, 0, 0, null, Duration.ofMinutes(10), "ssh-ed25519 AAAAtest alice", "alice", Map.of()));
        assertThat(lease.state()).isEqualTo(LeaseState.ACTIVE);
        assertThat(lease.owner()).isEqualTo("org-b");
        assertThat(lease.requester()).isEqualTo("org-a");
        assertThat(lease.resourceId()).isNotNull();
        assertThat(containsDirectory(home("org-b"), lease.resourceId()))
                .as("org-b's local provider started the resource in org-b's home")
                .isTrue();
        assertThat(containsDirectory(home("org-a"), lease.resourceId())).isFalse();
        assertThat(b.leases()).anySatisfy(owned -> {
            assertThat(owned.id()).isEqualTo(lease.id());
            assertThat(owned.state()).isEqualTo(LeaseState.ACTIVE);
        });

        Lease released = a.release(lease.id());
        assertThat(released.state()).isEqualTo(LeaseState.RELEASED);
        await("org-b tore the resource down", Duration.ofSeconds(10), () -> b.leases().stream()
                .filter(l -> l.id().equals(lease.id()))
                .allMatch(l -> l.state() == LeaseState.RELEASED));
        assertThat(b.accounting()).anySatisfy(u -> {
            assertThat(u.organisation()).isEqualTo("org-a");
            assertThat(u.leasesGranted()).isEqualTo(1);
        });

        long pidC = PidFile.read(state("org-c")).orElseThrow().pid();
        ProcessHandle.of(pidC).orElseThrow().destroyForcibly(); // kill -9: no goodbye, no released offers
        await("org-c's offers expired at org-a", Duration.ofSeconds(20), () -> a.offers().stream()
                .noneMatch(o -> o.organisation().equals("org-c")));
        await("org-c left org-a's view", Duration.ofSeconds(20), () -> !a.status()
                .members()
                .contains("org-c"));
        DaemonLauncher.DaemonState c = DaemonLauncher.status(state("org-c"));
        assertThat(c.running()).isFalse();
        assertThat(c.stalePidRemoved()).isTrue();

        assertThat(DaemonLauncher.stop(state("org-b"), Duration.ofSeconds(20)).how())
                .isEqualTo("control");
        assertThat(DaemonLauncher.stop(state("org-a"), Duration.ofSeconds(20)).how())
                .isEqualTo("control");
        assertThat(state("org-a").resolve(PidFile.NAME)).doesNotExist();
        System.out.printf("three broker processes: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    private Path home(String org) {
        return dir.resolve(org);
    }

    private Path state(String org) {
        return home(org).resolve("broker");
    }

    private static boolean containsDirectory(Path root, String name) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.anyMatch(
                    p -> Files.isDirectory(p) && p.getFileName().toString().equals(name));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not within " + timeout + ": " + what, last);
    }
}
