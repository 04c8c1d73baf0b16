package io.corc.broker;

import static io.corc.broker.TestGrid.await;
import static io.corc.broker.TestGrid.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.corc.broker.BrokerConfig.SharedClass;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A peer request costs the same four unicasts in a grid of two and of five; bystanders see none of them. */
class MessageCostTest {
    @TempDir
    Path dir;

    @Test
    void messagesPerRequestDoNotGrowWithTheNumberOfBrokers() {
        assertThat(messagesForOneRequest(2)).isEqualTo(4);
        assertThat(messagesForOneRequest(5)).isEqualTo(4);
    }

    private long messagesForOneRequest(int brokers) {
        String[] names = new String[brokers];
        for (int i = 0; i < brokers; i++) {
            names[i] = "org" + i + "-of-" + brokers;
        }
        try (TestGrid grid = new TestGrid(dir.resolve("grid-" + brokers), names)) {
            GridBroker owner =
                    grid.start(grid.config(names[0], SharedClass.of("unit", "local", 1, 1, Duration.ofHours(1)))
                            .build());
            for (int i = 1; i < brokers; i++) {
                grid.start(grid.config(names[i]).build());
            }
            grid.awaitView(brokers);
            GridBroker requester = grid.brokers.get(names[brokers - 1]);
            await("the requester sees the owner's offer", () -> requester.offers().stream()
                    .anyMatch(o -> o.organisation().equals(names[0])));

            Lease lease = requester.request(request(1, Duration.ofMinutes(1), "u"));

            assertThat(lease.owner()).isEqualTo(names[0]);
            for (int i = 1; i < brokers - 1; i++) { // bystanders: no RESERVE/CONFIRM reached them
                BrokerMetrics bystander = grid.brokers.get(names[i]).metricsRegistry();
                assertThat(bystander.value(BrokerMetrics.MESSAGES, "direction=\"in\",type=\"reserve\""))
                        .isZero();
                assertThat(bystander.value(BrokerMetrics.MESSAGES, "direction=\"in\",type=\"granted\""))
                        .isZero();
            }
            assertThat(owner.metricsRegistry().value(BrokerMetrics.MESSAGES, "direction=\"in\",type=\"reserve\""))
                    .isEqualTo(1);
            assertThat(owner.metricsRegistry().value(BrokerMetrics.MESSAGES, "direction=\"in\",type=\"confirm\""))
                    .isEqualTo(1);
            return requester.metricsRegistry().value(BrokerMetrics.REQUEST_MESSAGES);
        }
    }
}
