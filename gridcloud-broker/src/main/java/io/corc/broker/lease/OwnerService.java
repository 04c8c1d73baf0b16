package io.corc.broker.lease;

import static java.util.Objects.requireNonNull;

import io.corc.api.GpuSpec;
import io.corc.api.ProgressListener;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.broker.BrokerConfig.SharedClass;
import io.corc.broker.BrokerMetrics;
import io.corc.broker.Lease;
import io.corc.broker.LeaseRequest;
import io.corc.broker.LeaseState;
import io.corc.broker.ResourceClass;
import io.corc.broker.protocol.Bodies;
import io.corc.core.Corc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The owner's side of leases: reserves in the {@link CapacityLedger}, orchestrates a confirmed unit with this
 * organisation's own corc providers (through {@link Corc}, so no credential ever leaves it) with the requester's SSH
 * key and the lease TTL, renews, releases and tears down what expired. Active leases are written to the state
 * directory after every change, so a restarted owner keeps enforcing their expiry.
 */
public final class OwnerService {
    private static final Logger LOG = Logger.getLogger(OwnerService.class.getName());

    private final String self;
    private final Corc corc;
    private final CapacityLedger ledger;
    private final Accounting accounting;
    private final BrokerMetrics metrics;
    private final Path leasesFile;
    private final Clock clock;
    private final Duration orchestrationTimeout;
    private final Runnable onChange;

    public OwnerService(
            String self,
            Corc corc,
            CapacityLedger ledger,
            Accounting accounting,
            BrokerMetrics metrics,
            Path leasesFile,
            Clock clock,
            Duration orchestrationTimeout,
            Runnable onChange) {
        this.self = requireNonNull(self, "self is null");
        this.corc = requireNonNull(corc, "corc is null");
        this.ledger = requireNonNull(ledger, "ledger is null");
        this.accounting = requireNonNull(accounting, "accounting is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.leasesFile = leasesFile;
        this.clock = requireNonNull(clock, "clock is null");
        this.orchestrationTimeout = requireNonNull(orchestrationTimeout, "orchestrationTimeout is null");
        this.onChange = requireNonNull(onChange, "onChange is null");
    }

    public CapacityLedger ledger() {
        return ledger;
    }

    /** Phase 1: hold a unit of {@code className} for {@code requester}, after checking it meets {@code request}. */
    public Lease reserve(String requester, String className, LeaseRequest request) throws Refusal {
        try {
            SharedClass c = ledger.classes().stream()
                    .filter(x -> x.name().equals(className))
                    .findFirst()
                    .orElse(null);
            if (c != null && !asResourceClass(c, 1).fits(request)) {
                if (request.ttl().compareTo(c.maxLease()) > 0) {
                    throw new Refusal(
                            Refusal.MAX_LEASE, self + "/" + className + " leases for at most " + c.maxLease());
                }
                throw new Refusal(Refusal.NO_FIT, self + "/" + className + " does not meet the request");
            }
            Lease lease = ledger.reserve(requester, request.user(), className, request.ttl());
            onChange.run();
            return lease;
        } catch (Refusal r) {
            metrics.increment(BrokerMetrics.REJECTIONS, "reason", r.reason());
            throw r;
        }
    }

    /**
     * Phase 2: start the reserved unit with the requester's key; blocks while the provider works. The resource's own
     * TTL (corc's gc and the on-resource timer) is the class's maximum lease plus the orchestration allowance, the
     * latest any renewal can reach: the owner tears the lease down at its (possibly renewed) expiry, and the
     * resource's TTL is the safety net should the owner's broker be gone by then.
     */
    public Lease confirm(String requester, String leaseId, String sshPublicKey) throws Refusal {
        CapacityLedger.Entry entry;
        try {
            entry = ledger.beginConfirm(leaseId, requester);
        } catch (Refusal r) {
            metrics.increment(BrokerMetrics.REJECTIONS, "reason", r.reason());
            throw r;
        }
        SharedClass c = entry.sharedClass();
        ResourceSpec spec = new ResourceSpec(
                leaseId,
                ResourceKind.INSTANCE,
                c.cores(),
                c.memoryGb(),
                new GpuSpec(c.gpus(), c.gpuType()),
                null,
                null,
                c.regions().isEmpty() ? null : c.regions().get(0),
                null,
                false,
                c.maxLease().plus(orchestrationTimeout),
                Map.of("corc-lease", leaseId, "corc-lease-requester", requester),
                sshPublicKey == null || sshPublicKey.isBlank() ? List.of() : List.of(sshPublicKey.strip()),
                c.options());
        Resource resource;
        try {
            resource = corc.start(c.provider(), spec, ProgressListener.NONE);
        } catch (RuntimeException e) {
            Lease failed = ledger.fail(leaseId, "orchestration failed: " + e.getMessage());
            metrics.increment(BrokerMetrics.REJECTIONS, "reason", Refusal.ORCHESTRATION_FAILED);
            metrics.increment(
                    BrokerMetrics.LEASES_ENDED, "state", failed.state().name());
            onChange.run();
            throw new Refusal(
                    Refusal.ORCHESTRATION_FAILED,
                    self + " could not start " + c.name() + " at " + c.provider() + ": " + e.getMessage());
        }
        Lease active = ledger.activate(leaseId, resource);
        metrics.increment(BrokerMetrics.OWNER_GRANTS);
        accounting.granted(requester);
        CapacityLedger.Entry abandoned = ledger.releaseIfRequested(leaseId);
        if (abandoned != null) {
            tearDown(abandoned);
            onChange.run();
            return abandoned.lease();
        }
        persist();
        onChange.run();
        return active;
    }

    public Lease renew(String requester, String leaseId, Duration extension) throws Refusal {
        Lease lease = ledger.renew(leaseId, requester, extension);
        persist();
        return lease;
    }

    /**
     * Ends the lease and stops its resource. A lease still being started ends as soon as its start returns (the
     * lease comes back RESERVED here); a requester that gave up on its CONFIRM thus leaves nothing running.
     */
    public Lease release(String requester, String leaseId) throws Refusal {
        CapacityLedger.Entry entry = ledger.release(leaseId, requester);
        if (entry.lease().state() == LeaseState.RELEASED) {
            tearDown(entry);
            onChange.run();
        }
        return entry.lease();
    }

    /** Expires what is due and tears down the resources of expired active leases. */
    /** Ends what is due: reservations never confirmed, and active leases past their end; returns the latter. */
    public List<Lease> sweep() {
        CapacityLedger.Due due = ledger.expireDue();
        due.reservations().forEach(l -> metrics.increment(BrokerMetrics.LEASES_ENDED, "state", "reservation_expired"));
        List<Lease> ended = new ArrayList<>();
        for (CapacityLedger.Entry entry : due.active()) {
            tearDown(entry);
            ended.add(entry.lease());
        }
        if (!due.reservations().isEmpty() || !due.active().isEmpty()) {
            onChange.run();
        }
        return ended;
    }

    /** Graceful stop: every lease this owner serves ends and its resource is stopped; returns those leases. */
    public List<Lease> shutdown() {
        List<Lease> ended = new ArrayList<>();
        for (CapacityLedger.Entry entry : ledger.releaseAll("the owner's broker stopped")) {
            tearDown(entry);
            ended.add(entry.lease());
        }
        return ended;
    }

    /** The offer view of a class with {@code available} free units. */
    public static ResourceClass asResourceClass(SharedClass c, int available) {
        return new ResourceClass(
                c.name(),
                c.cores(),
                c.memoryGb(),
                c.gpus(),
                c.gpuType(),
                available,
                c.pricePerHour(),
                c.priority(),
                c.regions(),
                c.maxLease());
    }

    private void tearDown(CapacityLedger.Entry entry) {
        Lease lease = entry.lease();
        metrics.increment(BrokerMetrics.LEASES_ENDED, "state", lease.state().name());
        if (entry.activated() != null) {
            accounting.used(
                    lease.requester(), entry.sharedClass(), Duration.between(entry.activated(), clock.instant()));
        }
        if (lease.resourceId() != null) {
            try {
                corc.stop(
                        entry.sharedClass().provider(),
                        ResourceKind.INSTANCE,
                        lease.resourceId(),
                        ProgressListener.NONE);
            } catch (RuntimeException e) {
                LOG.log(
                        Level.WARNING,
                        "could not stop " + lease.resourceId() + " of lease " + lease.id() + " (corc gc lists it): "
                                + e.getMessage());
            }
        }
        persist();
    }

    /** Writes the active leases (with what a restart needs) to the state directory. */
    private void persist() {
        if (leasesFile == null) {
            return;
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (CapacityLedger.Entry e : ledger.holdingEntries()) {
            if (e.activated() != null) {
                Map<String, Object> m = new LinkedHashMap<>(Bodies.lease(e.lease()));
                m.put("ttl_ms", e.ttl().toMillis());
                m.put("activated", e.activated().toEpochMilli());
                m.put("provider", e.sharedClass().provider());
                out.add(m);
            }
        }
        LeaseFile.write(leasesFile, out, "the broker's leases");
    }

    /**
     * After a restart: active leases from the state directory hold their units again until their expiry; one whose
     * class is no longer shared is torn down now. Reservations are not kept (they would have expired).
     */
    public void restore() {
        if (leasesFile == null || !Files.exists(leasesFile)) {
            return;
        }
        for (Map<String, Object> m : LeaseFile.read(leasesFile, "the broker's lease file")) {
            Lease lease = Bodies.leaseOf(m);
            Duration ttl = Duration.ofMillis(((Number) m.get("ttl_ms")).longValue());
            Instant activated = Instant.ofEpochMilli(((Number) m.get("activated")).longValue());
            if (!ledger.restore(lease, ttl, activated) && lease.resourceId() != null) {
                try {
                    corc.stop(
                            (String) m.get("provider"),
                            ResourceKind.INSTANCE,
                            lease.resourceId(),
                            ProgressListener.NONE);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "could not stop " + lease.resourceId() + ": " + e.getMessage());
                }
            }
        }
        persist();
    }
}
