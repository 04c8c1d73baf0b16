package io.corc.bench;

import io.corc.broker.BrokerService;
import io.corc.broker.GridBroker;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;

/**
 * Splits a grid of in-JVM brokers in two with JGroups DISCARD (a quarter of the members, at least one, drop every
 * message from the rest and the rest from them), waits until both sides have installed their own views, lets the
 * messages through again and measures how long until every broker sees every member again (MERGE3 finds the other
 * side, GMS merges the views). The channel is reached through GridBroker's package-private accessor, which exists
 * for exactly this (its tests partition the same way); the bench does not need a public API for it.
 */
final class PartitionProbe {
    private PartitionProbe() {}

    /** Seconds from healing the partition to every broker seeing all members. */
    static double heal(List<BrokerService> brokers) throws Exception {
        int size = brokers.size();
        int cut = Math.max(1, size / 4);
        List<JChannel> channels = new ArrayList<>();
        for (BrokerService broker : brokers) {
            channels.add(channel((GridBroker) broker));
        }
        List<Address> left = channels.subList(0, size - cut).stream()
                .map(JChannel::getAddress)
                .toList();
        List<Address> right = channels.subList(size - cut, size).stream()
                .map(JChannel::getAddress)
                .toList();
        List<DISCARD> discards = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            discards.add(discard(channels.get(i), i < size - cut ? right : left));
        }
        BrokerBench.await(
                Duration.ofSeconds(120),
                () -> brokers.get(0).peers().size() == size - cut
                        && brokers.get(size - 1).peers().size() == cut,
                () -> "views did not split: " + views(brokers));
        long t = System.nanoTime();
        for (DISCARD discard : discards) {
            discard.resetIgnoredMembers();
        }
        BrokerBench.await(
                Duration.ofSeconds(120),
                () -> brokers.stream().allMatch(b -> b.peers().size() == size),
                () -> "views did not merge: " + views(brokers));
        double seconds = (System.nanoTime() - t) / 1e9;
        for (int i = 0; i < size; i++) {
            channels.get(i).getProtocolStack().removeProtocol(discards.get(i));
        }
        return Math.round(seconds * 100) / 100.0;
    }

    private static List<Integer> views(List<BrokerService> brokers) {
        return brokers.stream().map(b -> b.peers().size()).toList();
    }

    private static JChannel channel(GridBroker broker) throws ReflectiveOperationException {
        Method accessor = GridBroker.class.getDeclaredMethod("channel");
        accessor.setAccessible(true);
        return (JChannel) accessor.invoke(broker);
    }

    private static DISCARD discard(JChannel channel, List<Address> ignored) throws Exception {
        DISCARD discard = new DISCARD();
        discard.setAddress(channel.getAddress());
        channel.getProtocolStack().insertProtocol(discard, ProtocolStack.Position.ABOVE, TP.class);
        discard.addIgnoredMembers(ignored.toArray(Address[]::new));
        return discard;
    }
}
