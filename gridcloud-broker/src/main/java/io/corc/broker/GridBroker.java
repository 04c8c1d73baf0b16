package io.corc.broker;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.ProgressListener;
import io.corc.api.SecureFiles;
import io.corc.broker.BrokerConfig.SharedClass;
import io.corc.broker.lease.Accounting;
import io.corc.broker.lease.CapacityLedger;
import io.corc.broker.lease.LeaseFile;
import io.corc.broker.lease.OfferBook;
import io.corc.broker.lease.OfferRanking;
import io.corc.broker.lease.OfferRanking.Candidate;
import io.corc.broker.lease.OwnerService;
import io.corc.broker.lease.Refusal;
import io.corc.broker.protocol.Bodies;
import io.corc.broker.protocol.Envelope;
import io.corc.broker.protocol.MessageGuard;
import io.corc.broker.protocol.MessageType;
import io.corc.broker.protocol.Messenger;
import io.corc.broker.transport.GridStack;
import io.corc.core.Corc;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;

/**
 * One organisation's broker in a grid: a JGroups member (see {@link GridStack} for the stack and its security) that
 * publishes signed offers, keeps every member's latest offer, serves requests locally or through a peer with a
 * two-phase reservation, and serves its own capacity to trusted members.
 *
 * <p>Lifecycle: {@link #start} reads the identity key and trust store the configuration names (or takes them
 * given), reads back the active leases it owned and the ones its users held at peers before a restart, joins the
 * grid and returns once it is a member (or alone: the first member); {@link #close} releases the leases its users
 * hold at peers, stops the resources it serves and leaves the view. Every received message goes through
 * {@link MessageGuard} first; a RESERVE is answered on the delivering thread (a short step under the ledger's lock),
 * CONFIRM, RENEW and RELEASE (provider calls that may take minutes, the lease file's fsync) on a pool of their own
 * so they never delay a reservation, and replies complete the waiting request at once.
 *
 * <p>Message cost: offers are the only broadcast (one per refresh interval and per change of what is free); a peer
 * request costs RESERVE + reply and CONFIRM + reply to the chosen owner (more only when an owner refuses), so the
 * messages per request do not grow with the grid ({@link BrokerMetrics#REQUEST_MESSAGES}).
 */
public final class GridBroker implements BrokerService {
    private static final Logger LOG = Logger.getLogger(GridBroker.class.getName());

    private final BrokerConfig config;
    private final BrokerIdentity identity;
    private final TrustStore trust;
    private final Clock clock;
    private final BrokerMetrics metrics = new BrokerMetrics();
    private final MessageGuard guard;
    private final OwnerService owner;
    private final OfferBook offers;
    private final Accounting accounting;
    private final JChannel channel;
    private final Messenger messenger;
    private final ExecutorService orchestration = Executors.newCachedThreadPool(daemon("corc-broker-orchestration"));
    private final ScheduledExecutorService timers =
            Executors.newSingleThreadScheduledExecutor(daemon("corc-broker-timer"));
    private final Map<Address, PeerSeen> seen = new ConcurrentHashMap<>();
    private final Map<String, Lease> held = new ConcurrentHashMap<>();
    private final Object heldFileLock = new Object();
    private final Object publishLock = new Object();
    private final Instant started;
    private volatile MemberOffer ownOffer;
    private volatile View view;
    private volatile String state = "joining";

    private record PeerSeen(String organisation, String fingerprint, Instant last) {}

    private GridBroker(BrokerConfig config, Corc corc, BrokerIdentity identity, TrustStore trust, Clock clock) {
        this.config = config;
        this.identity = identity;
        this.trust = trust;
        this.clock = clock;
        this.started = clock.instant();
        this.guard = new MessageGuard(config.organisation(), config.grid(), trust, config.maxClockSkew(), clock);
        SecureFiles.privateDirectory(config.home());
        this.accounting = Accounting.open(config.accountingFile());
        CapacityLedger ledger = new CapacityLedger(
                config.organisation(), config.shared(), config::quotaFor, config.reservationTimeout(), clock);
        this.owner = new OwnerService(
                config.organisation(),
                corc,
                ledger,
                accounting,
                metrics,
                config.leasesFile(),
                clock,
                config.orchestrationTimeout(),
                this::publishOfferAsync);
        this.offers = new OfferBook(clock);
        this.channel = GridStack.channel(config, identity, trust);
        this.messenger = new Messenger(identity, config.grid(), channel, clock, metrics);
        metrics.gauge("corc_broker_members", "Members in the current view.", () -> view == null ? 0 : view.size());
        metrics.gauge(
                "corc_broker_leases_owned",
                "Leases this broker serves (reserved or active).",
                () -> ledger.holdingCount());
        metrics.gauge(
                "corc_broker_leases_held",
                "Active leases this broker's users hold at peers.",
                () -> held.values().stream()
                        .filter(l -> l.state().holdsCapacity())
                        .count());
        metrics.gauge("corc_broker_offers_known", "Unexpired offers of other members.", () -> offers.current()
                .size());
        boolean encrypted = config.effectiveEncryption() == BrokerConfig.TransportSecurity.SYM
                || config.effectiveEncryption() == BrokerConfig.TransportSecurity.ASYM;
        if (!encrypted) {
            LOG.warning("the broker transport of " + config.organisation() + " is not encrypted ("
                    + config.effectiveEncryption() + "): put the grid's key at " + config.gridKey()
                    + " to encrypt it; messages are signed and checked either way");
        }
        metrics.gauge(
                "corc_broker_transport_encrypted",
                "1 when the JGroups transport is encrypted.",
                () -> encrypted ? 1 : 0);
        metrics.gauge("corc_broker_replay_cache_entries", "Nonces remembered against replays.", guard::remembered);
    }

    /**
     * Loads the identity key and trust store named in {@code config}, joins the grid and returns once joined. The
     * owner orchestrates leases through {@code corc}.
     */
    public static GridBroker start(BrokerConfig config, Corc corc) {
        requireNonNull(config, "config is null");
        BrokerIdentity identity = BrokerIdentity.load(config.identityKey());
        if (!identity.organisation().equals(config.organisation())) {
            throw CorcException.invalidInput("the identity key " + config.identityKey() + " is organisation "
                    + identity.organisation() + ", the configuration says " + config.organisation());
        }
        return start(config, corc, identity, TrustStore.load(config.trustStore()), Clock.systemUTC());
    }

    /** As {@link #start(BrokerConfig, Corc)} with the identity and trust store given (tests, embedders). */
    public static GridBroker start(
            BrokerConfig config, Corc corc, BrokerIdentity identity, TrustStore trust, Clock clock) {
        requireNonNull(corc, "corc is null");
        for (SharedClass c : config.shared()) { // a class no provider can start would be offered and never served
            try {
                corc.orchestrator(c.provider(), io.corc.api.ResourceKind.INSTANCE);
            } catch (CorcException e) {
                throw CorcException.invalidInput("shared class " + c.name() + " names provider " + c.provider()
                                + ", which this corc cannot use: " + e.getMessage())
                        .withContext("broker", "start");
            }
        }
        GridBroker broker = new GridBroker(config, corc, identity, trust, clock);
        broker.join();
        return broker;
    }

    private void join() {
        try {
            owner.restore();
            restoreHeld();
        } catch (RuntimeException e) { // an unreadable lease file: nothing joined yet, but the channel and pools exist
            shutdownExecutors();
            channel.close();
            throw e;
        }
        channel.setReceiver(new Receiver() {
            @Override
            public void receive(Message msg) {
                onMessage(msg);
            }

            @Override
            public void viewAccepted(View newView) {
                onView(newView);
            }
        });
        try {
            channel.connect(GridStack.clusterName(config.grid()));
        } catch (Exception e) {
            shutdownExecutors();
            channel.close();
            boolean refused = String.valueOf(e.getMessage()).contains("authentication failed");
            throw new CorcException(
                    refused ? ErrorCategory.AUTHENTICATION : ErrorCategory.UNAVAILABLE,
                    "could not join grid " + config.grid() + ": " + e.getMessage(),
                    "broker",
                    "start",
                    refused
                            ? "the members do not trust this key (" + identity.fingerprint() + ") for grid "
                                    + config.grid() + ": send them the line of 'corc broker keygen' to add"
                            : "check network.bind_address/port and that the port is free",
                    e);
        }
        state = "running";
        long refresh = config.offerRefresh().toMillis();
        timers.scheduleAtFixedRate(this::periodic, 0, refresh, TimeUnit.MILLISECONDS);
        long sweep = Math.max(50, Math.min(1000, config.reservationTimeout().toMillis() / 4));
        timers.scheduleAtFixedRate(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
    }

    // ---- BrokerService ------------------------------------------------------------------------------------------

    @Override
    public BrokerStatus status() {
        int heldCount = (int) held.values().stream()
                .filter(l -> l.state() == LeaseState.ACTIVE)
                .count();
        return new BrokerStatus(
                config.organisation(),
                config.grid(),
                identity.fingerprint(),
                String.valueOf(physicalAddress()),
                state,
                peers().stream().map(Peer::organisation).toList(),
                owner.ledger().holdingCount(),
                heldCount,
                started);
    }

    @Override
    public List<Peer> peers() {
        View current = view;
        List<Peer> peers = new ArrayList<>();
        if (current == null) {
            return peers;
        }
        for (Address member : current.getMembers()) {
            boolean self = member.equals(channel.getAddress());
            PeerSeen peer = seen.get(member);
            String physical =
                    String.valueOf(channel.down(new org.jgroups.Event(org.jgroups.Event.GET_PHYSICAL_ADDRESS, member)));
            if (self) {
                peers.add(new Peer(config.organisation(), identity.fingerprint(), physical, true, true, null));
            } else if (peer != null) {
                boolean trusted = trust.byFingerprint(peer.fingerprint()).isPresent();
                peers.add(new Peer(peer.organisation(), peer.fingerprint(), physical, trusted, false, peer.last()));
            } else {
                peers.add(new Peer(String.valueOf(member), null, physical, false, false, null));
            }
        }
        return peers;
    }

    @Override
    public List<MemberOffer> offers() {
        List<MemberOffer> all = new ArrayList<>();
        MemberOffer mine = ownOffer;
        if (mine != null) {
            all.add(mine);
        }
        offers.current().stream()
                .sorted(Comparator.comparing(MemberOffer::organisation))
                .forEach(all::add);
        return all;
    }

    @Override
    public List<Lease> leases() {
        Map<String, Lease> all = new LinkedHashMap<>();
        owner.ledger().leases().forEach(l -> all.putIfAbsent(l.id(), l));
        expireHeld();
        held.values().forEach(l -> all.putIfAbsent(l.id(), l));
        return List.copyOf(all.values());
    }

    @Override
    public Lease request(LeaseRequest request) {
        return request(request, ProgressListener.NONE);
    }

    @Override
    public Lease request(LeaseRequest request, ProgressListener progress) {
        requireNonNull(request, "request is null");
        requireNonNull(progress, "progress is null");
        ensureRunning();
        metrics.increment(BrokerMetrics.REQUESTS);
        List<String> refusals = new ArrayList<>();
        Lease local = tryLocal(request, refusals, progress);
        if (local != null) {
            metrics.increment(BrokerMetrics.GRANTS);
            progress.onProgress(ACTIVE_STEP, 2, 2);
            return local;
        }
        long[] messages = {0};
        try {
            List<Candidate> candidates = OfferRanking.rank(
                    offers.current(), request, config.organisation(), messenger::reachable, messenger::latencyNanos);
            for (Candidate candidate : candidates) {
                Lease lease = tryPeer(candidate, request, refusals, messages, progress);
                if (lease != null) {
                    held.put(lease.id(), lease);
                    persistHeld();
                    metrics.increment(BrokerMetrics.GRANTS);
                    progress.onProgress(ACTIVE_STEP, 2, 2);
                    return lease;
                }
            }
        } finally {
            metrics.add(BrokerMetrics.REQUEST_MESSAGES, messages[0]);
        }
        throw noLease(request, refusals);
    }

    @Override
    public Lease renew(String leaseId, Duration extension) {
        requireNonNull(leaseId, "leaseId is null");
        requireNonNull(extension, "extension is null");
        if (extension.isNegative() || extension.isZero()) {
            throw CorcException.invalidInput("a renewal needs a positive extension");
        }
        Lease lease = find(leaseId);
        if (lease.local()) {
            try {
                return owner.renew(config.organisation(), leaseId, extension);
            } catch (Refusal r) {
                throw refused(r);
            }
        }
        ensureOwnerReachable(lease, "renew");
        Map<String, Object> body = Map.of("lease", leaseId, "extension_ms", extension.toMillis());
        Envelope reply = messenger.call(lease.owner(), MessageType.RENEW, body, config.replyTimeout(), null);
        Lease renewed = leaseFromReply(reply);
        held.put(leaseId, renewed);
        persistHeld();
        return renewed;
    }

    @Override
    public Lease release(String leaseId) {
        requireNonNull(leaseId, "leaseId is null");
        Lease lease = find(leaseId);
        if (!lease.state().holdsCapacity()) {
            return lease;
        }
        if (lease.local()) {
            try {
                return owner.release(config.organisation(), leaseId);
            } catch (Refusal r) {
                throw refused(r);
            }
        }
        ensureOwnerReachable(lease, "release");
        Lease released;
        try {
            released = leaseFromReply(messenger.call(
                    lease.owner(), MessageType.RELEASE, Map.of("lease", leaseId), config.replyTimeout(), null));
        } catch (CorcException e) {
            if (e.category() != ErrorCategory.UNAVAILABLE) {
                throw e;
            }
            released = withState(lease, LeaseState.RELEASED, "owner unreachable; the lease expires there");
        }
        held.put(leaseId, released);
        persistHeld();
        return released;
    }

    @Override
    public List<MemberUsage> accounting() {
        return accounting.snapshot(owner.ledger().holdingEntries(), clock.instant());
    }

    @Override
    public String metrics() {
        return metrics.render();
    }

    /** The counters behind {@link #metrics()}, for embedders and tests. */
    public BrokerMetrics metricsRegistry() {
        return metrics;
    }

    public BrokerIdentity identity() {
        return identity;
    }

    public TrustStore trustStore() {
        return trust;
    }

    public BrokerConfig config() {
        return config;
    }

    @Override
    public void close() {
        if ("stopped".equals(state) || "stopping".equals(state)) {
            return;
        }
        state = "stopping";
        for (Lease lease : List.copyOf(held.values())) {
            if (lease.state().holdsCapacity() && clock.instant().isBefore(lease.expires())) {
                try {
                    release(lease.id());
                } catch (RuntimeException e) {
                    LOG.log(
                            Level.INFO,
                            "could not release " + lease.id() + " at " + lease.owner() + ": " + e.getMessage());
                }
            }
        }
        awaitStartsInProgress();
        shutdownExecutors();
        tellRequesters(owner.shutdown());
        channel.close();
        state = "stopped";
    }

    /**
     * Stops as a crash would: no goodbye to the view, nothing released, nothing torn down (tests of crash
     * recovery; the other members notice by failure detection and the owners' expiry).
     */
    void halt() {
        state = "stopped";
        shutdownExecutors();
        org.jgroups.protocols.DISCARD discard = new org.jgroups.protocols.DISCARD().discardAll(true);
        try {
            channel.getProtocolStack()
                    .insertProtocol(
                            discard, org.jgroups.stack.ProtocolStack.Position.ABOVE, org.jgroups.protocols.TP.class);
        } catch (Exception e) {
            LOG.log(Level.FINE, "could not insert DISCARD", e);
        }
        channel.close();
    }

    /** The JGroups channel (tests insert DISCARD to partition it). */
    JChannel channel() {
        return channel;
    }

    // ---- requesting ---------------------------------------------------------------------------------------------

    private Lease tryLocal(LeaseRequest request, List<String> refusals, ProgressListener progress) {
        String member = request.options().get(LeaseRequest.OPTION_MEMBER);
        if (member != null && !member.equals(config.organisation())) {
            return null;
        }
        List<SharedClass> classes = new ArrayList<>(owner.ledger().classes());
        classes.sort(Comparator.comparingDouble(SharedClass::pricePerHour).thenComparingInt(SharedClass::priority));
        for (SharedClass c : classes) {
            if (!OwnerService.asResourceClass(c, 1).fits(request)
                    || !OfferRanking.regionMatches(c.regions(), request)) {
                continue;
            }
            try {
                Lease reserved = owner.reserve(config.organisation(), c.name(), request);
                progress.onProgress(GRANTED_STEP, 1, 2);
                return owner.confirm(config.organisation(), reserved.id(), request.sshPublicKey());
            } catch (Refusal r) {
                refusals.add(config.organisation() + "/" + c.name() + ": " + r.getMessage());
            }
        }
        return null;
    }

    private Lease tryPeer(
            Candidate candidate,
            LeaseRequest request,
            List<String> refusals,
            long[] messages,
            ProgressListener progress) {
        String where =
                candidate.organisation() + "/" + candidate.resourceClass().name();
        Map<String, Object> reserve = new LinkedHashMap<>();
        reserve.put("class", candidate.resourceClass().name());
        reserve.put("ttl_ms", request.ttl().toMillis());
        reserve.put("user", request.user());
        reserve.put("min_cores", request.minCores());
        reserve.put("min_memory_gb", request.minMemoryGb());
        reserve.put("gpus", request.gpus());
        reserve.put("gpu_type", request.gpuType());
        Lease reserved;
        try {
            reserved = leaseFromReply(messenger.call(
                    candidate.organisation(), MessageType.RESERVE, reserve, config.replyTimeout(), messages));
        } catch (CorcException e) {
            refusals.add(where + ": " + e.getMessage());
            return null;
        }
        progress.onProgress(GRANTED_STEP, 1, 2);
        Map<String, Object> confirm = new LinkedHashMap<>();
        confirm.put("lease", reserved.id());
        confirm.put("ssh_public_key", request.sshPublicKey());
        try {
            return leaseFromReply(messenger.call(
                    candidate.organisation(), MessageType.CONFIRM, confirm, config.orchestrationTimeout(), messages));
        } catch (CorcException e) {
            refusals.add(where + ": " + e.getMessage());
            if (e.category() == ErrorCategory.UNAVAILABLE) { // no answer: give the unit back rather than wait it out
                messenger.sendQuietly(candidate.organisation(), MessageType.RELEASE, Map.of("lease", reserved.id()));
            }
            return null;
        }
    }

    private CorcException noLease(LeaseRequest request, List<String> refusals) {
        boolean anyFitsButTtl = false;
        boolean anyFitsTtl = false;
        List<ResourceClass> all = new ArrayList<>();
        owner.ledger().classes().forEach(c -> all.add(OwnerService.asResourceClass(c, 1)));
        offers.current().forEach(o -> all.addAll(o.classes()));
        for (ResourceClass c : all) {
            ResourceClass unlimited = new ResourceClass(
                    c.name(), c.cores(), c.memoryGb(), c.gpus(), c.gpuType(), 1, 0, 0, c.regions(), null);
            if (unlimited.fits(request)) {
                anyFitsButTtl = true;
                anyFitsTtl |= c.maxLease() == null || c.maxLease().compareTo(request.ttl()) >= 0;
            }
        }
        if (anyFitsButTtl && !anyFitsTtl) {
            metrics.increment(BrokerMetrics.REQUEST_FAILURES, "reason", "max_lease");
            return CorcException.invalidInput("no member leases a matching resource for " + request.ttl()
                            + "; every matching class has a shorter maximum lease")
                    .withContext("broker", "request")
                    .withHint("ask for a shorter --ttl and renew the lease later");
        }
        metrics.increment(BrokerMetrics.REQUEST_FAILURES, "reason", "no_capacity");
        String detail = refusals.isEmpty() ? "no member offers a free matching resource" : String.join("; ", refusals);
        return new CorcException(
                ErrorCategory.CAPACITY,
                "no member of grid " + config.grid() + " could serve the request: " + detail,
                "broker",
                "request",
                "'corc broker offers' shows what members share; try again later or ask for less",
                null);
    }

    private Lease find(String leaseId) {
        Lease lease = held.get(leaseId);
        if (lease != null) {
            return lease;
        }
        return owner.ledger().leases().stream()
                .filter(l -> l.id().equals(leaseId) && l.local())
                .findFirst()
                .orElseThrow(() -> CorcException.notFound("no lease " + leaseId + " held by " + config.organisation())
                        .withHint("'corc broker leases' lists them"));
    }

    private Lease leaseFromReply(Envelope reply) {
        if (reply.type() == MessageType.REFUSED) {
            String reason = reply.string("reason");
            CorcException e = new CorcException(
                    Refusal.NO_CAPACITY.equals(reason) || Refusal.QUOTA.equals(reason)
                            ? ErrorCategory.CAPACITY
                            : Refusal.UNKNOWN_LEASE.equals(reason) ? ErrorCategory.NOT_FOUND : ErrorCategory.CONFLICT,
                    reply.sender() + " refused (" + reason + "): " + reply.string("message"));
            metrics.increment(BrokerMetrics.PEER_REFUSALS, "reason", reason);
            throw e;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) reply.body().get("lease");
        Lease lease = Bodies.leaseOf(body);
        if (!lease.owner().equals(reply.sender()) || !lease.requester().equals(config.organisation())) {
            throw CorcException.internal(
                    "a lease from " + reply.sender() + " names owner " + lease.owner() + " and requester "
                            + lease.requester(),
                    null);
        }
        return lease;
    }

    private static CorcException refused(Refusal r) {
        ErrorCategory category = Refusal.UNKNOWN_LEASE.equals(r.reason())
                ? ErrorCategory.NOT_FOUND
                : Refusal.MAX_LEASE.equals(r.reason()) ? ErrorCategory.INVALID_INPUT : ErrorCategory.CONFLICT;
        return new CorcException(category, r.getMessage()).withContext("broker", r.reason());
    }

    // ---- receiving ------------------------------------------------------------------------------------------------

    private void onMessage(Message msg) {
        byte[] bytes = msg.getArray() == null
                ? new byte[0]
                : java.util.Arrays.copyOfRange(msg.getArray(), msg.getOffset(), msg.getOffset() + msg.getLength());
        MessageGuard.Verdict verdict = guard.check(bytes);
        if (!verdict.accepted()) {
            metrics.increment(
                    BrokerMetrics.DROPPED, "reason", verdict.rejection().label());
            LOG.log(
                    Level.FINE,
                    () -> "dropped a message from " + msg.getSrc() + ": "
                            + verdict.rejection().label() + " (" + verdict.detail() + ")");
            return;
        }
        Envelope e = verdict.envelope();
        messenger.received(e);
        Address source = msg.getSrc();
        View current = view;
        if (source != null && current != null && !current.containsMember(source)) {
            // sent before it left the view, delivered after: it must not bring its address or offer back
            metrics.increment(BrokerMetrics.DROPPED, "reason", "not_member");
            return;
        }
        if (source != null) {
            messenger.learn(e.sender(), source);
            seen.put(source, new PeerSeen(e.sender(), e.keyFingerprint(), clock.instant()));
        }
        if (e.type().isReply()) {
            messenger.replied(e);
            return;
        }
        if (e.type() == MessageType.ENDED) {
            endedAtOwner(e);
            return;
        }
        if (e.type() == MessageType.OFFER) {
            MemberOffer offer = Bodies.offerOf(e);
            offers.put(new MemberOffer(
                    offer.organisation(),
                    offer.keyFingerprint(),
                    offer.sequence(),
                    offer.issued(),
                    offer.expires(),
                    offer.classes().stream()
                            .filter(c -> sharedWithMe(e, c.name()))
                            .toList()));
            return;
        }
        if (!"running".equals(state)) {
            return;
        }
        try {
            if (e.type() == MessageType.RESERVE) {
                serve(e, source); // a few microseconds under the ledger's lock, no file or provider: no hand-off
            } else {
                orchestration.execute(() -> serve(e, source)); // provider calls or the lease file's fsync
            }
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // stopping
        }
    }

    @SuppressWarnings("unchecked")
    private boolean sharedWithMe(Envelope offer, String className) {
        Object sharing = offer.body().get("members");
        if (!(sharing instanceof Map<?, ?> map) || !map.containsKey(className)) {
            return true;
        }
        List<String> members = (List<String>) map.get(className);
        return members.contains("*") || members.contains(config.organisation());
    }

    /** Owner side: answers a peer's RESERVE, CONFIRM, RENEW or RELEASE. */
    private void serve(Envelope e, Address source) {
        String requester = e.sender();
        Map<String, Object> reply;
        MessageType replyType = MessageType.GRANTED;
        try {
            Lease lease =
                    switch (e.type()) {
                        case RESERVE -> owner.reserve(requester, e.string("class"), requestOf(e));
                        case CONFIRM -> owner.confirm(requester, e.string("lease"), e.string("ssh_public_key"));
                        case RENEW ->
                            owner.renew(requester, e.string("lease"), Duration.ofMillis(e.number("extension_ms", 0)));
                        case RELEASE -> owner.release(requester, e.string("lease"));
                        default -> throw new Refusal("unsupported", "unexpected " + e.type());
                    };
            reply = Map.of("lease", Bodies.lease(lease));
        } catch (Refusal r) {
            replyType = MessageType.REFUSED;
            reply = Bodies.refusal(r.reason(), r.getMessage());
        } catch (RuntimeException ex) {
            replyType = MessageType.REFUSED;
            reply = Bodies.refusal("invalid", ex.getMessage());
        }
        if (e.correlation() != null && source != null) {
            try {
                messenger.send(source, requester, replyType, e.correlation(), reply);
            } catch (CorcException ex) {
                LOG.log(Level.INFO, "could not answer " + requester + ": " + ex.getMessage());
            }
        }
    }

    private static LeaseRequest requestOf(Envelope e) {
        Object memory = e.body().get("min_memory_gb");
        return new LeaseRequest(
                (int) e.number("min_cores", 0),
                memory instanceof Number n ? n.doubleValue() : 0,
                (int) e.number("gpus", 0),
                e.string("gpu_type"),
                Duration.ofMillis(e.number("ttl_ms", 0)),
                null,
                e.string("user"),
                Map.of());
    }

    // ---- offers and membership ----------------------------------------------------------------------------------

    private void periodic() {
        try {
            if (trust.refresh()) {
                LOG.info("trust store " + trust.file() + " changed; "
                        + trust.list().size() + " member(s) trusted");
            }
            // a member whose key was removed loses its offers now, not when they expire: nothing is asked of it
            offers.retainOnly(
                    trust.list().stream().map(TrustedMember::organisation).toList());
            publishOffer();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "periodic offer failed", e);
        }
    }

    /** Owner side: tells each peer whose lease ended here without its asking (a local lease needs no message). */
    private void tellRequesters(List<Lease> ended) {
        for (Lease lease : ended) {
            if (!lease.requester().equals(config.organisation())) {
                messenger.sendQuietly(lease.requester(), MessageType.ENDED, Map.of("lease", Bodies.lease(lease)));
            }
        }
    }

    /** Requester side: a lease its owner ended (expired there, or the owner stopped) is no longer held here. */
    private void endedAtOwner(Envelope e) {
        @SuppressWarnings("unchecked")
        Lease ended = Bodies.leaseOf((Map<String, Object>) e.body().get("lease"));
        held.computeIfPresent(
                ended.id(),
                (id, mine) -> mine.owner().equals(e.sender())
                                && mine.state().holdsCapacity()
                                && !ended.state().holdsCapacity()
                        ? ended
                        : mine);
        persistHeld();
    }

    private void sweep() {
        try {
            tellRequesters(owner.sweep());
            expireHeld();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "lease sweep failed", e);
        }
    }

    // ---- leases held at peers: in memory and in the state directory ---------------------------------------------

    /** Marks the held leases whose time ran out EXPIRED (the owner tears them down at that time). */
    private void expireHeld() {
        Instant now = clock.instant();
        boolean changed = false;
        for (Lease l : held.values()) {
            if (l.state().holdsCapacity() && !now.isBefore(l.expires())) {
                changed |= held.replace(l.id(), l, withState(l, LeaseState.EXPIRED, "lease time ran out"));
            }
        }
        if (changed) {
            persistHeld();
        }
    }

    /**
     * Writes the leases this broker's users hold at peers (those still holding capacity) to the state directory,
     * so that a restarted broker still lists, renews and releases them. Only the leases' protocol bodies are
     * written: ids, organisations, user, times, endpoint, resource id, nothing secret. A failed write is logged, not
     * thrown: the lease is granted (or released) at the owner either way.
     */
    private void persistHeld() {
        synchronized (heldFileLock) { // each write takes the map as it is then, so the last write has every change
            List<Map<String, Object>> out = new ArrayList<>();
            held.values().stream()
                    .filter(l -> l.state().holdsCapacity())
                    .sorted(Comparator.comparing(Lease::created).thenComparing(Lease::id))
                    .forEach(l -> out.add(Bodies.lease(l)));
            try {
                LeaseFile.write(config.heldLeasesFile(), out, "the leases held at peers");
            } catch (CorcException e) {
                LOG.log(Level.WARNING, e.getMessage() + "; a restart will not know these leases");
            }
        }
    }

    /**
     * After a restart: the leases this broker's users held at peers are held again (renewable and releasable once
     * their owner is in the view); those whose time ran out meanwhile are listed as EXPIRED and leave the file.
     */
    private void restoreHeld() {
        Instant now = clock.instant();
        for (Map<String, Object> m : LeaseFile.read(config.heldLeasesFile(), "the leases held at peers")) {
            Lease lease = Bodies.leaseOf(m);
            if (!lease.requester().equals(config.organisation()) || lease.local()) {
                continue; // not this organisation's to hold
            }
            if (lease.state().holdsCapacity() && !now.isBefore(lease.expires())) {
                lease = withState(lease, LeaseState.EXPIRED, "lease time ran out");
            }
            held.put(lease.id(), lease);
        }
        persistHeld();
    }

    /**
     * The owner's address is learnt from its messages (its offers, every refresh interval): a restarted broker, or
     * one whose owner left the view, cannot reach it until it is a member again and has been heard from.
     */
    private void ensureOwnerReachable(Lease lease, String action) {
        if (!messenger.reachable(lease.owner())) {
            throw new CorcException(
                    ErrorCategory.UNAVAILABLE,
                    "cannot " + action + " lease " + lease.id() + ": its owner " + lease.owner()
                            + " is not in the grid's view (or not heard from yet)",
                    "broker",
                    action,
                    "retry once " + lease.owner() + " is back in the view ('corc broker peers' lists the members;"
                            + " a restarted broker hears from them within " + config.offerRefresh()
                            + "); unless renewed the lease ends at " + lease.owner() + " at " + lease.expires(),
                    null);
        }
    }

    private void publishOfferAsync() {
        try {
            timers.execute(this::periodic);
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // stopping
        }
    }

    /** Broadcasts what this broker shares now; the sequence and the content are taken under one lock. */
    private void publishOffer() {
        if (!"running".equals(state)) {
            return;
        }
        synchronized (publishLock) {
            List<ResourceClass> classes = new ArrayList<>();
            Map<String, Object> members = new LinkedHashMap<>();
            for (SharedClass c : owner.ledger().classes()) {
                classes.add(OwnerService.asResourceClass(c, owner.ledger().availableToPeers(c.name())));
                members.put(c.name(), c.members());
            }
            Instant now = clock.instant();
            Instant expires = now.plus(config.offerTtl());
            Map<String, Object> body = new LinkedHashMap<>(Bodies.offer(classes, expires));
            body.put("members", members);
            long seq;
            try {
                seq = messenger.broadcast(MessageType.OFFER, body);
            } catch (CorcException e) {
                LOG.log(Level.FINE, "offer not sent: " + e.getMessage());
                seq = -1;
            }
            ownOffer = new MemberOffer(config.organisation(), identity.fingerprint(), seq, now, expires, classes);
        }
    }

    private void onView(View newView) {
        View old = view;
        Set<Address> members = new HashSet<>(newView.getMembers());
        messenger.retainMembers(members, offers::remove); // first, so whoever sees the new view sees their offers gone
        seen.keySet().retainAll(members);
        view = newView;
        if (old == null
                || !members.containsAll(old.getMembers())
                || !new HashSet<>(old.getMembers()).containsAll(members)) {
            publishOfferAsync();
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private void ensureRunning() {
        if (!"running".equals(state)) {
            throw new CorcException(
                    ErrorCategory.UNAVAILABLE, "the broker of " + config.organisation() + " is " + state);
        }
    }

    private Object physicalAddress() {
        Address local = channel.getAddress();
        return local == null
                ? null
                : channel.down(new org.jgroups.Event(org.jgroups.Event.GET_PHYSICAL_ADDRESS, local));
    }

    /**
     * Lets the starts under way finish (bounded by the orchestration timeout, at most {@link #CLOSE_WAIT}) so that
     * {@link OwnerService#shutdown} tears their resources down; interrupting a provider mid-start could leave a
     * resource that only {@code corc gc} would find.
     */
    private void awaitStartsInProgress() {
        orchestration.shutdown();
        Duration wait =
                config.orchestrationTimeout().compareTo(CLOSE_WAIT) < 0 ? config.orchestrationTimeout() : CLOSE_WAIT;
        try {
            if (!orchestration.awaitTermination(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                LOG.warning("starts still under way after " + wait + "; stopping without them (corc gc lists what"
                        + " they leave)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final Duration CLOSE_WAIT = Duration.ofMinutes(2);

    private void shutdownExecutors() {
        timers.shutdownNow();
        orchestration.shutdownNow();
    }

    private static Lease withState(Lease l, LeaseState state, String reason) {
        return new Lease(
                l.id(),
                l.owner(),
                l.requester(),
                l.user(),
                state,
                l.resourceClass(),
                l.created(),
                l.expires(),
                l.endpoint(),
                l.resourceId(),
                reason);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicLong count = new AtomicLong();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
