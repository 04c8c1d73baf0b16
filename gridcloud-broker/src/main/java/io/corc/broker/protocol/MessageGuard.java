package io.corc.broker.protocol;

import static java.util.Objects.requireNonNull;

import io.corc.broker.BrokerIdentity;
import io.corc.broker.TrustStore;
import io.corc.broker.TrustedMember;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides whether a received frame is accepted, in this order: framing, signature present, key trusted and
 * belonging to the organisation the message claims, signature valid, grid, recipient, freshness, replay. The
 * transport's own authentication and encryption are never relied on: a member admitted to the JGroups view still
 * cannot forge, redirect, replay or age another member's messages.
 *
 * <p>Replay protection: every accepted (key, nonce) is remembered until its timestamp leaves the freshness window
 * ({@code maxClockSkew} either side), after which the message would be rejected as stale anyway, so the memory is
 * bounded by the message rate times twice the skew.
 */
public final class MessageGuard {
    private final String self;
    private final String grid;
    private final TrustStore trust;
    private final Duration maxClockSkew;
    private final Clock clock;
    private final Map<String, Long> seen = new ConcurrentHashMap<>();
    private final AtomicInteger sincePurge = new AtomicInteger();

    /** The outcome: an accepted envelope with its signer, or why it was dropped. */
    public record Verdict(Envelope envelope, TrustedMember signer, Rejection rejection, String detail) {
        public boolean accepted() {
            return rejection == null;
        }

        static Verdict reject(Rejection rejection, String detail) {
            return new Verdict(null, null, rejection, detail);
        }
    }

    public MessageGuard(String self, String grid, TrustStore trust, Duration maxClockSkew, Clock clock) {
        this.self = requireNonNull(self, "self is null");
        this.grid = requireNonNull(grid, "grid is null");
        this.trust = requireNonNull(trust, "trust is null");
        this.maxClockSkew = requireNonNull(maxClockSkew, "maxClockSkew is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public Verdict check(byte[] bytes) {
        WireCodec.Frame frame;
        try {
            frame = WireCodec.decode(bytes);
        } catch (WireCodec.MalformedException e) {
            return Verdict.reject(Rejection.MALFORMED, e.getMessage());
        }
        Envelope envelope = frame.envelope();
        if (frame.signature().length == 0) {
            return Verdict.reject(Rejection.UNSIGNED, "from " + envelope.sender());
        }
        Optional<TrustedMember> signer = trust.byFingerprint(envelope.keyFingerprint());
        if (signer.isEmpty()) {
            return Verdict.reject(Rejection.UNTRUSTED, "key " + envelope.keyFingerprint() + " is not trusted");
        }
        if (!signer.get().organisation().equals(envelope.sender())) {
            return Verdict.reject(
                    Rejection.UNTRUSTED, "key of " + signer.get().organisation() + " used as " + envelope.sender());
        }
        if (!BrokerIdentity.verify(signer.get().key(), frame.signedBytes(), frame.signature())) {
            return Verdict.reject(Rejection.BAD_SIGNATURE, "from " + envelope.sender());
        }
        if (!grid.equals(envelope.grid())) {
            return Verdict.reject(Rejection.WRONG_GRID, "for grid " + envelope.grid());
        }
        if (!Envelope.BROADCAST.equals(envelope.recipient()) && !self.equals(envelope.recipient())) {
            return Verdict.reject(Rejection.MISDIRECTED, "for " + envelope.recipient());
        }
        long now = clock.millis();
        if (Math.abs(now - envelope.timestamp()) > maxClockSkew.toMillis()) {
            return Verdict.reject(Rejection.STALE, "timestamp " + (now - envelope.timestamp()) + " ms off");
        }
        String key = envelope.keyFingerprint() + "/" + envelope.nonce();
        long forgetAt = envelope.timestamp() + maxClockSkew.toMillis();
        if (seen.putIfAbsent(key, forgetAt) != null) {
            return Verdict.reject(Rejection.REPLAYED, "nonce " + envelope.nonce() + " from " + envelope.sender());
        }
        if (sincePurge.incrementAndGet() >= 1024) {
            sincePurge.set(0);
            purge(now);
        }
        return new Verdict(envelope, signer.get(), null, null);
    }

    private void purge(long now) {
        for (Iterator<Map.Entry<String, Long>> it = seen.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getValue() < now) {
                it.remove();
            }
        }
    }

    /** How many (key, nonce) pairs are remembered now. */
    public int remembered() {
        return seen.size();
    }
}
