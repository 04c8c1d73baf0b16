package io.corc.broker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BrokerMetricsTest {
    @Test
    void rendersCountersWithLabelsAndGaugesInPrometheusTextFormat() {
        BrokerMetrics metrics = new BrokerMetrics();
        metrics.increment(BrokerMetrics.REQUESTS);
        metrics.increment(BrokerMetrics.DROPPED, "reason", "stale");
        metrics.increment(BrokerMetrics.DROPPED, "reason", "stale");
        metrics.increment(BrokerMetrics.DROPPED, "reason", "bad_signature");
        metrics.gauge("corc_broker_members", "Members in the current view.", () -> 3);

        assertThat(metrics.render())
                .contains("# HELP corc_broker_requests_total Lease requests made by this broker's users.\n"
                        + "# TYPE corc_broker_requests_total counter\ncorc_broker_requests_total 1\n")
                .contains("# TYPE corc_broker_messages_dropped_total counter\n"
                        + "corc_broker_messages_dropped_total{reason=\"bad_signature\"} 1\n"
                        + "corc_broker_messages_dropped_total{reason=\"stale\"} 2\n")
                .contains("# TYPE corc_broker_members gauge\ncorc_broker_members 3\n");
        assertThat(metrics.render().lines().filter(l -> !l.startsWith("#")))
                .allSatisfy(l -> assertThat(l).matches("corc_broker_[a-z_]+(\\{[a-z_]+=\"[a-z_]+\"})? \\d+"));
        assertThat(metrics.total(BrokerMetrics.DROPPED)).isEqualTo(3);
    }
}
