package io.corc.broker.lease;

import static java.util.Objects.requireNonNull;

import io.corc.api.Endpoint;
import io.corc.api.Resource;
import io.corc.broker.BrokerConfig.Quota;
import io.corc.broker.BrokerConfig.SharedClass;
import io.corc.broker.Lease;
import io.corc.broker.LeaseState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The owner's record of its own capacity: which units of each shared class are reserved or leased, by whom, until
 * when. It is the single authority for this organisation's capacity, and it is local to the owner on purpose.
 *
 * <p>Why that makes double grants impossible, partitions included: a unit is granted only by a {@link #reserve} on
 * the owner, under this object's lock, which counts the holding leases against the class's count. Offers are only
 * hints (a stale offer in another member's book, say from before a partition, leads at most to a refused
 * reservation, never to a second grant), and no other broker ever decides about this owner's units, so there is no
 * replicated state to reconcile when split views merge. A requester that vanishes, or a partition that cuts a
 * requester off between RESERVE and CONFIRM, leaves a reservation that {@link #expireDue} returns to the pool after
 * the reservation timeout; an active lease ends at its expiry unless renewed.
 *
 * <p>States: RESERVED (holds a unit, expires after the reservation timeout) -> confirming (orchestration running;
 * does not expire meanwhile) -> ACTIVE (expires at {@code expires}) -> RELEASED or EXPIRED; RESERVED -> FAILED when
 * orchestration fails. Only RESERVED and ACTIVE hold capacity.
 */
public final class CapacityLedger {
    private static final int ENDED_KEPT = 200;

    private final String self;
    private final Map<String, SharedClass> classes = new LinkedHashMap<>();
    private final Function<String, Quota> quotas;
    private final Duration reservationTimeout;
    private final Clock clock;
    private final Map<String, Entry> holding = new LinkedHashMap<>();
    private final Deque<Lease> ended = new ArrayDeque<>();

    /** A lease that holds capacity, with what the owner needs to serve it. */
    public static final class Entry {
        private Lease lease;
        private final SharedClass sharedClass;
        private final Duration ttl;
        private Instant reservationExpires;
        private boolean confirming;
        private boolean releaseWhenStarted;
        private Instant activated;

        Entry(Lease lease, SharedClass sharedClass, Duration ttl, Instant reservationExpires) {
            this.lease = lease;
            this.sharedClass = sharedClass;
            this.ttl = ttl;
            this.reservationExpires = reservationExpires;
        }

        public Lease lease() {
            return lease;
        }

        public SharedClass sharedClass() {
            return sharedClass;
        }

        public Duration ttl() {
            return ttl;
        }

        public Instant activated() {
            return activated;
        }
    }

    /** What {@link #expireDue} ended: reservations whose capacity returned, and active leases to tear down. */
    public record Due(List<Lease> reservations, List<Entry> active) {}

    public CapacityLedger(
            String self,
            List<SharedClass> shared,
            Function<String, Quota> quotas,
            Duration reservationTimeout,
            Clock clock) {
        this.self = requireNonNull(self, "self is null");
        shared.forEach(c -> classes.put(c.name(), c));
        this.quotas = requireNonNull(quotas, "quotas is null");
        this.reservationTimeout = requireNonNull(reservationTimeout, "reservationTimeout is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public List<SharedClass> classes() {
        return List.copyOf(classes.values());
    }

    /**
     * Holds one unit of {@code className} for {@code requester} until the reservation timeout, atomically.
     *
     * @throws Refusal when the class is unknown or not shared with the requester, the TTL is above its maximum
     *     lease, the requester's quota is used up, or no unit is free for it
     */
    public synchronized Lease reserve(String requester, String user, String className, Duration ttl) throws Refusal {
        SharedClass c = classes.get(className);
        if (c == null || !c.sharedWith(requester, self)) {
            throw new Refusal(Refusal.NOT_SHARED, self + " shares no class '" + className + "' with " + requester);
        }
        if (ttl.compareTo(c.maxLease()) > 0) {
            throw new Refusal(
                    Refusal.MAX_LEASE, "class " + className + " of " + self + " leases for at most " + c.maxLease());
        }
        if (!requester.equals(self)) {
            Quota quota = quotas.apply(requester);
            long leases = holding.values().stream()
                    .filter(e -> e.lease.requester().equals(requester))
                    .count();
            int cores = holding.values().stream()
                    .filter(e -> e.lease.requester().equals(requester))
                    .mapToInt(e -> e.sharedClass.cores())
                    .sum();
            if (leases >= quota.maxActiveLeases() || (quota.maxCores() > 0 && cores + c.cores() > quota.maxCores())) {
                throw new Refusal(
                        Refusal.QUOTA,
                        requester + " holds " + leases + " lease(s) and " + cores
                                + " core(s) at " + self + ", its quota is " + quota.maxActiveLeases() + " lease(s)"
                                + (quota.maxCores() > 0 ? " and " + quota.maxCores() + " core(s)" : ""));
            }
        }
        if (free(c, requester.equals(self)) <= 0) {
            throw new Refusal(Refusal.NO_CAPACITY, "every unit of " + self + "/" + className + " is taken");
        }
        Instant now = clock.instant();
        String id = "lease-" + self + "-" + UUID.randomUUID().toString().substring(0, 8);
        Lease lease = new Lease(
                id,
                self,
                requester,
                user,
                LeaseState.RESERVED,
                className,
                now,
                now.plus(reservationTimeout),
                null,
                null,
                null);
        holding.put(id, new Entry(lease, c, ttl, now.plus(reservationTimeout)));
        return lease;
    }

    /** Units of {@code c} free now for a peer ({@code local} false: minus the units kept for local users). */
    private int free(SharedClass c, boolean local) {
        long held = holding.values().stream()
                .filter(e -> e.sharedClass.name().equals(c.name()))
                .count();
        return (int) (c.count() - held - (local ? 0 : c.localReserved()));
    }

    /** Units of {@code className} a peer could reserve now (what the offer publishes). */
    public synchronized int availableToPeers(String className) {
        SharedClass c = classes.get(className);
        return c == null ? 0 : Math.max(0, free(c, false));
    }

    /** Marks a reservation as being orchestrated (it no longer expires as a reservation) and returns it. */
    public synchronized Entry beginConfirm(String leaseId, String requester) throws Refusal {
        Entry entry = mine(leaseId, requester);
        if (entry.lease.state() != LeaseState.RESERVED || entry.confirming) {
            throw new Refusal(
                    Refusal.UNKNOWN_LEASE,
                    "lease " + leaseId + " is " + entry.lease.state()
                            + (entry.confirming ? " and already being confirmed" : ", not RESERVED"));
        }
        entry.confirming = true;
        return entry;
    }

    /** The resource is up: the lease is ACTIVE until now + its TTL. */
    public synchronized Lease activate(String leaseId, Resource resource) {
        Entry entry = holding.get(leaseId);
        if (entry == null) {
            throw new IllegalStateException("lease " + leaseId + " is not held");
        }
        Instant now = clock.instant();
        Endpoint endpoint =
                resource.endpoints().isEmpty() ? null : resource.endpoints().get(0);
        entry.activated = now;
        entry.confirming = false;
        entry.lease = with(entry.lease, LeaseState.ACTIVE, now.plus(entry.ttl), endpoint, resource.id(), null);
        return entry.lease;
    }

    /** Orchestration failed: the unit returns to the pool. */
    public synchronized Lease fail(String leaseId, String reason) {
        Entry entry = holding.remove(leaseId);
        if (entry == null) {
            throw new IllegalStateException("lease " + leaseId + " is not held");
        }
        return end(entry, LeaseState.FAILED, reason);
    }

    /** Extends an ACTIVE lease by {@code extension}, never past activation + the class's maximum lease. */
    public synchronized Lease renew(String leaseId, String requester, Duration extension) throws Refusal {
        Entry entry = mine(leaseId, requester);
        if (entry.lease.state() != LeaseState.ACTIVE) {
            throw new Refusal(Refusal.UNKNOWN_LEASE, "lease " + leaseId + " is " + entry.lease.state());
        }
        Instant wanted = entry.lease.expires().plus(extension);
        Instant cap = entry.activated.plus(entry.sharedClass.maxLease());
        Instant expires = wanted.isAfter(cap) ? cap : wanted;
        entry.lease = with(
                entry.lease,
                LeaseState.ACTIVE,
                expires,
                entry.lease.endpoint(),
                entry.lease.resourceId(),
                wanted.isAfter(cap) ? "capped at the maximum lease of " + entry.sharedClass.maxLease() : null);
        return entry.lease;
    }

    /** Ends a lease at its requester's wish; the returned entry's resource (if any) must be torn down. */
    public synchronized Entry release(String leaseId, String requester) throws Refusal {
        Entry entry = mine(leaseId, requester);
        if (entry.confirming) {
            // the requester gave up while the provider works: end the lease as soon as the start returns
            entry.releaseWhenStarted = true;
            return entry;
        }
        holding.remove(leaseId);
        entry.lease = end(entry, LeaseState.RELEASED, "released by " + requester);
        return entry;
    }

    /**
     * After {@link #activate}: the entry, now RELEASED, when its requester released it while it was being started
     * (its resource must be torn down at once); {@code null} otherwise.
     */
    public synchronized Entry releaseIfRequested(String leaseId) {
        Entry entry = holding.get(leaseId);
        if (entry == null || !entry.releaseWhenStarted) {
            return null;
        }
        holding.remove(leaseId);
        entry.lease = end(entry, LeaseState.RELEASED, "released by " + entry.lease.requester() + " while starting");
        return entry;
    }

    /** Ends every lease (shutdown); returns the entries whose resources must be torn down. */
    public synchronized List<Entry> releaseAll(String reason) {
        List<Entry> all = new ArrayList<>();
        for (Entry entry : List.copyOf(holding.values())) {
            if (!entry.confirming) {
                holding.remove(entry.lease.id());
                entry.lease = end(entry, LeaseState.RELEASED, reason);
                all.add(entry);
            }
        }
        return all;
    }

    /** Ends what is due: unconfirmed reservations past their timeout and active leases past their expiry. */
    public synchronized Due expireDue() {
        Instant now = clock.instant();
        List<Lease> reservations = new ArrayList<>();
        List<Entry> active = new ArrayList<>();
        for (Entry entry : List.copyOf(holding.values())) {
            LeaseState state = entry.lease.state();
            if (state == LeaseState.RESERVED && !entry.confirming && !now.isBefore(entry.reservationExpires)) {
                holding.remove(entry.lease.id());
                reservations.add(end(entry, LeaseState.EXPIRED, "reservation not confirmed in time"));
            } else if (state == LeaseState.ACTIVE && !now.isBefore(entry.lease.expires())) {
                holding.remove(entry.lease.id());
                entry.lease = end(entry, LeaseState.EXPIRED, "lease time ran out");
                active.add(entry);
            }
        }
        return new Due(reservations, active);
    }

    /** Puts back an ACTIVE lease read from disk after a restart; false when its class is no longer shared. */
    public synchronized boolean restore(Lease lease, Duration ttl, Instant activated) {
        SharedClass c = classes.get(lease.resourceClass());
        if (c == null || lease.state() != LeaseState.ACTIVE) {
            return false;
        }
        Entry entry = new Entry(lease, c, ttl, lease.created());
        entry.activated = activated;
        holding.put(lease.id(), entry);
        return true;
    }

    public synchronized List<Lease> holdingLeases() {
        return holding.values().stream().map(e -> e.lease).toList();
    }

    public synchronized List<Entry> holdingEntries() {
        return List.copyOf(holding.values());
    }

    /** Leases holding capacity, then recently ended ones (newest first). */
    public synchronized List<Lease> leases() {
        List<Lease> all = new ArrayList<>(holdingLeases());
        all.addAll(ended);
        return all;
    }

    public synchronized int holdingCount() {
        return holding.size();
    }

    private Entry mine(String leaseId, String requester) throws Refusal {
        Entry entry = holding.get(leaseId);
        if (entry == null) {
            throw new Refusal(Refusal.UNKNOWN_LEASE, "no lease " + leaseId + " holds capacity at " + self);
        }
        if (!entry.lease.requester().equals(requester)) {
            throw new Refusal(Refusal.NOT_YOURS, "lease " + leaseId + " belongs to " + entry.lease.requester());
        }
        return entry;
    }

    private Lease end(Entry entry, LeaseState state, String reason) {
        Instant now = clock.instant();
        Lease done = with(entry.lease, state, now, entry.lease.endpoint(), entry.lease.resourceId(), reason);
        ended.addFirst(done);
        while (ended.size() > ENDED_KEPT) {
            ended.removeLast();
        }
        return done;
    }

    private static Lease with(
            Lease l, LeaseState state, Instant expires, Endpoint endpoint, String resourceId, String reason) {
        return new Lease(
                l.id(),
                l.owner(),
                l.requester(),
                l.user(),
                state,
                l.resourceClass(),
                l.created(),
                expires,
                endpoint,
                resourceId,
                reason);
    }
}
