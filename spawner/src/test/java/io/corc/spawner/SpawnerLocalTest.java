package io.corc.spawner;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.core.Corc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default: a local sandbox, no SSH, so the session runs here and no tunnel is opened. */
class SpawnerLocalTest {
    @TempDir
    Path home;

    @TempDir
    Path tmp;

    @Test
    void aSessionRunsInTheSandboxWithoutTunnelsAndStops() throws Exception {
        Corc corc = Corc.builder().home(home).environment(Map.of()).build();
        Path deployments =
                Files.writeString(tmp.resolve("d.yaml"), "container:\n  - {name: sandbox, provider: local}\n");
        Path templates = Files.writeString(tmp.resolve("t.yaml"), """
                templates:
                  - name: default
                    configurer: {name: ssh, options: {commands: ["never run"]}}
                    session: {command: "echo {user} > who.txt; exec sleep 300", port: 8888}
                """);
        try (Spawner spawner = Spawner.builder(corc)
                .deployments(deployments)
                .templates(templates)
                .build()) {
            Session session = spawner.spawn("alice", "sandbox", SpawnSpec.DEFAULT, Duration.ofMinutes(5));

            assertThat(session.state()).isEqualTo("running");
            assertThat(session.provider()).isEqualTo("local");
            assertThat(session.tunnels()).isFalse();
            assertThat(session.localPort()).isEqualTo(8888);
            assertThat(session.notes()).singleElement().asString().contains("no SSH at local", "no tunnels");
            String pid = corc.records()
                    .get(Session.RECORD_TYPE, session.id())
                    .orElseThrow()
                    .string("pid");
            ProcessHandle process = ProcessHandle.of(Long.parseLong(pid)).orElseThrow();
            assertThat(spawner.poll(session.id()).state()).isEqualTo("running");

            assertThat(spawner.stop(session.id())).isTrue();

            assertThat(process.isAlive()).isFalse();
            assertThat(corc.records().list(Session.RECORD_TYPE)).isEmpty();
            assertThat(corc.list("local", io.corc.api.ResourceKind.INSTANCE))
                    .noneMatch(r -> r.id().equals(session.resourceId()));
        }
    }

    @Test
    void aSpawnWhoseSpawnerDiedIsAbandonedOneStillUnderWayIsNot() throws Exception {
        Corc corc = Corc.builder().home(home).environment(Map.of()).build();
        Path deployments =
                Files.writeString(tmp.resolve("d.yaml"), "container:\n  - {name: sandbox, provider: local}\n");
        // a spawner process that died mid-spawn (killed, crashed): its pid and start time, then gone
        Process dead = new ProcessBuilder("sleep", "0.1").start();
        java.time.Instant deadStarted = io.corc.api.ProcessTrees.startOf(dead.toHandle());
        dead.waitFor();
        ProcessHandle self = ProcessHandle.current();
        corc.records().put(starting("spawn-alice-dead", dead.pid(), deadStarted));
        corc.records().put(starting("spawn-bob-busy", self.pid(), io.corc.api.ProcessTrees.startOf(self)));
        try (Spawner spawner = Spawner.builder(corc).deployments(deployments).build()) {
            assertThat(spawner.poll("spawn-alice-dead").state()).isEqualTo("abandoned");
            assertThat(spawner.get("spawn-alice-dead").orElseThrow().state()).isEqualTo("abandoned");
            assertThat(spawner.poll("spawn-bob-busy").state()).isEqualTo("starting");

            assertThat(spawner.stop("spawn-alice-dead")).isTrue();
            assertThat(spawner.list()).extracting(Session::id).containsExactly("spawn-bob-busy");
        }
    }

    /** A session record as a spawn writes it before it starts anything, by process {@code pid}. */
    private static io.corc.api.StateRecord starting(String id, long pid, java.time.Instant started) {
        Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("user", id.split("-")[1]);
        data.put("deployment", "sandbox");
        data.put("provider", "local");
        data.put("expires_at", java.time.Instant.now().plusSeconds(600).toString());
        data.put("spawner_pid", Long.toString(pid));
        data.put("spawner_started", started == null ? null : started.toString());
        return io.corc.api.StateRecord.create(Session.RECORD_TYPE, id, "starting", data);
    }
}
