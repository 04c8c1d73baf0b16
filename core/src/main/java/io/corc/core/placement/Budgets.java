package io.corc.core.placement;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.PluginConfig;
import io.corc.api.RecordStore;
import io.corc.api.Resource;
import io.corc.api.StateRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Spending caps per user and per project ({@code corc.budgets}) and the spend they are checked against. Every
 * resource corc starts gets a {@value #RECORD_TYPE} record (provider, hourly price when known, user, project, start
 * and stop time); spend so far is the sum of price x hours over those records, so it needs no provider call.
 *
 * <pre>
 * corc:
 *   budgets:
 *     user: alice            # default: the USER environment variable
 *     project: physics       # default: none
 *     users:    {alice:   {max_hourly_usd: 2.0, max_total_usd: 50}}
 *     projects: {physics: {max_total_usd: 500}}
 * </pre>
 */
public final class Budgets {
    /** State record type of the spend records; id = the resource id. */
    public static final String RECORD_TYPE = "spend";

    /**
     * A start without {@code --ttl} is charged this long when checked against a total cap: the first hour is what
     * every start costs at least.
     */
    public static final Duration DEFAULT_CHARGE = Duration.ofHours(1);

    private static final String HINT_TAIL =
            "'corc status' shows the spend so far; stop resources, pass a shorter --ttl, or raise the cap in"
                    + " corc.budgets";

    private final String user;
    private final String project;
    private final List<Cap> caps;
    private final RecordStore records;
    private final Clock clock;

    /**
     * One cap.
     *
     * @param scope {@code user} or {@code project}
     * @param name the user's or project's name
     * @param maxHourlyUsd most USD per hour of everything running at once, 0 for no cap
     * @param maxTotalUsd most USD spent in all, 0 for no cap
     */
    public record Cap(String scope, String name, double maxHourlyUsd, double maxTotalUsd) {
        String label() {
            return scope + " " + name;
        }

        String path() {
            return "corc.budgets." + scope + "s." + name;
        }
    }

    /**
     * Spend of one scope.
     *
     * @param cap the cap it is measured against
     * @param hourlyUsd USD per hour of what runs now (prices known)
     * @param totalUsd USD spent so far
     * @param unpriced running resources whose price is unknown (not in the figures)
     */
    public record Spend(Cap cap, double hourlyUsd, double totalUsd, int unpriced) {}

    public Budgets(PluginConfig section, Map<String, String> environment, RecordStore records, Clock clock) {
        requireNonNull(section, "section is null");
        this.records = requireNonNull(records, "records is null");
        this.clock = requireNonNull(clock, "clock is null");
        String configuredUser = section.string("user", "");
        this.user = !configuredUser.isBlank() ? configuredUser : environment.getOrDefault("USER", "");
        this.project = section.string("project", "");
        List<Cap> found = new ArrayList<>();
        capOf(section, "user", user).ifPresent(found::add);
        capOf(section, "project", project).ifPresent(found::add);
        this.caps = List.copyOf(found);
    }

    private static java.util.Optional<Cap> capOf(PluginConfig section, String scope, String name) {
        if (name.isBlank()
                || !section.has(scope + "s")
                || !section.section(scope + "s").has(name)) {
            return java.util.Optional.empty();
        }
        PluginConfig cap = section.section(scope + "s").section(name);
        double hourly = cap.number("max_hourly_usd", 0);
        double total = cap.number("max_total_usd", 0);
        if (hourly < 0 || total < 0) {
            throw CorcException.invalidInput(cap.path() + ": caps must be 0 (none) or more")
                    .withHint("set max_hourly_usd and max_total_usd to USD amounts, e.g. 2.5");
        }
        return java.util.Optional.of(new Cap(scope, name, hourly, total));
    }

    public String user() {
        return user;
    }

    public String project() {
        return project;
    }

    /** The caps that apply to this user and project. */
    public List<Cap> caps() {
        return caps;
    }

    /**
     * Why starting something at {@code hourlyPrice} for {@code ttl} would break a cap, or {@code null} when it would
     * not (or no cap applies).
     */
    public String refusal(Double hourlyPrice, Duration ttl) {
        if (caps.isEmpty()) {
            return null;
        }
        if (hourlyPrice == null) {
            return "its price is unknown, so " + caps.get(0).label() + "'s budget cannot be checked";
        }
        double hours = hours(ttl == null ? DEFAULT_CHARGE : ttl);
        for (Spend spend : spend()) {
            Cap cap = spend.cap();
            if (cap.maxHourlyUsd() > 0 && spend.hourlyUsd() + hourlyPrice > cap.maxHourlyUsd() + 1e-9) {
                return String.format(
                        Locale.ROOT,
                        "%s would spend %s USD/hour with it (%s now + %s), over the cap of %s (%s.max_hourly_usd)",
                        cap.label(),
                        usd(spend.hourlyUsd() + hourlyPrice),
                        usd(spend.hourlyUsd()),
                        usd(hourlyPrice),
                        usd(cap.maxHourlyUsd()),
                        cap.path());
            }
            double projected = spend.totalUsd() + hourlyPrice * hours;
            if (cap.maxTotalUsd() > 0 && projected > cap.maxTotalUsd() + 1e-9) {
                return String.format(
                        Locale.ROOT,
                        "%s would reach %s USD (%s spent + %s x %s h%s), over the cap of %s (%s.max_total_usd)",
                        cap.label(),
                        usd(projected),
                        usd(spend.totalUsd()),
                        usd(hourlyPrice),
                        usd(hours),
                        ttl == null ? ", the first hour; --ttl sets how long" : " of --ttl",
                        usd(cap.maxTotalUsd()),
                        cap.path());
            }
        }
        return null;
    }

    /** Throws a {@link ErrorCategory#CAPACITY} error when {@link #refusal} has a reason. */
    public void enforce(String provider, Double hourlyPrice, Duration ttl) {
        String reason = refusal(hourlyPrice, ttl);
        if (reason != null) {
            throw new CorcException(
                    ErrorCategory.CAPACITY,
                    "budget: not starting at " + provider + ": " + reason,
                    "budget",
                    "start",
                    HINT_TAIL,
                    null);
        }
    }

    /**
     * Checks the caps and reserves the price in one step under the state store's lock ({@link RecordStore#update}
     * holds it across the check and the write), so two starts at once, in threads or processes, cannot both pass a
     * cap that only one fits: the second sees the first's reservation. The reservation is a {@value #RECORD_TYPE}
     * record with status {@code reserved} naming this process; it counts as running spend while that process lives,
     * and {@link #recordStart} (or {@link #release} on failure) replaces it.
     *
     * @return the reservation id, or {@code null} when no cap applies (nothing to reserve)
     * @throws CorcException CAPACITY when a cap would be broken (as {@link #enforce})
     */
    public String reserve(String provider, Double hourlyPrice, Duration ttl) {
        if (caps.isEmpty()) {
            return null;
        }
        String id = "reserve-" + java.util.HexFormat.of().formatHex(randomBytes());
        ProcessHandle self = ProcessHandle.current();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("provider", provider);
        if (hourlyPrice != null) {
            data.put("hourly_price", hourlyPrice);
        }
        data.put("user", user);
        data.put("project", project);
        data.put("started_at", clock.instant().toString());
        data.put("pid", self.pid());
        Instant processStart = io.corc.api.ProcessTrees.startOf(self);
        if (processStart != null) {
            data.put("pid_started_at", processStart.toString());
        }
        records.update(RECORD_TYPE, id, old -> {
            enforce(provider, hourlyPrice, ttl); // reads every spend record, under the same lock as this write
            return StateRecord.create(RECORD_TYPE, id, RESERVED, data);
        });
        return id;
    }

    /** Drops a reservation whose start failed; {@code null} is ignored. */
    public void release(String reservation) {
        if (reservation != null) {
            records.delete(RECORD_TYPE, reservation);
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[5];
        new java.security.SecureRandom().nextBytes(bytes);
        return bytes;
    }

    /** Status of a spend record that holds a place for a start in progress ({@link #reserve}). */
    public static final String RESERVED = "reserved";

    /** Whether a reservation's process still runs (a dead one's reservation no longer counts). */
    static boolean live(StateRecord record) {
        if (!RESERVED.equals(record.status())) {
            return true;
        }
        Object pid = record.data().get("pid");
        String started = record.string("pid_started_at");
        return pid instanceof Number n
                && io.corc.api.ProcessTrees.find(n.longValue(), started == null ? null : Instant.parse(started))
                        .isPresent();
    }

    /**
     * Records that {@code resource} runs from now at {@code hourlyPrice}, replacing the reservation made for it
     * (may be {@code null}).
     */
    public void recordStart(Resource resource, Double hourlyPrice, String reservation) {
        recordStart(resource, hourlyPrice);
        release(reservation);
    }

    /** Records that {@code resource} runs from now at {@code hourlyPrice} (may be {@code null}). */
    public void recordStart(Resource resource, Double hourlyPrice) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("provider", resource.provider());
        data.put("kind", resource.kind().cliName());
        data.put("name", resource.name());
        data.put("shape", resource.details().getOrDefault("shape", ""));
        if (hourlyPrice != null) {
            data.put("hourly_price", hourlyPrice);
        }
        data.put("user", user);
        data.put("project", project);
        data.put("started_at", clock.instant().toString());
        if (resource.id().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,199}")) {
            records.put(StateRecord.create(RECORD_TYPE, resource.id(), "running", data));
        }
    }

    /** Records that the resource stopped now; nothing when it has no spend record or was stopped before. */
    public void recordStop(String resourceId) {
        if (!resourceId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,199}")) {
            return;
        }
        records.update(
                RECORD_TYPE,
                resourceId,
                record -> record == null || record.data().containsKey("stopped_at")
                        ? record
                        : record.with("stopped_at", clock.instant().toString()).withStatus("stopped"));
    }

    /** Spend measured against each cap that applies ({@link #caps()}). */
    public List<Spend> spend() {
        List<StateRecord> all = records.list(RECORD_TYPE);
        return caps.stream().map(cap -> spendOf(cap, all)).toList();
    }

    /** Every spend record, oldest first. */
    public List<StateRecord> records() {
        return records.list(RECORD_TYPE).stream().filter(Budgets::live).toList();
    }

    private Spend spendOf(Cap cap, List<StateRecord> all) {
        double hourly = 0;
        double total = 0;
        int unpriced = 0;
        for (StateRecord record : all) {
            if (!cap.name().equals(record.string(cap.scope())) || !live(record)) {
                continue;
            }
            boolean running = record.string("stopped_at") == null;
            Double price = price(record);
            if (price == null) {
                unpriced += running ? 1 : 0;
                continue;
            }
            hourly += running ? price : 0;
            total += cost(record);
        }
        return new Spend(cap, hourly, total, unpriced);
    }

    /** The record's hourly price, or {@code null} when it was unknown. */
    public static Double price(StateRecord record) {
        Object value = record.data().get("hourly_price");
        return value instanceof Number n ? n.doubleValue() : null;
    }

    /** USD spent by one spend record up to its stop (or now), 0 when its price is unknown. */
    public double cost(StateRecord record) {
        Double price = price(record);
        if (price == null) {
            return 0;
        }
        Instant start = Instant.parse(record.string("started_at"));
        String stopped = record.string("stopped_at");
        Instant end = stopped == null ? clock.instant() : Instant.parse(stopped);
        return price * hours(Duration.between(start, end).isNegative() ? Duration.ZERO : Duration.between(start, end));
    }

    private static double hours(Duration duration) {
        return duration.toMillis() / 3_600_000.0;
    }

    /** An amount of USD (or hours) with at most four decimals, for messages. */
    public static String usd(double amount) {
        return new java.math.BigDecimal(amount)
                .setScale(4, java.math.RoundingMode.HALF_UP)
                .stripTrailingZeros()
                .toPlainString();
    }
}
