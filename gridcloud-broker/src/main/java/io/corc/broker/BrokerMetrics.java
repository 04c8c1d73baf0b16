package io.corc.broker;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A broker's counters and gauges, rendered in the Prometheus text exposition format. Every name starts with
 * {@code corc_broker_}; rejected requests and dropped messages carry a {@code reason} label, messages a {@code type}
 * and {@code direction}. Thread-safe and cheap: counters are {@link AtomicLong}s, gauges are read when rendered.
 */
public final class BrokerMetrics {
    /** Requests this broker's users made. */
    public static final String REQUESTS = "corc_broker_requests_total";
    /** Leases granted to this broker's users (locally or by a peer). */
    public static final String GRANTS = "corc_broker_grants_total";
    /** Requests that ended without a lease, by reason. */
    public static final String REQUEST_FAILURES = "corc_broker_request_failures_total";
    /** Refusals this broker's requests met at peers, by the owner's reason (the request may still succeed elsewhere). */
    public static final String PEER_REFUSALS = "corc_broker_peer_refusals_total";
    /** Reservations this broker refused as an owner, by reason. */
    public static final String REJECTIONS = "corc_broker_rejections_total";
    /** Messages dropped on receipt, by reason (unsigned, bad_signature, untrusted, wrong_grid, replayed, stale...). */
    public static final String DROPPED = "corc_broker_messages_dropped_total";
    /** Application messages sent and received, by type and direction. */
    public static final String MESSAGES = "corc_broker_messages_total";
    /** Messages (sent and received) that served this broker's requests, summed over all requests. */
    public static final String REQUEST_MESSAGES = "corc_broker_request_messages_total";
    /** Leases this broker served as owner, by how they ended. */
    public static final String LEASES_ENDED = "corc_broker_leases_ended_total";
    /** Leases granted as owner. */
    public static final String OWNER_GRANTS = "corc_broker_owner_grants_total";

    private static final Map<String, String> HELP = Map.of(
            REQUESTS, "Lease requests made by this broker's users.",
            GRANTS, "Leases granted to this broker's users, locally or by a peer.",
            REQUEST_FAILURES, "Requests that ended without a lease, by reason.",
            REJECTIONS, "Reservations refused by this broker as owner, by reason.",
            PEER_REFUSALS, "Refusals this broker's requests met at peers, by reason.",
            DROPPED, "Messages dropped on receipt, by reason.",
            MESSAGES, "Signed application messages, by type and direction.",
            REQUEST_MESSAGES, "Messages sent and received while serving this broker's requests.",
            LEASES_ENDED, "Owned leases that ended, by how.",
            OWNER_GRANTS, "Leases granted by this broker as owner.");

    private final Map<String, Map<String, AtomicLong>> counters = new ConcurrentHashMap<>();
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();

    private record Gauge(String help, LongSupplier value) {}

    public void increment(String name) {
        add(name, "", 1);
    }

    /** Adds one to the counter {@code name} with one label, e.g. {@code ("reason", "stale")}. */
    public void increment(String name, String label, String value) {
        add(name, label + "=\"" + escape(value) + "\"", 1);
    }

    public void add(String name, long amount) {
        add(name, "", amount);
    }

    /** Adds to a counter; {@code labels} is the rendered label list without braces ({@code a="x",b="y"}). */
    public void add(String name, String labels, long amount) {
        counters.computeIfAbsent(name, n -> new ConcurrentHashMap<>())
                .computeIfAbsent(labels, l -> new AtomicLong())
                .addAndGet(amount);
    }

    /** A gauge read when rendered. */
    public void gauge(String name, String help, LongSupplier value) {
        gauges.put(name, new Gauge(help, value));
    }

    /** The counter's value for the label set, 0 when never incremented. */
    public long value(String name, String labels) {
        Map<String, AtomicLong> series = counters.get(name);
        AtomicLong value = series == null ? null : series.get(labels == null ? "" : labels);
        return value == null ? 0 : value.get();
    }

    public long value(String name) {
        return value(name, "");
    }

    /** The counter {@code name} with one label, e.g. {@code count(DROPPED, "reason", "stale")}. */
    public long count(String name, String label, String value) {
        return value(name, label + "=\"" + escape(value) + "\"");
    }

    /** The sum over every label set of the counter. */
    public long total(String name) {
        Map<String, AtomicLong> series = counters.get(name);
        return series == null
                ? 0
                : series.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Prometheus text format (version 0.0.4), names sorted. */
    public String render() {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Map<String, AtomicLong>> counter : new TreeMap<>(counters).entrySet()) {
            String name = counter.getKey();
            out.append("# HELP ")
                    .append(name)
                    .append(' ')
                    .append(HELP.getOrDefault(name, name))
                    .append('\n');
            out.append("# TYPE ").append(name).append(" counter\n");
            for (Map.Entry<String, AtomicLong> series : new TreeMap<>(counter.getValue()).entrySet()) {
                out.append(name);
                if (!series.getKey().isEmpty()) {
                    out.append('{').append(series.getKey()).append('}');
                }
                out.append(' ').append(series.getValue().get()).append('\n');
            }
        }
        for (Map.Entry<String, Gauge> gauge : new TreeMap<>(gauges).entrySet()) {
            out.append("# HELP ")
                    .append(gauge.getKey())
                    .append(' ')
                    .append(gauge.getValue().help())
                    .append('\n');
            out.append("# TYPE ").append(gauge.getKey()).append(" gauge\n");
            out.append(gauge.getKey())
                    .append(' ')
                    .append(gauge.getValue().value().getAsLong())
                    .append('\n');
        }
        return out.toString();
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\")
                .replace("\"", "\\\"")
                .replace("\n", "\\n")
                .toLowerCase(Locale.ROOT);
    }
}
