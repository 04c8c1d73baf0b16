package io.corc.spawner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.core.Corc;
import io.corc.ssh.testing.MinaSshServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spawns over a real SSH server in the JVM (MINA SSHD with a real shell, SFTP and forwarding). */
class SpawnerSshTest {
    @TempDir
    Path home;

    @TempDir
    Path tmp;

    private MinaSshServer server;
    private Corc corc;
    private Path deployments;
    private Path templates;
    private Spawner spawner;
    private EchoServer hubApi;

    @BeforeEach
    void setUp() throws IOException {
        server = MinaSshServer.start(tmp.resolve("remote"));
        MinaProvider.server = server;
        // the duration is the resource's TTL; corc's on-resource power-off timer must never be armed here, where the
        // "resource" is this machine
        corc = Corc.builder()
                .home(home)
                .environment(Map.of())
                .override("corc.ttl.auto_stop", false)
                .build();
        deployments = Files.writeString(tmp.resolve("deployments.yaml"), """
                virtual_machine:
                  - {name: vm, provider: mina}
                """);
        templates = templates("sleep 300");
        hubApi = new EchoServer("hub:");
        spawner = Spawner.builder(corc)
                .deployments(deployments)
                .templates(templates)
                .hub("hub.example.org", "ssh-ed25519 AAAAhubkey")
                .hubApi("127.0.0.1", hubApi.port())
                .sshWait(Duration.ofSeconds(30))
                .build();
    }

    @AfterEach
    void tearDown() throws IOException {
        spawner.close();
        Path corcDir = server.home().resolve(".corc");
        if (Files.isDirectory(corcDir)) {
            try (var files = Files.list(corcDir)) {
                assertThat(files.map(f -> f.getFileName().toString()))
                        .as("no power-off timer on the test machine")
                        .noneMatch(name -> name.startsWith("auto-stop-"));
            }
        }
        hubApi.close();
        server.close();
    }

    @Test
    void tunnelsCarryBytesBothWaysAndTheTemplateSeesItsPlaceholders() throws Exception {
        try (EchoServer notebook = new EchoServer("notebook:")) {
            templates = templates("echo '{user} {hub_api_url} {hub_address}' > seen.txt; sleep 300", notebook.port());

            Session session = spawner.spawn("alice", "vm", SpawnSpec.DEFAULT, Duration.ofMinutes(5));

            assertThat(session.state()).isEqualTo("running");
            assertThat(session.tunnels()).isTrue();
            assertThat(session.localPort()).isPositive().isNotEqualTo(notebook.port());
            // hub -> session: the hub's end on this machine's loopback reaches the session's port on the resource
            assertThat(roundTrip(session.localPort(), "hello")).isEqualTo("notebook:hello");
            // session -> hub: the resource's loopback port reaches the hub's API
            assertThat(roundTrip(session.hubApiPort(), "ping")).isEqualTo("hub:ping");
            Path seen = server.home().resolve(".corc/spawn/" + session.id() + "/seen.txt");
            await(() -> Files.exists(seen), "the session command ran");
            assertThat(Files.readString(seen).strip())
                    .isEqualTo("alice http://127.0.0.1:" + session.hubApiPort() + " hub.example.org");
            assertThat(corc.records().get(Session.RECORD_TYPE, session.id())).isPresent();

            assertThat(spawner.stop(session.id())).isTrue();
            assertThat(MinaProvider.stopped).contains(session.resourceId());
            assertThat(corc.records().list(Session.RECORD_TYPE)).isEmpty();
            assertThatThrownBy(() -> roundTrip(session.localPort(), "x")).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aDefinitionChangedWhileASessionRunsAppliesToTheNextSpawnOnly() throws Exception {
        Session first = spawner.spawn("alice", "vm", SpawnSpec.DEFAULT, Duration.ofMinutes(5));
        templates("echo v2 > version.txt; sleep 300");
        Files.writeString(deployments, """
                virtual_machine:
                  - {name: vm, provider: mina}
                  - {name: vm2, provider: mina}
                """);

        assertThat(spawner.poll(first.id()).state()).isEqualTo("running");
        Session second = spawner.spawn("bob", "vm2", SpawnSpec.DEFAULT, Duration.ofMinutes(5));

        assertThat(spawner.poll(first.id()).state()).isEqualTo("running");
        assertThat(server.home().resolve(".corc/spawn/" + first.id() + "/session.sh"))
                .content()
                .contains("sleep 300")
                .doesNotContain("v2");
        Path version = server.home().resolve(".corc/spawn/" + second.id() + "/version.txt");
        await(() -> Files.exists(version), "the new template's command ran");
        assertThat(second.deployment()).isEqualTo("vm2");
    }

    @Test
    void twoUsersSpawnAtOnceWithKeysOfTheirOwn() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Session>> spawns = pool.invokeAll(List.<Callable<Session>>of(
                    () -> spawner.spawn("alice", "vm", SpawnSpec.DEFAULT, Duration.ofMinutes(5)),
                    () -> spawner.spawn("bob", "vm", SpawnSpec.DEFAULT, Duration.ofMinutes(5))));
            Session alice = spawns.get(0).get();
            Session bob = spawns.get(1).get();

            assertThat(alice.resourceId()).isNotEqualTo(bob.resourceId());
            assertThat(spawner.poll(alice.id()).state()).isEqualTo("running");
            assertThat(spawner.poll(bob.id()).state()).isEqualTo("running");
            for (String user : List.of("alice", "bob")) {
                Path keys = home.resolve("spawner/users/" + user + "/ssh");
                assertThat(mode(keys)).isEqualTo("rwx------");
                assertThat(mode(keys.resolve("id_ed25519"))).isEqualTo("rw-------");
            }
            assertThat(Files.readString(home.resolve("spawner/users/alice/ssh/id_ed25519.pub")))
                    .isNotEqualTo(Files.readString(home.resolve("spawner/users/bob/ssh/id_ed25519.pub")));

            spawner.stop(alice.id());
            assertThat(spawner.poll(bob.id()).state()).isEqualTo("running");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theDurationEndingStopsTheSessionAndItsResource() throws Exception {
        templates("sleep 300; echo never");
        Session session = spawner.spawn("alice", "vm", SpawnSpec.DEFAULT, Duration.ofSeconds(3));
        String pid = corc.records()
                .get(Session.RECORD_TYPE, session.id())
                .orElseThrow()
                .string("pid");
        ProcessHandle command = ProcessHandle.of(Long.parseLong(pid)).orElseThrow();
        await(() -> command.descendants().findAny().isPresent(), "the command's child (sleep) runs");
        List<ProcessHandle> tree =
                new java.util.ArrayList<>(command.descendants().toList());
        tree.add(command);

        await(() -> corc.records().get(Session.RECORD_TYPE, session.id()).isEmpty(), "the session expired");

        assertThat(MinaProvider.stopped).contains(session.resourceId());
        await(() -> tree.stream().noneMatch(ProcessHandle::isAlive), "the command and its child ended");
    }

    @Test
    void aSpawnFailingMidwayLeavesNothingBehind() throws Exception {
        Files.writeString(templates, """
                templates:
                  - name: default
                    configurer:
                      name: ssh
                      options: {commands: ["echo 'disk full' >&2; exit 3"]}
                    session: {command: "sleep 300", port: 0}
                """);
        int before = MinaProvider.running.size();

        assertThatThrownBy(() -> spawner.spawn("carol", "vm", SpawnSpec.DEFAULT, Duration.ofMinutes(5)))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.getMessage()).contains("disk full"));

        assertThat(MinaProvider.running).hasSize(before);
        assertThat(MinaProvider.stopped).anyMatch(id -> id.startsWith("mina-spawn-carol-"));
        assertThat(corc.records().list(Session.RECORD_TYPE)).isEmpty();
        await(() -> server.activeSessions() == 0, "no SSH connection is left open");
    }

    @Test
    void aSessionOnAGivenResourceLeavesItRunningWhenStopped() {
        io.corc.api.Resource shared = corc.start(
                MinaProvider.NAME,
                io.corc.api.ResourceSpec.of("shared", io.corc.api.ResourceKind.INSTANCE),
                io.corc.api.ProgressListener.NONE);

        Session session =
                spawner.spawn("dave", "vm", SpawnSpec.DEFAULT.withResource(shared.id()), Duration.ofMinutes(5));

        assertThat(session.resourceId()).isEqualTo(shared.id());
        assertThat(session.resourceCreated()).isFalse();
        assertThat(spawner.poll(session.id()).state()).isEqualTo("running");
        assertThat(spawner.stop(session.id())).isTrue();
        assertThat(MinaProvider.running).containsKey(shared.id());
        assertThat(MinaProvider.stopped).doesNotContain(shared.id());
    }

    @Test
    void aRestartedSpawnerSeesRecordedSessionsAndStopsThem() {
        Session session = spawner.spawn("alice", "vm", SpawnSpec.DEFAULT, Duration.ofMinutes(5));
        try (Spawner other = Spawner.builder(corc)
                .deployments(deployments)
                .templates(templates)
                .stopOnClose(false)
                .build()) {
            assertThat(other.list()).extracting(Session::id).containsExactly(session.id());
            assertThat(other.poll(session.id()).state()).isEqualTo("running");
            assertThat(other.stop(session.id())).isTrue();
            assertThat(other.stop(session.id())).isFalse();
        }
        assertThat(MinaProvider.stopped).contains(session.resourceId());
    }

    private Path templates(String command) throws IOException {
        return templates(command, 0);
    }

    private Path templates(String command, int port) throws IOException {
        return Files.writeString(tmp.resolve("templates.yaml"), """
                templates:
                  - name: default
                    authenticator: {name: ssh}
                    session:
                      command: "%s"
                      port: %d
                """.formatted(command.replace("\"", "\\\""), port));
    }

    private static String roundTrip(int port, String text) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                line.append((char) c);
            }
            if (c == -1 && line.isEmpty()) {
                throw new IOException("connection closed");
            }
            return line.toString();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    /** Answers each line with a prefix and the line, on a free loopback port. */
    static final class EchoServer implements AutoCloseable {
        private final ServerSocket socket;

        EchoServer(String prefix) throws IOException {
            socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        Thread worker = new Thread(() -> serve(s, prefix));
                        worker.setDaemon(true);
                        worker.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }

        private static void serve(Socket s, String prefix) {
            try (s) {
                InputStream in = s.getInputStream();
                StringBuilder line = new StringBuilder();
                int c;
                while ((c = in.read()) != -1 && c != '\n') {
                    line.append((char) c);
                }
                s.getOutputStream().write((prefix + line + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the test sees the missing answer
            }
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
