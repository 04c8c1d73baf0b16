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

    private final boolean enabled;
    private final String command;
    private final RecordStore records;

    public AutoStop(PluginConfig section, RecordStore records) {
        this.enabled = section.bool("auto_stop", true);
        this.command = section.string("auto_stop_command", DEFAULT_COMMAND);
        this.records = records;
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
