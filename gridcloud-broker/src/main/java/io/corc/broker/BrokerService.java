package io.corc.broker;

import io.corc.api.ProgressListener;
import java.time.Duration;
import java.util.List;

/**
 * One organisation's broker as the CLI, the control API and embedders see it. Thread-safe.
 *
 * <p>Failures are {@link io.corc.api.CorcException}s with the usual categories: {@code CAPACITY} when no member
 * (local or peer) can serve a request, {@code NOT_FOUND} for an unknown lease, {@code INVALID_INPUT} for a request
 * the policy can never satisfy (e.g. a TTL above every offer's maximum lease), {@code UNAVAILABLE} when the broker
 * is not (or no longer) a member of its grid.
 */
public interface BrokerService extends AutoCloseable {

    /** Who this broker is, which grid it is in and how many leases it owns and holds. */
    BrokerStatus status();

    /** Current members of the grid (this broker included), with whether their keys are trusted. */
    List<Peer> peers();

    /** The latest valid (signed, trusted, unexpired) offer of every member, this broker's own included. */
    List<MemberOffer> offers();

    /** Leases this broker owns (it serves them) and holds (it obtained them from a peer or locally). */
    List<Lease> leases();

    /**
     * Obtains a lease: served locally when policy and capacity allow, else reserved with the best matching peer in
     * two phases (reserve with expiry, then confirm). Blocks until the lease is {@link LeaseState#ACTIVE} (the owner
     * has orchestrated the resource and installed {@link LeaseRequest#sshPublicKey()}) or fails.
     */
    Lease request(LeaseRequest request);

    /**
     * {@link #request(LeaseRequest)}, telling {@code progress} when a unit is granted (step {@value #GRANTED_STEP},
     * 1 of 2: reserved for this request at its owner, never granted to anyone else) and when the lease is active
     * (2 of 2). Orchestration between the two can take minutes at a cloud provider.
     */
    default Lease request(LeaseRequest request, ProgressListener progress) {
        Lease lease = request(request);
        progress.onProgress(GRANTED_STEP, 1, 2);
        progress.onProgress(ACTIVE_STEP, 2, 2);
        return lease;
    }

    /** Progress step of {@link #request(LeaseRequest, ProgressListener)}: a unit is reserved for the request. */
    String GRANTED_STEP = "unit granted, starting the resource";

    /** Progress step of {@link #request(LeaseRequest, ProgressListener)}: the lease is active. */
    String ACTIVE_STEP = "lease active";

    /** Extends an active lease this broker holds by {@code extension}, within the owner's maximum lease time. */
    Lease renew(String leaseId, Duration extension);

    /** Gives a lease back; the owner tears the resource down. Releasing a released or expired lease is a no-op. */
    Lease release(String leaseId);

    /** What each member has used of this organisation's resources (owner-side accounting). */
    List<MemberUsage> accounting();

    /** Counters and gauges (requests, grants, rejections by reason, messages, leases) in Prometheus text format. */
    String metrics();

    /**
     * Leaves the grid gracefully: releases the leases this broker holds, tears down or hands back what it owns as
     * its policy says, and closes the channel. Idempotent.
     */
    @Override
    void close();
}
