package io.corc.broker.lease;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corc.api.CorcException;
import io.corc.api.SecureFiles;
import io.corc.broker.BrokerConfig.SharedClass;
import io.corc.broker.MemberUsage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What each member used of this owner's resources: leases granted, core-, GPU- and price-hours of leases that ended,
 * persisted as JSON in the broker's state directory (0600, replaced atomically) after every change; the hours of
 * leases still running are added when asked.
 */
public final class Accounting {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Map<String, Totals> totals = new TreeMap<>();

    private static final class Totals {
        long granted;
        double coreHours;
        double gpuHours;
        double cost;
    }

    private Accounting(Path file) {
        this.file = file;
    }

    /** Reads {@code file} (missing = nothing used yet); null keeps it in memory only. */
    public static Accounting open(Path file) {
        Accounting accounting = new Accounting(file);
        if (file == null || !Files.exists(file)) {
            return accounting;
        }
        try {
            Map<String, Map<String, Number>> stored = JSON.readValue(file.toFile(), new TypeReference<>() {});
            stored.forEach((member, values) -> {
                Totals t = new Totals();
                t.granted = values.getOrDefault("leases_granted", 0).longValue();
                t.coreHours = values.getOrDefault("core_hours", 0).doubleValue();
                t.gpuHours = values.getOrDefault("gpu_hours", 0).doubleValue();
                t.cost = values.getOrDefault("cost", 0).doubleValue();
                accounting.totals.put(member, t);
            });
        } catch (IOException e) {
            throw CorcException.invalidInput(
                            "the broker accounting file " + file + " cannot be read: " + e.getMessage())
                    .withHint("move it away to start counting afresh");
        }
        return accounting;
    }

    public synchronized void granted(String member) {
        totals.computeIfAbsent(member, m -> new Totals()).granted++;
        save();
    }

    /** A lease of one unit of {@code c} ran for {@code duration}. */
    public synchronized void used(String member, SharedClass c, Duration duration) {
        Totals t = totals.computeIfAbsent(member, m -> new Totals());
        double hours = Math.max(0, duration.toMillis()) / 3_600_000.0;
        t.coreHours += hours * c.cores();
        t.gpuHours += hours * c.gpus();
        t.cost += hours * c.pricePerHour();
        save();
    }

    /** Usage per member, with the hours so far of the leases still running ({@code running}). */
    public synchronized List<MemberUsage> snapshot(List<CapacityLedger.Entry> running, Instant now) {
        Map<String, double[]> live = new LinkedHashMap<>();
        Map<String, Integer> active = new LinkedHashMap<>();
        for (CapacityLedger.Entry e : running) {
            String member = e.lease().requester();
            active.merge(member, 1, Integer::sum);
            if (e.activated() != null) {
                double hours = Duration.between(e.activated(), now).toMillis() / 3_600_000.0;
                double[] sums = live.computeIfAbsent(member, m -> new double[3]);
                sums[0] += hours * e.sharedClass().cores();
                sums[1] += hours * e.sharedClass().gpus();
                sums[2] += hours * e.sharedClass().pricePerHour();
            }
        }
        List<String> members = new ArrayList<>(totals.keySet());
        active.keySet().stream().filter(m -> !members.contains(m)).forEach(members::add);
        List<MemberUsage> usage = new ArrayList<>();
        for (String member : members) {
            Totals t = totals.getOrDefault(member, new Totals());
            double[] sums = live.getOrDefault(member, new double[3]);
            usage.add(new MemberUsage(
                    member,
                    t.granted,
                    active.getOrDefault(member, 0),
                    t.coreHours + sums[0],
                    t.gpuHours + sums[1],
                    t.cost + sums[2]));
        }
        return usage;
    }

    private void save() {
        if (file == null) {
            return;
        }
        Map<String, Map<String, Object>> out = new TreeMap<>();
        totals.forEach((member, t) -> {
            Map<String, Object> values = new LinkedHashMap<>();
            values.put("leases_granted", t.granted);
            values.put("core_hours", t.coreHours);
            values.put("gpu_hours", t.gpuHours);
            values.put("cost", t.cost);
            out.put(member, values);
        });
        try {
            SecureFiles.writeAtomically(
                    file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(out));
        } catch (IOException e) {
            throw SecureFiles.ioFailure("write the broker accounting " + file, e);
        }
    }
}
