package io.corc.broker;

import io.corc.api.CorcException;
import io.corc.broker.BrokerConfig.Quota;
import io.corc.broker.BrokerConfig.SharedClass;
import io.corc.broker.BrokerConfig.TransportSecurity;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/** Reads {@code broker.yaml} into a {@link BrokerConfig}, collecting every problem with its dotted key. */
final class BrokerConfigReader {
    private static final Set<String> TOP = Set.of(
            "organisation",
            "grid",
            "home",
            "identity_key",
            "trust_store",
            "network",
            "control",
            "offers",
            "leases",
            "messages",
            "policy",
            "share");
    private static final Set<String> NETWORK = Set.of(
            "bind_address", "port", "initial_hosts", "encryption", "grid_key", "failure_timeout", "merge_interval");
    private static final Set<String> CONTROL = Set.of("port", "token_file");
    private static final Set<String> OFFERS = Set.of("refresh_interval", "ttl");
    private static final Set<String> LEASES = Set.of("reservation_timeout", "reply_timeout", "orchestration_timeout");
    private static final Set<String> MESSAGES = Set.of("max_clock_skew");
    private static final Set<String> POLICY = Set.of("default_quota", "quotas");
    private static final Set<String> QUOTA = Set.of("max_active_leases", "max_cores");
    private static final Set<String> CLASS = Set.of(
            "name",
            "provider",
            "cores",
            "memory_gb",
            "gpus",
            "gpu_type",
            "count",
            "price_per_hour",
            "priority",
            "regions",
            "max_lease",
            "members",
            "local_reserved",
            "options");

    private final String source;
    private final Path baseDir;
    private final List<String> problems = new ArrayList<>();

    private BrokerConfigReader(String source, Path baseDir) {
        this.source = source;
        this.baseDir = baseDir;
    }

    static BrokerConfig read(String yaml, String source, Path baseDir, Map<String, String> env) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw CorcException.invalidInput("the broker configuration " + source + " is not valid YAML: "
                    + e.getMessage().replace('\n', ' '));
        }
        BrokerConfigReader reader = new BrokerConfigReader(source, baseDir);
        Map<String, Object> top = reader.map(root == null ? Map.of() : root, "", TOP);
        BrokerConfig config = reader.build(top, env);
        if (!reader.problems.isEmpty() || config == null) {
            throw CorcException.invalidInput("the broker configuration " + source + " has "
                            + reader.problems.size() + " problem" + (reader.problems.size() == 1 ? "" : "s")
                            + ":\n  " + String.join("\n  ", reader.problems))
                    .withHint("every key is described in config-examples/broker.yaml");
        }
        return config;
    }

    private BrokerConfig build(Map<String, Object> top, Map<String, String> env) {
        BrokerConfig.Builder defaults = BrokerConfig.builder("x", "x", Path.of("x"));
        BrokerConfig d = defaults.build();
        String organisation = string(top, "organisation", "organisation", null);
        String grid = string(top, "grid", "grid", null);
        if (organisation == null) {
            problems.add("organisation: missing (this organisation's name, as in its identity key)");
        } else if (!organisation.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            problems.add("organisation: '" + organisation + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        if (grid == null) {
            problems.add("grid: missing (the name of the grid this broker joins)");
        }
        Path home = path(top, "home", "home", BrokerConfig.defaultHome(env));
        Map<String, Object> network = section(top, "network", NETWORK);
        Map<String, Object> control = section(top, "control", CONTROL);
        Map<String, Object> offers = section(top, "offers", OFFERS);
        Map<String, Object> leases = section(top, "leases", LEASES);
        Map<String, Object> messages = section(top, "messages", MESSAGES);
        Map<String, Object> policy = section(top, "policy", POLICY);
        String encryption = string(network, "encryption", "network.encryption", "auto");
        TransportSecurity security = TransportSecurity.AUTO;
        try {
            security = TransportSecurity.valueOf(encryption.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add("network.encryption: '" + encryption + "' is not one of auto, sym, asym, auth, none");
        }
        Map<String, Quota> quotas = new LinkedHashMap<>();
        Map<String, Object> quotaMap = section(policy, "quotas", null, "policy.");
        quotaMap.forEach((member, value) -> quotas.put(member, quota(value, "policy.quotas." + member)));
        Quota defaultQuota = policy.containsKey("default_quota")
                ? quota(policy.get("default_quota"), "policy.default_quota")
                : Quota.UNLIMITED;
        List<SharedClass> shared = new ArrayList<>();
        Object share = top.get("share");
        if (share != null && !(share instanceof List<?>)) {
            problems.add("share: must be a list of resource classes");
        } else if (share != null) {
            List<?> list = (List<?>) share;
            for (int i = 0; i < list.size(); i++) {
                SharedClass c = sharedClass(list.get(i), "share[" + i + "]");
                if (c != null) {
                    if (shared.stream().anyMatch(o -> o.name().equals(c.name()))) {
                        problems.add("share[" + i + "].name: '" + c.name() + "' is used twice");
                    }
                    shared.add(c);
                }
            }
        }
        int port = integer(network, "port", "network.port", d.port());
        int controlPort = integer(control, "port", "control.port", 0);
        if (port < 0 || port > 65535) {
            problems.add("network.port: " + port + " is not a TCP port");
        }
        if (controlPort < 0 || controlPort > 65535) {
            problems.add("control.port: " + controlPort + " is not a TCP port (0 = any free port)");
        }
        BrokerConfig.Builder b = BrokerConfig.builder(organisation, grid, home)
                .identityKey(path(top, "identity_key", "identity_key", null))
                .trustStore(path(top, "trust_store", "trust_store", null))
                .bindAddress(string(network, "bind_address", "network.bind_address", d.bindAddress()))
                .port(port)
                .initialHosts(strings(network, "initial_hosts", "network.initial_hosts"))
                .encryption(security)
                .gridKey(path(network, "grid_key", "network.grid_key", null))
                .failureTimeout(duration(network, "failure_timeout", "network.failure_timeout", d.failureTimeout()))
                .mergeInterval(duration(network, "merge_interval", "network.merge_interval", d.mergeInterval()))
                .controlPort(controlPort)
                .controlTokenFile(path(control, "token_file", "control.token_file", null))
                .offerRefresh(duration(offers, "refresh_interval", "offers.refresh_interval", d.offerRefresh()))
                .offerTtl(duration(offers, "ttl", "offers.ttl", d.offerTtl()))
                .reservationTimeout(
                        duration(leases, "reservation_timeout", "leases.reservation_timeout", d.reservationTimeout()))
                .replyTimeout(duration(leases, "reply_timeout", "leases.reply_timeout", d.replyTimeout()))
                .orchestrationTimeout(duration(
                        leases, "orchestration_timeout", "leases.orchestration_timeout", d.orchestrationTimeout()))
                .maxClockSkew(duration(messages, "max_clock_skew", "messages.max_clock_skew", d.maxClockSkew()))
                .shared(shared)
                .defaultQuota(defaultQuota)
                .quotas(quotas);
        for (String host : strings(network, "initial_hosts", "network.initial_hosts")) {
            if (!host.matches("[^\\[\\]\\s]+\\[\\d{1,5}\\]")) {
                problems.add("network.initial_hosts: '" + host + "' is not host[port], e.g. 127.0.0.1[7800]");
            }
        }
        if (!problems.isEmpty()) {
            return null;
        }
        try {
            return b.build();
        } catch (RuntimeException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    private SharedClass sharedClass(Object value, String at) {
        Map<String, Object> m = map(value, at + ".", CLASS);
        String name = string(m, "name", at + ".name", null);
        String provider = string(m, "provider", at + ".provider", "local");
        if (name == null) {
            problems.add(at + ".name: missing");
            return null;
        }
        Map<String, String> options = new LinkedHashMap<>();
        section(m, "options", null, at + ".").forEach((k, v) -> options.put(k, String.valueOf(v)));
        int count = integer(m, "count", at + ".count", 1);
        int localReserved = integer(m, "local_reserved", at + ".local_reserved", 0);
        if (count < 0 || localReserved < 0 || localReserved > count) {
            problems.add(at + ": count and local_reserved must be 0 or more, local_reserved at most count");
        }
        List<String> members = m.containsKey("members") ? strings(m, "members", at + ".members") : List.of("*");
        return new SharedClass(
                name,
                provider,
                integer(m, "cores", at + ".cores", 1),
                number(m, "memory_gb", at + ".memory_gb", 0),
                integer(m, "gpus", at + ".gpus", 0),
                string(m, "gpu_type", at + ".gpu_type", null),
                count,
                number(m, "price_per_hour", at + ".price_per_hour", 0),
                integer(m, "priority", at + ".priority", 0),
                strings(m, "regions", at + ".regions"),
                duration(m, "max_lease", at + ".max_lease", Duration.ofHours(24)),
                members,
                localReserved,
                options);
    }

    private Quota quota(Object value, String at) {
        Map<String, Object> m = map(value, at + ".", QUOTA);
        return new Quota(
                integer(m, "max_active_leases", at + ".max_active_leases", Integer.MAX_VALUE),
                integer(m, "max_cores", at + ".max_cores", 0));
    }

    private Map<String, Object> section(Map<String, Object> parent, String key, Set<String> allowed) {
        return section(parent, key, allowed, "");
    }

    private Map<String, Object> section(Map<String, Object> parent, String key, Set<String> allowed, String prefix) {
        Object value = parent.get(key);
        return value == null ? Map.of() : map(value, prefix + key + ".", allowed);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(Object value, String prefix, Set<String> allowed) {
        if (!(value instanceof Map<?, ?> raw)) {
            problems.add((prefix.isEmpty() ? "(top level)" : prefix.substring(0, prefix.length() - 1))
                    + ": must be a mapping of keys to values");
            return Map.of();
        }
        Map<String, Object> result = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : raw.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (allowed != null && !allowed.contains(key)) {
                problems.add(prefix + key + ": unknown key (known: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            } else {
                result.put(key, e.getValue());
            }
        }
        return (Map<String, Object>) (Map<?, ?>) result;
    }

    private String string(Map<String, Object> m, String key, String at, String fallback) {
        Object value = m.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            problems.add(at + ": must be a single value");
            return fallback;
        }
        return String.valueOf(value);
    }

    private List<String> strings(Map<String, Object> m, String key, String at) {
        Object value = m.get(key);
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        if (value instanceof String s) {
            return List.of(s.split("\\s*,\\s*"));
        }
        problems.add(at + ": must be a list");
        return List.of();
    }

    private int integer(Map<String, Object> m, String key, String at, int fallback) {
        Object value = m.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Integer i) {
            return i;
        }
        problems.add(at + ": must be a whole number, got '" + value + "'");
        return fallback;
    }

    private double number(Map<String, Object> m, String key, String at, double fallback) {
        Object value = m.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        problems.add(at + ": must be a number, got '" + value + "'");
        return fallback;
    }

    private Path path(Map<String, Object> m, String key, String at, Path fallback) {
        String value = string(m, key, at, null);
        if (value == null) {
            return fallback;
        }
        if (value.startsWith("~/")) {
            return Path.of(System.getProperty("user.home")).resolve(value.substring(2));
        }
        Path p = Path.of(value);
        return p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p);
    }

    private Duration duration(Map<String, Object> m, String key, String at, Duration fallback) {
        Object value = m.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            Duration d = parseDuration(String.valueOf(value));
            if (d.isNegative() || d.isZero()) {
                problems.add(at + ": must be positive, got '" + value + "'");
                return fallback;
            }
            return d;
        } catch (IllegalArgumentException e) {
            problems.add(at + ": '" + value + "' is not a duration (e.g. 500ms, 30s, 5m, 2h, 1d)");
            return fallback;
        }
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, a bare number of seconds, or ISO-8601. */
    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("p")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(
                        Long.parseLong(t.substring(0, t.length() - 2).trim()));
            }
            char unit = t.charAt(t.length() - 1);
            if (Character.isDigit(unit)) {
                return Duration.ofSeconds(Long.parseLong(t));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1).trim());
            return switch (unit) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new IllegalArgumentException(text);
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
