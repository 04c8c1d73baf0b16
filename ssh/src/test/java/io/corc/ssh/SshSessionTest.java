package io.corc.ssh;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.KeyPairInfo;
import io.corc.api.KeyType;
import io.corc.api.PluginConfig;
import io.corc.ssh.testing.MinaSshServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshSessionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private MinaSshServer server;
    private SshClient client;
    private KeyPairInfo key;
    private KnownHosts knownHosts;

    @BeforeEach
    void start() {
        server = MinaSshServer.start(tmp.resolve("remote-home"));
        key = new SshKeys(tmp.resolve("corc"), PluginConfig.empty("ssh")).create("id_ed25519", KeyType.ED25519);
        server.authorize(key.publicKey());
        knownHosts = KnownHosts.inHome(tmp.resolve("corc"));
        client = new SshClient();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private SshSession connect() {
        return client.connect(server.target(key.privateKeyFile()), knownHosts, TIMEOUT);
    }

    @Test
    void runsCommandsStreamingLinesWithTheirExitCodes() {
        try (SshSession session = connect()) {
            List<String> out = new CopyOnWriteArrayList<>();
            List<String> err = new CopyOnWriteArrayList<>();
            int code = session.exec(
                    "echo one; echo two >&2; printf 'three\\nlast-without-newline'; exit 3",
                    out::add,
                    err::add,
                    TIMEOUT);

            assertThat(code).isEqualTo(3);
            assertThat(out).containsExactly("one", "three", "last-without-newline");
            assertThat(err).containsExactly("two");

            CommandResult result = session.run("pwd; echo \"$HOME\"; cat");
            assertThat(result.succeeded()).isTrue();
            assertThat(result.stdout()).isEqualTo(server.home() + "\n" + server.home() + "\n");
            assertThat(session.run("false").exitCode()).isEqualTo(1);
        }
    }

    @Test
    void aCommandOverItsTimeoutIsEndedAndReported() throws Exception {
        try (SshSession session = connect()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> session.exec("sleep 30", line -> {}, line -> {}, Duration.ofMillis(500)))
                    .isInstanceOfSatisfying(
                            CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE))
                    .hasMessageContaining("did not finish within 500 ms")
                    .hasMessageContaining(server.user() + "@127.0.0.1:" + server.port());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            // the session stays usable after one of its channels was closed
            assertThat(session.run("echo alive").stdout()).isEqualTo("alive\n");
        }
    }

    @Test
    void copiesTreesBothWaysOverSftp() throws IOException {
        Path local = tmp.resolve("tree");
        Files.createDirectories(local.resolve("sub/deeper"));
        Files.writeString(local.resolve("a.txt"), "alpha");
        Files.writeString(local.resolve("sub/deeper/b.txt"), "beta\n".repeat(50_000));
        Path script = Files.writeString(local.resolve("run.sh"), "#!/bin/sh\necho ran\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));

        try (SshSession session = connect()) {
            session.upload(local, "~/deep/parents/tree");
            Path remote = server.home().resolve("deep/parents/tree");
            assertThat(remote.resolve("sub/deeper/b.txt")).hasSameTextualContentAs(local.resolve("sub/deeper/b.txt"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(remote.resolve("run.sh"))))
                    .isEqualTo("rwxr-x---");
            assertThat(session.run("deep/parents/tree/run.sh").stdout()).isEqualTo("ran\n");

            Path back = tmp.resolve("back/here");
            session.download("deep/parents/tree", back);
            assertThat(back.resolve("a.txt")).hasContent("alpha");
            assertThat(back.resolve("sub/deeper/b.txt")).hasSameTextualContentAs(local.resolve("sub/deeper/b.txt"));

            session.download(remote.resolve("a.txt").toString(), tmp.resolve("single/a.txt"));
            assertThat(tmp.resolve("single/a.txt")).hasContent("alpha");
        }
    }

    @Test
    void writesWithAModeAndReadsFiles() throws IOException {
        try (SshSession session = connect()) {
            session.write("secrets/token", "s3cr3t".getBytes(UTF_8), 0600);
            session.write("secrets/token", "replaced".getBytes(UTF_8), 0640);

            Path written = server.home().resolve("secrets/token");
            assertThat(written).hasContent("replaced");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(written)))
                    .isEqualTo("rw-r-----");
            assertThat(session.read("~/secrets/token"))
                    .hasValueSatisfying(b -> assertThat(new String(b, UTF_8)).isEqualTo("replaced"));
            assertThat(session.read("secrets/missing")).isEmpty();
            assertThatThrownBy(() -> session.download("secrets/missing", tmp.resolve("x")))
                    .isInstanceOfSatisfying(
                            CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND));
        }
    }

    @Test
    void trustsOnFirstUseThenVerifies() throws IOException {
        try (SshSession session = connect()) {
            assertThat(session.run("true").succeeded()).isTrue();
        }
        assertThat(Files.readAllLines(knownHosts.file())).containsExactly(server.hostKeyLine());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(knownHosts.file())))
                .isEqualTo("rw-------");
        assertThat(knownHosts.lookup("127.0.0.1", server.port())).contains(server.hostPublicKey());

        try (SshSession again = connect()) {
            assertThat(again.run("true").succeeded()).isTrue();
        }
        assertThat(Files.readAllLines(knownHosts.file())).hasSize(1);
    }

    @Test
    void refusesAChangedHostKeyNamingBothFingerprints() {
        connect().close();
        String oldFingerprint = fingerprint(server.hostPublicKey());
        String newFingerprint = fingerprint(server.changeHostKey());

        assertThatThrownBy(this::connect)
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CONFLICT);
                    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h)
                            .contains("ssh-keygen -R '[127.0.0.1]:" + server.port() + "' -f " + knownHosts.file()));
                })
                .hasMessageContaining("host key of 127.0.0.1:" + server.port() + " has changed")
                .hasMessageContaining(oldFingerprint)
                .hasMessageContaining(newFingerprint);

        assertThat(knownHosts.forget("127.0.0.1", server.port())).isTrue();
        connect().close();
        assertThat(knownHosts.lookup("127.0.0.1", server.port())).contains(server.hostPublicKey());
    }

    @Test
    void honoursAPinnedKeyAndNeverReplacesItWithAnotherPin() throws IOException {
        knownHosts.pin("127.0.0.1", server.port(), server.hostPublicKey() + " from-the-console");
        connect().close();
        List<String> pinned = Files.readAllLines(knownHosts.file());
        assertThat(pinned).containsExactly(server.hostKeyLine());

        String recreated = server.changeHostKey(); // a new machine at the same address
        assertThatThrownBy(() -> knownHosts.pin("127.0.0.1", server.port(), recreated))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CONFLICT);
                    assertThat(e.getMessage()).contains("has changed", "the provider reports");
                    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("ssh-keygen -R"));
                });
        assertThat(Files.readAllLines(knownHosts.file())).isEqualTo(pinned);
        assertThatThrownBy(this::connect).isInstanceOfSatisfying(CorcException.class, e -> assertThat(e.category())
                .isEqualTo(ErrorCategory.CONFLICT));

        knownHosts.forget("127.0.0.1", server.port()); // what the hint says to do
        knownHosts.pin("127.0.0.1", server.port(), recreated);
        connect().close();
    }

    @Test
    void aRefusedKeyIsAnAuthenticationErrorNamingLoginAndKey() {
        KeyPairInfo stranger =
                new SshKeys(tmp.resolve("other"), PluginConfig.empty("ssh")).create("stranger", KeyType.ED25519);

        assertThatThrownBy(() -> client.connect(server.target(stranger.privateKeyFile()), knownHosts, TIMEOUT))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.AUTHENTICATION))
                .hasMessageContaining("corc@127.0.0.1:" + server.port())
                .hasMessageContaining(stranger.privateKeyFile().toString());
    }

    @Test
    void anUnreachablePortIsUnavailableWithAHint() throws IOException {
        int closedPort = freePort();
        SshTarget target = new SshTarget("127.0.0.1", closedPort, "corc", key.privateKeyFile());

        assertThatThrownBy(() -> client.connect(target, knownHosts, TIMEOUT))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE);
                    assertThat(e.hint()).isPresent();
                })
                .hasMessageContaining("127.0.0.1:" + closedPort);
    }

    @Test
    void waitsForAServerThatStartsLaterAndAKeyInstalledLater() throws Exception {
        Path otherHome = tmp.resolve("later-home");
        int port = freePort();
        List<String> steps = new CopyOnWriteArrayList<>();
        var later = new java.util.concurrent.CompletableFuture<MinaSshServer>();
        Thread starter = new Thread(() -> {
            // start the server once the client has seen the port closed, then install the key once it was refused
            try {
                awaitStep(steps, "connection refused");
                MinaSshServer started = MinaSshServer.start(otherHome, port);
                later.complete(started);
                awaitStep(steps, "refused the key");
                started.authorize(key.publicKey());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        starter.start();
        try (SshSession session = client.awaitReachable(
                new SshTarget("127.0.0.1", port, MinaSshServer.USER, key.privateKeyFile()),
                knownHosts,
                Duration.ofSeconds(30),
                (step, done, total) -> steps.add(step))) {
            assertThat(session.run("echo up").stdout()).isEqualTo("up\n");
        } finally {
            starter.join();
            later.get().close();
        }
        assertThat(steps).anySatisfy(s -> assertThat(s).startsWith("waiting for SSH on 127.0.0.1:" + port));
    }

    @Test
    void awaitReachableGivesUpAtTheDeadlineNamingTheAddress() throws IOException {
        int port = freePort();
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.awaitReachable(
                        new SshTarget("127.0.0.1", port, "corc", key.privateKeyFile()),
                        knownHosts,
                        Duration.ofSeconds(2),
                        (step, done, total) -> {}))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE))
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageContaining("within 2 s");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
    }

    @Test
    void localAndRemoteForwardsCarryBytes() throws Exception {
        try (EchoServer echo = new EchoServer();
                SshSession session = connect()) {
            try (Tunnel local = session.forwardLocal(0, "127.0.0.1", echo.port())) {
                assertThat(local.boundPort()).isPositive().isNotEqualTo(echo.port());
                assertThat(roundTrip(local.boundPort(), "through a local forward"))
                        .isEqualTo("through a local forward");
            }
            try (Tunnel remote = session.forwardRemote(0, "127.0.0.1", echo.port())) {
                assertThat(remote.boundPort()).isPositive().isNotEqualTo(echo.port());
                // the "remote" host is this machine: its loopback port leads back to our echo server
                assertThat(roundTrip(remote.boundPort(), "through a remote forward"))
                        .isEqualTo("through a remote forward");
            }
        }
    }

    @Test
    void aDroppedConnectionEndsAttachedCommandsButNotDetachedOnes() throws Exception {
        try (SshSession session = connect()) {
            String detached = session.run("setsid sleep 60 >/dev/null 2>&1 </dev/null & echo $!")
                    .stdout()
                    .strip();
            var attachedPid = new java.util.concurrent.CompletableFuture<Long>();
            var running = java.util.concurrent.CompletableFuture.runAsync(() -> session.exec(
                    "echo $$; exec sleep 60", line -> attachedPid.complete(Long.parseLong(line)), line -> {}, TIMEOUT));
            ProcessHandle attached = ProcessHandle.of(attachedPid.get(10, java.util.concurrent.TimeUnit.SECONDS))
                    .orElseThrow();

            assertThat(server.dropConnections()).isEqualTo(1);

            assertThatThrownBy(() -> running.get(10, java.util.concurrent.TimeUnit.SECONDS))
                    .hasCauseInstanceOf(CorcException.class)
                    .hasMessageContaining("connection to corc@127.0.0.1:" + server.port() + " ended");
            attached.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            ProcessHandle survivor = ProcessHandle.of(Long.parseLong(detached)).orElseThrow();
            assertThat(survivor.isAlive()).isTrue();
            survivor.destroy();
        }
    }

    /** A session whose connection is gone (or still closing) says so as UNAVAILABLE, never with MINA's own errors. */
    @Test
    void callsOnADroppedSessionFailAsUnavailableNamingTheLogin() {
        try (SshSession session = connect()) {
            session.write("note", "x".getBytes(UTF_8), 0600);
            server.dropConnections();

            for (int round = 0; round < 3; round++) { // closing, then closed
                assertThatThrownBy(() -> session.run("true"))
                        .isInstanceOfSatisfying(CorcException.class, e -> assertThat(e.category())
                                .isEqualTo(ErrorCategory.UNAVAILABLE))
                        .hasMessageContaining("corc@127.0.0.1:" + server.port());
                assertThatThrownBy(() -> session.read("note"))
                        .isInstanceOfSatisfying(CorcException.class, e -> assertThat(e.category())
                                .isEqualTo(ErrorCategory.UNAVAILABLE))
                        .hasMessageContaining("corc@127.0.0.1:" + server.port());
            }
        }
    }

    private static void awaitStep(List<String> steps, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (steps.stream().noneMatch(s -> s.contains(text)) && System.nanoTime() < deadline) {
            Thread.sleep(20); // polling the listener's record: the client reports progress from its own thread
        }
    }

    private static String roundTrip(int port, String text) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((text + "\n").getBytes(UTF_8));
            socket.getOutputStream().flush();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = socket.getInputStream().read()) != -1 && c != '\n') {
                line.append((char) c);
            }
            return line.toString();
        }
    }

    private static String fingerprint(String publicKey) {
        return KnownHosts.HostKey.parse(publicKey).fingerprint();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Echoes every connection's bytes back, on 127.0.0.1. */
    static final class EchoServer implements AutoCloseable {
        private final ServerSocket socket;

        EchoServer() throws IOException {
            socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket connection = socket.accept();
                        Thread echo = new Thread(() -> {
                            try (connection;
                                    InputStream in = connection.getInputStream();
                                    OutputStream out = connection.getOutputStream()) {
                                byte[] buffer = new byte[4096];
                                int read;
                                while ((read = in.read(buffer)) > 0) {
                                    out.write(buffer, 0, read);
                                    out.flush();
                                }
                            } catch (IOException ignored) {
                                // the peer went away
                            }
                        });
                        echo.setDaemon(true);
                        echo.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
