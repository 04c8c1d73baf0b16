package io.corc.spawner;

import static java.util.Objects.requireNonNull;

import io.corc.api.StateRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A user's session as the spawner recorded it (state record type {@value #RECORD_TYPE}). It holds ids, ports and
 * paths, never key material.
 *
 * @param id {@code spawn-<user>-<random>}
 * @param user the user it is for
 * @param deployment the deployment it was spawned from
 * @param template the template that set it up
 * @param provider the resource's provider
 * @param resourceId the resource it runs on
 * @param resourceCreated whether the spawn started the resource (then stopping the session stops it too)
 * @param state {@code starting}, {@code running}, {@code ended} (the command exited), {@code stopped}, {@code
 *     abandoned} (the process starting it died mid-spawn: {@code corc unspawn} removes what the record names, {@code
 *     corc gc} a resource whose start was cut off), {@code stop-failed}
 * @param createdAt when the spawn began
 * @param expiresAt when the spawner stops it
 * @param sessionPort the port the session listens on at the resource's loopback (0: none)
 * @param localPort the hub's end of the tunnel to the session, on 127.0.0.1 of the spawner's machine (0: none)
 * @param hubApiPort the resource's end of the tunnel back to the hub's API, on its loopback (0: none)
 * @param tunnels whether tunnels are open (held by the spawner process that made them)
 * @param notes what was skipped and why (e.g. no SSH at the local provider)
 */
public record Session(
        String id,
        String user,
        String deployment,
        String template,
        String provider,
        String resourceId,
        boolean resourceCreated,
        String state,
        Instant createdAt,
        Instant expiresAt,
        int sessionPort,
        int localPort,
        int hubApiPort,
        boolean tunnels,
        List<String> notes) {
    /** The state-store type of session records. */
    public static final String RECORD_TYPE = "spawn";

    public Session {
        requireNonNull(id, "id is null");
        requireNonNull(user, "user is null");
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    /** Time left until the spawner stops it (zero once expired). */
    public Duration remaining() {
        Duration left = Duration.between(Instant.now(), expiresAt);
        return left.isNegative() ? Duration.ZERO : left;
    }

    public Session withState(String newState) {
        return new Session(
                id,
                user,
                deployment,
                template,
                provider,
                resourceId,
                resourceCreated,
                newState,
                createdAt,
                expiresAt,
                sessionPort,
                localPort,
                hubApiPort,
                tunnels,
                notes);
    }

    /** A plain map of this session (the CLI's and a web page's view). */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", id);
        map.put("user", user);
        map.put("deployment", deployment);
        map.put("template", template);
        map.put("provider", provider);
        map.put("resource", resourceId);
        map.put("resource_created", resourceCreated);
        map.put("state", state);
        map.put("created_at", createdAt == null ? null : createdAt.toString());
        map.put("expires_at", expiresAt == null ? null : expiresAt.toString());
        map.put("session_port", sessionPort);
        map.put("local_port", localPort);
        map.put("hub_api_port", hubApiPort);
        map.put("tunnels", tunnels);
        map.put("notes", notes);
        return map;
    }

    /** The session a record describes. */
    static Session of(StateRecord record) {
        Map<String, Object> d = record.data();
        return new Session(
                record.id(),
                str(d, "user"),
                str(d, "deployment"),
                str(d, "template"),
                str(d, "provider"),
                str(d, "resource"),
                Boolean.parseBoolean(str(d, "resource_created")),
                record.status(),
                record.createdAt(),
                d.get("expires_at") == null ? null : Instant.parse(str(d, "expires_at")),
                num(d, "session_port"),
                num(d, "local_port"),
                num(d, "hub_api_port"),
                Boolean.parseBoolean(str(d, "tunnels")),
                d.get("notes") instanceof List<?> l
                        ? l.stream().map(String::valueOf).toList()
                        : List.of());
    }

    private static String str(Map<String, Object> d, String key) {
        Object v = d.get(key);
        return v == null ? null : String.valueOf(v);
    }

    private static int num(Map<String, Object> d, String key) {
        Object v = d.get(key);
        return v == null ? 0 : Integer.parseInt(String.valueOf(v).replaceAll("\\.0$", ""));
    }
}
