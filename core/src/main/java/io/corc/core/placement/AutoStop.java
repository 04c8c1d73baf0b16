package io.corc.core.placement;

import io.corc.api.ConfigurerSpec;
import io.corc.api.CorcException;
import io.corc.api.PluginConfig;
import io.corc.api.RecordStore;
import io.corc.api.Resource;
import io.corc.api.StateRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The on-resource half of {@code --ttl}: a timer installed over SSH (through the {@code ssh} configurer, so through
 * io.corc.ssh with corc's key and known_hosts) that runs {@code corc.ttl.auto_stop_command} (default: power off)
 * when the TTL runs out, so the TTL holds while the laptop is closed. The timer is a detached {@code sleep} in a
 * session of its own ({@code setsid nohup}), written to {@code ~/.corc/auto-stop-<id>.sh} first. Installing is
 * best effort: a failure leaves the resource running and is recorded ({@value #RECORD_TYPE} record, status {@code
 * failed} with the reason); {@code corc gc --apply} still stops it from the laptop side. The default power-off is
 * never armed on a resource whose SSH endpoint is a loopback address: that is this machine (status {@code
 * skipped}).
 */
public final class AutoStop {
    /** State record type; id = the resource id; status {@code installed} or {@code failed}. */
    public static final String RECORD_TYPE = "auto-stop";

    public static final String DEFAULT_COMMAND = "sudo -n poweroff || poweroff";

    /** State record type of {@code --idle-stop}; id = the resource id (read by {@code corc gc}). */
    public static final String IDLE_RECORD_TYPE = io.corc.core.gc.GarbageCollector.IDLE_RECORD_TYPE;

    private final boolean enabled;
    private final String command;
    private final RecordStore records;
    private final double idleLoad;
    private final long idleCheckSeconds;

    public AutoStop(PluginConfig section, RecordStore records) {
        this.enabled = section.bool("auto_stop", true);
        this.command = section.string("auto_stop_command", DEFAULT_COMMAND);
        this.records = records;
        this.idleLoad = section.number("idle_load", 0.3);
        this.idleCheckSeconds = Math.max(1, section.integer("idle_check_seconds", 60));
    }

    public boolean enabled() {
        return enabled;
    }

    /** The shell command that installs the timer for {@code resource}, to stop it after {@code ttl}. */
    String installCommand(String resourceId, Duration ttl) {
        long seconds = Math.max(1, ttl.toSeconds());
        String script = "$HOME/.corc/auto-stop-" + resourceId + ".sh";
        return "mkdir -p \"$HOME/.corc\" && printf '%s\\n' '#!/bin/sh' 'sleep " + seconds + "' "
                + quote(command) + " > \"" + script + "\" && chmod 700 \"" + script + "\" && (setsid nohup sh \""
                + script + "\" > /dev/null 2>&1 < /dev/null &) && echo \"corc auto-stop in " + seconds + " s\"";
    }

    /**
     * The shell command that installs the idle-stop loop: every {@code idle_check_seconds} it counts the machine busy
     * when someone is logged in ({@code who} lists a session, or an {@code sshd: user@...} session process runs, which
     * also covers sessions without a terminal) or the 1-minute load average ({@code /proc/loadavg}) is at least {@code
     * idle_load}; after {@code idle} seconds without a busy check it runs the stop command. POSIX sh, no systemd
     * needed; a reboot ends it like the TTL timer.
     */
    String idleInstallCommand(String resourceId, Duration idle) {
        long seconds = Math.max(1, idle.toSeconds());
        String script = "$HOME/.corc/idle-stop-" + resourceId + ".sh";
        List<String> lines = List.of(
                "#!/bin/sh",
                "# corc idle-stop: " + command + " after " + seconds + " s without a login session and with load < "
                        + idleLoad,
                "idle=0",
                "while sleep " + idleCheckSeconds + "; do",
                "  busy=no",
                "  if [ -n \"$(who 2>/dev/null)\" ]; then busy=yes; fi",
                "  if command -v pgrep >/dev/null 2>&1 && pgrep -f 'sshd: [^ ]*@' >/dev/null 2>&1; then busy=yes; fi",
                "  if awk -v max=" + idleLoad + " '{exit !($1 >= max)}' /proc/loadavg 2>/dev/null; then busy=yes; fi",
                "  if [ $busy = yes ]; then idle=0; else idle=$((idle + " + idleCheckSeconds + ")); fi",
                "  if [ $idle -ge " + seconds + " ]; then " + command + "; exit 0; fi",
                "done");
        StringBuilder printf = new StringBuilder("printf '%s\\n'");
        lines.forEach(line -> printf.append(' ').append(quote(line)));
        return "mkdir -p \"$HOME/.corc\" && " + printf + " > \"" + script + "\" && chmod 700 \"" + script
                + "\" && (setsid nohup sh \"" + script + "\" > /dev/null 2>&1 < /dev/null &) && echo \"corc idle-stop"
                + " after " + seconds + " s idle\"";
    }

    /**
     * Records {@code --idle-stop} for the resource ({@value #IDLE_RECORD_TYPE} record: the period and the last
     * activity corc saw, now), so {@code corc gc} stops it once that activity is older than the period.
     */
    public void recordIdle(Resource resource, Duration idle) {
        if (!resource.id().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,199}")) {
            return;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("provider", resource.provider());
        data.put("idle_seconds", idle.toSeconds());
        data.put("last_activity", Instant.now().toString());
        records.put(StateRecord.create(IDLE_RECORD_TYPE, resource.id(), "recorded", data));
    }

    /** Corc used the resource (a job, a configurer): moves its recorded last activity to now. */
    public void touch(String resourceId) {
        if (resourceId == null || !resourceId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,199}")) {
            return;
        }
        if (records.get(IDLE_RECORD_TYPE, resourceId).isPresent()) {
            records.update(
                    IDLE_RECORD_TYPE,
                    resourceId,
                    r -> r == null
                            ? null
                            : r.with("last_activity", Instant.now().toString()));
        }
    }

    /**
     * Installs the idle-stop loop with {@code configure} as {@link #install} does the TTL timer, and records the
     * outcome in the {@value #IDLE_RECORD_TYPE} record; never throws for a failed installation.
     */
    public void installIdle(Resource resource, Duration idle, BiConsumer<Resource, ConfigurerSpec> configure) {
        String status;
        String reason = null;
        if (command.equals(DEFAULT_COMMAND) && onThisMachine(resource)) {
            status = "skipped";
            reason = "the resource's SSH endpoint is a loopback address";
        } else {
            Map<String, Object> options = new LinkedHashMap<>();
            options.put("users", List.of());
            options.put("files", List.of());
            options.put("scripts", List.of());
            options.put("commands", List.of(idleInstallCommand(resource.id(), idle)));
            try {
                configure.accept(resource, new ConfigurerSpec("ssh", new PluginConfig("corc.ttl", options)));
                status = "installed";
            } catch (CorcException e) {
                status = "failed";
                reason = e.getMessage();
            }
        }
        if (resource.id().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,199}")) {
            String finalStatus = status;
            String finalReason = reason;
            records.update(IDLE_RECORD_TYPE, resource.id(), r -> {
                StateRecord base = r != null
                        ? r
                        : StateRecord.create(
                                IDLE_RECORD_TYPE,
                                resource.id(),
                                finalStatus,
                                Map.of(
                                        "idle_seconds",
                                        idle.toSeconds(),
                                        "last_activity",
                                        Instant.now().toString()));
                StateRecord updated = base.withStatus(finalStatus).with("command", command);
                return finalReason == null ? updated : updated.with("reason", finalReason);
            });
        }
    }

    private static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    /**
     * Installs the timer with {@code configure} (the {@code ssh} configurer applied with only this command) and
     * records the outcome; never throws for a failed installation.
     */
    public void install(Resource resource, Duration ttl, BiConsumer<Resource, ConfigurerSpec> configure) {
        if (command.equals(DEFAULT_COMMAND) && onThisMachine(resource)) {
            // an SSH endpoint on loopback is this machine (a test server, a tunnel): never power it off
            record(resource, "skipped", Map.of("reason", "the resource's SSH endpoint is a loopback address"));
            return;
        }
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("users", List.of());
        options.put("files", List.of());
        options.put("scripts", List.of());
        options.put("commands", List.of(installCommand(resource.id(), ttl)));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("provider", resource.provider());
        data.put("stops_at", Instant.now().plus(ttl).toString());
        data.put("command", command);
        String status;
        try {
            configure.accept(resource, new ConfigurerSpec("ssh", new PluginConfig("corc.ttl", options)));
            status = "installed";
        } catch (CorcException e) {
            status = "failed";
            data.put("reason", e.getMessage());
        }
        record(resource, status, data);
    }

    private void record(Resource resource, String status, Map<String, Object> data) {
        if (resource.id().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,199}")) {
            records.put(StateRecord.create(RECORD_TYPE, resource.id(), status, data));
        }
    }

    /** Whether the resource's SSH endpoint is a loopback address, without a DNS lookup. */
    static boolean onThisMachine(Resource resource) {
        return resource.endpoints().stream()
                .filter(endpoint -> endpoint.protocol().equals("ssh"))
                .map(endpoint -> endpoint.host().toLowerCase(java.util.Locale.ROOT))
                .anyMatch(host -> host.equals("localhost")
                        || host.startsWith("127.")
                        || host.equals("::1")
                        || host.equals("[::1]"));
    }
}
