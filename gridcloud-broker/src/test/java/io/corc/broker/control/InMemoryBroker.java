package io.corc.broker.control;

import io.corc.api.CorcException;
import io.corc.api.Endpoint;
import io.corc.api.ErrorCategory;
import io.corc.broker.BrokerService;
import io.corc.broker.BrokerStatus;
import io.corc.broker.Lease;
import io.corc.broker.LeaseRequest;
import io.corc.broker.LeaseState;
import io.corc.broker.MemberOffer;
import io.corc.broker.MemberUsage;
import io.corc.broker.Peer;
import io.corc.broker.ResourceClass;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A one-organisation broker in memory for testing the control API in isolation: one resource class of {@code
 * units} units, leases granted locally. The protocol itself is tested with the real GridBroker.
 */
final class InMemoryBroker implements BrokerService {
    private static final Instant STARTED = Instant.parse("2026-12-04T20:00:00Z");

    final Map<String, Lease> leases = new LinkedHashMap<>();
    final List<LeaseRequest> requests = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final int units;
    volatile boolean closed;

    InMemoryBroker(int units) {
        this.units = units;
    }

    @Override
    public synchronized BrokerStatus status() {
        return new BrokerStatus(
                "org-a",
                "grid-1",
                "SHA256:abc",
                "127.0.0.1:7800",
                "running",
                List.of("org-a"),
                held(),
                held(),
                STARTED);
    }

    @Override
    public List<Peer> peers() {
        return List.of(new Peer("org-a", "SHA256:abc", "127.0.0.1:7800", true, true, STARTED));
    }

    @Override
    public synchronized List<MemberOffer> offers() {
        return List.of(new MemberOffer(
                "org-a", "SHA256:abc", 3, STARTED, STARTED.plusSeconds(60), List.of(resourceClass(units - held()))));
    }

    @Override
    public synchronized List<Lease> leases() {
        return List.copyOf(leases.values());
    }

    @Override
    public synchronized Lease request(LeaseRequest request) {
        requests.add(request);
        if (!resourceClass(units).fits(request)) {
            throw CorcException.invalidInput("no class of org-a fits " + request.minCores() + " cores")
                    .withHint("ask for fewer cores");
        }
        if (held() >= units) {
            throw new CorcException(ErrorCategory.CAPACITY, "no member has a free unit that fits")
                    .withHint("try again later or ask for less");
        }
        String id = "lease-" + next.incrementAndGet();
        Lease lease = new Lease(
                id,
                "org-a",
                "org-a",
                request.user(),
                LeaseState.ACTIVE,
                "small",
                STARTED,
                STARTED.plus(request.ttl()),
                new Endpoint("ssh", "127.0.0.1", 2222, "corc"),
                "local-" + id,
                null);
        leases.put(id, lease);
        return lease;
    }

    @Override
    public synchronized Lease renew(String leaseId, Duration extension) {
        Lease lease = find(leaseId);
        Lease renewed = new Lease(
                lease.id(),
                lease.owner(),
                lease.requester(),
                lease.user(),
                lease.state(),
                lease.resourceClass(),
                lease.created(),
                lease.expires().plus(extension),
                lease.endpoint(),
                lease.resourceId(),
                null);
        leases.put(leaseId, renewed);
        return renewed;
    }

    @Override
    public synchronized Lease release(String leaseId) {
        Lease lease = find(leaseId);
        Lease released = new Lease(
                lease.id(),
                lease.owner(),
                lease.requester(),
                lease.user(),
                LeaseState.RELEASED,
                lease.resourceClass(),
                lease.created(),
                lease.expires(),
                null,
                lease.resourceId(),
                "released");
        leases.put(leaseId, released);
        return released;
    }

    @Override
    public synchronized List<MemberUsage> accounting() {
        return List.of(new MemberUsage("org-a", leases.size(), held(), 1.5, 0, 0.25));
    }

    @Override
    public String metrics() {
        return "# TYPE corc_broker_requests_total counter\ncorc_broker_requests_total " + requests.size() + "\n";
    }

    @Override
    public void close() {
        closed = true;
    }

    private Lease find(String leaseId) {
        Lease lease = leases.get(leaseId);
        if (lease == null) {
            throw CorcException.notFound("no lease '" + leaseId + "'").withHint("'corc broker leases' lists them");
        }
        return lease;
    }

    private int held() {
        return (int)
                leases.values().stream().filter(l -> l.state().holdsCapacity()).count();
    }

    private static ResourceClass resourceClass(int available) {
        return new ResourceClass("small", 2, 4, 0, null, available, 0.1, 1, List.of("local"), Duration.ofHours(4));
    }
}
