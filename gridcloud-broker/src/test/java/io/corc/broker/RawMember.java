package io.corc.broker;

import io.corc.broker.protocol.Envelope;
import io.corc.broker.protocol.MessageGuard;
import io.corc.broker.protocol.MessageType;
import io.corc.broker.protocol.WireCodec;
import io.corc.broker.transport.GridStack;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;

/**
 * A grid member that is not a GridBroker: it joins with the brokers' own stack (so it passes AUTH and holds the
 * group key, like a compromised or buggy member would) and puts hand-made frames on the channel.
 */
final class RawMember implements AutoCloseable {
    final BrokerIdentity identity;
    final JChannel channel;
    final BlockingQueue<Envelope> received = new LinkedBlockingQueue<>();
    private long sequence = System.currentTimeMillis() * 1000;

    RawMember(TestGrid grid, BrokerIdentity identity, BrokerConfig config, TrustStore trust) throws Exception {
        this.identity = identity;
        this.channel = GridStack.channel(config, identity, trust);
        MessageGuard guard = new MessageGuard(
                identity.organisation(), TestGrid.GRID, trust, Duration.ofSeconds(30), Clock.systemUTC());
        channel.setReceiver(new Receiver() {
            @Override
            public void receive(Message msg) {
                MessageGuard.Verdict verdict = guard.check(msg.getArray());
                if (verdict.accepted()) {
                    received.add(verdict.envelope());
                }
            }
        });
        channel.connect(GridStack.clusterName(TestGrid.GRID));
    }

    /** An envelope from this member, signed by nobody yet. */
    Envelope envelope(MessageType type, String recipient, long timestamp, Map<String, Object> body) {
        return new Envelope(
                type,
                identity.organisation(),
                identity.fingerprint(),
                TestGrid.GRID,
                recipient,
                timestamp,
                UUID.randomUUID().toString(),
                ++sequence,
                UUID.randomUUID().toString(),
                body);
    }

    void broadcast(byte[] frame) throws Exception {
        channel.send(new BytesMessage(null, frame));
    }

    void unicast(String organisation, byte[] frame) throws Exception {
        channel.send(new BytesMessage(address(organisation), frame));
    }

    Address address(String organisation) {
        return channel.getView().getMembers().stream()
                .filter(a -> a.toString().equals(organisation))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(organisation + " is not in " + channel.getView()));
    }

    Envelope next(MessageType type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Envelope e = received.poll(100, TimeUnit.MILLISECONDS);
            if (e != null && e.type() == type) {
                return e;
            }
        }
        throw new AssertionError("no " + type + " within 10 s");
    }

    static byte[] signed(Envelope envelope, BrokerIdentity signer) {
        return WireCodec.encode(envelope, signer);
    }

    /** Dies without a goodbye: everything in and out is dropped, then the channel is closed. */
    void crash() throws Exception {
        channel.getProtocolStack()
                .insertProtocol(new DISCARD().discardAll(true), ProtocolStack.Position.ABOVE, TP.class);
        channel.close();
    }

    @Override
    public void close() {
        channel.close();
    }
}
