package io.corc.broker.control;

import io.corc.broker.BrokerService;

/** The in-memory broker for tests of other packages. */
public final class TestBrokers {
    private TestBrokers() {}

    public static BrokerService inMemory(int units) {
        return new InMemoryBroker(units);
    }

    public static boolean closed(BrokerService broker) {
        return ((InMemoryBroker) broker).closed;
    }
}
