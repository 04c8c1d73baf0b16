package io.corc.ssh.testing;

import io.corc.api.Endpoint;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceState;
import io.corc.ssh.SshTarget;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.file.nativefs.NativeFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.forward.AcceptAllForwardingFilter;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.SftpSubsystem;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * Apache MINA SSHD in the JVM on a free 127.0.0.1 port, for tests of corc's SSH client, configurers and
 * schedulers. It behaves like a small real host:
 *
 * <ul>
 *   <li>login as {@link #USER} with a public key from {@link #authorize} or from {@code <home>/.ssh/authorized_keys}
 *       (read on every login, so keys that corc's authenticator adds work at once); no passwords;
 *   <li>commands run for real on this machine with {@code /bin/sh -c}, in {@link #home()} with {@code HOME} set to
 *       it and a clean environment (no {@code CORC_*} of the test JVM); they run as the JVM's user;
 *   <li>SFTP on the real file system, relative paths resolving against {@link #home()};
 *   <li>local and remote TCP forwarding allowed;
 *   <li>an in-memory Ed25519 host key that {@link #changeHostKey} replaces (new connections see the new one);
 *   <li>{@link #dropConnections} cuts every live connection as a network failure would: the channels' commands
 *       that still run in the connection's process tree are killed (as sshd's SIGHUP would), detached ones
 *       ({@code setsid}/{@code nohup ... &} whose shell exited) survive.
 * </ul>
 */
public final class MinaSshServer implements AutoCloseable {
    public static final String USER = "corc";
    public static final String HOST = "127.0.0.1";

    private final SshServer server;
    private final Path home;
    private final List<PublicKey> authorized = new CopyOnWriteArrayList<>();
    private volatile KeyPair hostKey;

    private MinaSshServer(Path home, int port) {
        this.home = home;
        this.hostKey = newHostKey();
        server = SshServer.setUpDefaultServer();
        server.setHost(HOST);
        server.setPort(port);
        server.setKeyPairProvider(session -> List.of(hostKey));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setPublickeyAuthenticator((user, key, session) -> USER.equals(user) && isAuthorized(key));
        server.setCommandFactory((channel, command) -> new ShellCommand(command, home));
        NativeFileSystemFactory files = new NativeFileSystemFactory() {
            @Override
            public Path getUserHomeDir(SessionContext session) {
                return home;
            }
        };
        server.setFileSystemFactory(files);
        server.setSubsystemFactories(List.of(new HomeSftpSubsystemFactory(home)));
        server.setForwardingFilter(AcceptAllForwardingFilter.INSTANCE);
    }

    /** Starts a server whose login user's home is {@code home} (created when missing). */
    public static MinaSshServer start(Path home) {
        return start(home, 0);
    }

    /** As {@link #start(Path)} on a given port (0: a free one), for tests of waiting for a port to open. */
    public static MinaSshServer start(Path home, int port) {
        try {
            Files.createDirectories(home);
            MinaSshServer fixture = new MinaSshServer(home.toAbsolutePath(), port);
            fixture.server.start();
            return fixture;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return server.getPort();
    }

    public String user() {
        return USER;
    }

    /** The login user's home directory: commands start here and relative SFTP paths resolve against it. */
    public Path home() {
        return home;
    }

    /** Where and as whom to log in here with {@code privateKey}. */
    public SshTarget target(Path privateKey) {
        return new SshTarget(HOST, port(), USER, privateKey);
    }

    /** A running corc resource whose ssh endpoint is this server (user {@link #USER}). */
    public Resource resource(String id) {
        return resource(id, Map.of());
    }

    /**
     * As {@link #resource(String)}, with provider {@code details}, e.g. {@link Resource#SSH_HOST_KEYS} as a provider
     * reads them from the console.
     */
    public Resource resource(String id, Map<String, String> details) {
        return new Resource(
                id,
                "test",
                ResourceKind.INSTANCE,
                id,
                ResourceState.RUNNING,
                List.of(new Endpoint("ssh", HOST, port(), USER)),
                List.of(),
                Instant.now(),
                null,
                details);
    }

    /** Lets {@code publicKeyLine} ({@code "ssh-ed25519 AAAA... comment"}) log in. */
    public void authorize(String publicKeyLine) {
        try {
            authorized.add(AuthorizedKeyEntry.parseAuthorizedKeyEntry(publicKeyLine.strip())
                    .resolvePublicKey(null, PublicKeyEntryResolver.FAILING));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("not a public key line: " + publicKeyLine, e);
        }
    }

    /** The host's public key, {@code "ssh-ed25519 AAAA..."}. */
    public String hostPublicKey() {
        return PublicKeyEntry.toString(hostKey.getPublic());
    }

    /** The known_hosts line for this server, {@code "[127.0.0.1]:<port> ssh-ed25519 AAAA..."}. */
    public String hostKeyLine() {
        return "[" + HOST + "]:" + port() + " " + hostPublicKey();
    }

    /** Replaces the host key, as a re-created machine at the same address would; returns the new public key. */
    public String changeHostKey() {
        hostKey = newHostKey();
        return hostPublicKey();
    }

    /** Live connections. */
    public int activeSessions() {
        return server.getActiveSessions().size();
    }

    /** Cuts every live connection at once (no orderly SSH close); returns how many there were. */
    public int dropConnections() {
        List<ServerSession> sessions = new ArrayList<>();
        server.getActiveSessions().forEach(s -> sessions.add((ServerSession) s));
        for (ServerSession session : sessions) {
            session.close(true);
        }
        return sessions.size();
    }

    @Override
    public void close() {
        try {
            server.stop(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "MinaSshServer " + USER + "@" + HOST + ":" + port() + " home " + home;
    }

    private boolean isAuthorized(PublicKey key) {
        for (PublicKey known : authorized) {
            if (KeyUtils.compareKeys(known, key)) {
                return true;
            }
        }
        Path file = home.resolve(".ssh").resolve("authorized_keys");
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                if (keyMatches(line, key)) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** Whether one authorized_keys line lists {@code key}; a line that is no key matches nothing, as with sshd. */
    private static boolean keyMatches(String line, PublicKey key) {
        if (line.isBlank() || line.strip().startsWith("#")) {
            return false;
        }
        try {
            PublicKey listed = AuthorizedKeyEntry.parseAuthorizedKeyEntry(line.strip())
                    .resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
            return listed != null && KeyUtils.compareKeys(listed, key);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static KeyPair newHostKey() {
        try {
            return KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an Ed25519 host key", e);
        }
    }

    /** SFTP whose relative paths resolve against the fixture's home, as sshd's sftp-server starts in $HOME. */
    private static final class HomeSftpSubsystemFactory extends SftpSubsystemFactory {
        private final Path home;

        HomeSftpSubsystemFactory(Path home) {
            this.home = home;
        }

        @Override
        public Command createSubsystem(ChannelSession channel) throws IOException {
            return new SftpSubsystem(channel, this) {
                @Override
                public void setFileSystem(FileSystem fileSystem) {
                    super.setFileSystem(fileSystem);
                    defaultDir = home;
                }
            };
        }
    }

    /** One exec request: {@code /bin/sh -c command} with blocking pumps (no polling) for the three streams. */
    private static final class ShellCommand implements Command {
        private final String command;
        private final Path home;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;
        private volatile Process process;

        ShellCommand(String command, Path home) {
            this.command = command;
            this.home = home;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command).directory(home.toFile());
            Map<String, String> environment = builder.environment();
            Map<String, String> inherited = new HashMap<>(environment);
            environment.clear();
            environment.put("PATH", inherited.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"));
            environment.put("LANG", "C.UTF-8");
            environment.putAll(env.getEnv());
            environment.put("HOME", home.toString());
            environment.put("USER", USER);
            environment.put("LOGNAME", USER);
            environment.put("SHELL", "/bin/sh");
            process = builder.start();
            Thread stdout = pump(process.getInputStream(), out, "stdout");
            Thread stderr = pump(process.getErrorStream(), err, "stderr");
            Thread stdin = new Thread(
                    () -> {
                        try (OutputStream toProcess = process.getOutputStream()) {
                            in.transferTo(toProcess);
                        } catch (IOException ignored) {
                            // the command exited or closed its input
                        }
                    },
                    "mina-fixture-stdin");
            stdin.setDaemon(true);
            stdin.start();
            Thread waiter = new Thread(
                    () -> {
                        try {
                            int code = process.waitFor();
                            stdout.join();
                            stderr.join();
                            exit.onExit(code);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "mina-fixture-exit");
            waiter.setDaemon(true);
            waiter.start();
        }

        /** The channel closed (orderly or cut): kill what still runs in the command's process tree. */
        @Override
        public void destroy(ChannelSession channel) {
            Process running = process;
            if (running != null && running.isAlive()) {
                running.descendants().forEach(ProcessHandle::destroyForcibly);
                running.destroyForcibly();
            }
        }

        private static Thread pump(InputStream from, OutputStream to, String name) {
            Thread thread = new Thread(
                    () -> {
                        byte[] buffer = new byte[8192];
                        try (from) {
                            int read;
                            while ((read = from.read(buffer)) > 0) {
                                to.write(buffer, 0, read);
                                to.flush();
                            }
                        } catch (IOException ignored) {
                            // the channel closed: nobody reads any more
                        }
                    },
                    "mina-fixture-" + name);
            thread.setDaemon(true);
            thread.start();
            return thread;
        }
    }
}
