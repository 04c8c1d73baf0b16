package io.corc.broker.protocol;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.broker.BrokerIdentity;
import io.corc.broker.BrokerMetrics;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;

/**
 * Sends this broker's signed messages and pairs replies with the requests waiting for them. It knows each member's
 * address from that member's last valid message ({@link #learn}) and forgets members that left the view; a request
 * goes by unicast to the one member it is for, and waits for the reply carrying its correlation id from that same
 * member. Sequence numbers start at the clock (milliseconds x 1000) so they keep increasing across restarts, and a
 * member's newer offer wins at the receivers.
 */
public final class Messenger {
    private static final Logger LOG = Logger.getLogger(Messenger.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    private final BrokerIdentity identity;
    private final String grid;
    private final JChannel channel;
    private final Clock clock;
    private final BrokerMetrics metrics;
    private final AtomicLong sequence;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, Address> addresses = new ConcurrentHashMap<>();
    private final Map<String, Long> latencyNanos = new ConcurrentHashMap<>();

    private record Pending(String from, CompletableFuture<Envelope> reply) {}

    public Messenger(BrokerIdentity identity, String grid, JChannel channel, Clock clock, BrokerMetrics metrics) {
        this.identity = requireNonNull(identity, "identity is null");
        this.grid = requireNonNull(grid, "grid is null");
        this.channel = requireNonNull(channel, "channel is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.sequence = new AtomicLong(clock.millis() * 1000);
    }

    /** Signs and sends one message ({@code to} null: to every member); returns the sequence number it carries. */
    public long send(Address to, String recipient, MessageType type, String correlation, Map<String, Object> body) {
        long seq = sequence.incrementAndGet();
        Envelope envelope = new Envelope(
                type,
                identity.organisation(),
                identity.fingerprint(),
                grid,
                recipient,
                clock.millis(),
                nonce(),
                seq,
                correlation,
                body);
        byte[] bytes = WireCodec.encode(envelope, identity);
        try {
            channel.send(new BytesMessage(to, bytes));
        } catch (Exception e) {
            throw new CorcException(
                    ErrorCategory.UNAVAILABLE, "could not send " + type + " to " + recipient + ": " + e.getMessage());
        }
        metrics.add(BrokerMetrics.MESSAGES, labels("out", type), 1);
        return seq;
    }

    /** Sends to every member; returns the sequence number. */
    public long broadcast(MessageType type, Map<String, Object> body) {
        return send(null, Envelope.BROADCAST, type, null, body);
    }

    /**
     * Sends a request to {@code organisation} and waits for its reply (GRANTED or REFUSED); adds the messages sent
     * and received to {@code messages[0]} when given.
     *
     * @throws CorcException UNAVAILABLE when the member is not in the view or did not answer in time
     */
    public Envelope call(
            String organisation, MessageType type, Map<String, Object> body, Duration timeout, long[] messages) {
        Address address = addresses.get(organisation);
        if (address == null) {
            throw new CorcException(ErrorCategory.UNAVAILABLE, organisation + " is not in the grid's view");
        }
        String correlation = nonce();
        CompletableFuture<Envelope> reply = new CompletableFuture<>();
        pending.put(correlation, new Pending(organisation, reply));
        long startedAt = System.nanoTime();
        try {
            send(address, organisation, type, correlation, body);
            if (messages != null) {
                messages[0]++;
            }
            Envelope answer = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (messages != null) {
                messages[0]++;
            }
            if (type == MessageType.RESERVE) { // no provider work in it: the network and the owner's ledger
                long rtt = System.nanoTime() - startedAt;
                latencyNanos.merge(organisation, rtt, (old, now) -> (old * 3 + now) / 4);
            }
            return answer;
        } catch (TimeoutException e) {
            throw new CorcException(
                    ErrorCategory.UNAVAILABLE, organisation + " did not answer " + type + " within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CorcException(ErrorCategory.CANCELLED, "interrupted waiting for " + organisation);
        } catch (ExecutionException e) {
            throw CorcException.internal("waiting for " + organisation, e.getCause());
        } finally {
            pending.remove(correlation);
        }
    }

    /** Sends without waiting for or minding the answer (best effort). */
    public void sendQuietly(String organisation, MessageType type, Map<String, Object> body) {
        Address address = addresses.get(organisation);
        if (address != null) {
            try {
                send(address, organisation, type, nonce(), body);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "could not send " + type + " to " + organisation, e);
            }
        }
    }

    /** An accepted reply: completes the request waiting for it, if it came from the member asked. */
    public void replied(Envelope reply) {
        Pending waiting = reply.correlation() == null ? null : pending.get(reply.correlation());
        if (waiting != null && waiting.from().equals(reply.sender())) {
            waiting.reply().complete(reply);
        }
    }

    /** Counts an accepted incoming message. */
    public void received(Envelope envelope) {
        metrics.add(BrokerMetrics.MESSAGES, labels("in", envelope.type()), 1);
    }

    /** {@code organisation} signed a valid message sent from {@code address}. */
    public void learn(String organisation, Address address) {
        addresses.put(organisation, address);
    }

    /** Forgets every member whose address is not in {@code members}, telling {@code forgotten} each name. */
    public void retainMembers(Set<Address> members, Consumer<String> forgotten) {
        for (Map.Entry<String, Address> entry : List.copyOf(addresses.entrySet())) {
            if (!members.contains(entry.getValue()) && addresses.remove(entry.getKey(), entry.getValue())) {
                forgotten.accept(entry.getKey());
            }
        }
    }

    public boolean reachable(String organisation) {
        return addresses.containsKey(organisation);
    }

    /** The smoothed RESERVE round trip to {@code organisation}, or {@link Long#MAX_VALUE} before the first. */
    public long latencyNanos(String organisation) {
        return latencyNanos.getOrDefault(organisation, Long.MAX_VALUE);
    }

    /** 128 random bits, URL-safe base64. */
    public static String nonce() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String labels(String direction, MessageType type) {
        return "direction=\"" + direction + "\",type=\"" + type.name().toLowerCase(Locale.ROOT) + "\"";
    }
}
