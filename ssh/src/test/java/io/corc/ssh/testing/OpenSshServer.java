package io.corc.ssh.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The real OpenSSH daemon from Debian ({@code /usr/sbin/sshd}) on a free 127.0.0.1 port, public-key login only, for
 * tests of the keys corc writes and of tools that shell out to {@code ssh} (Ansible). See shared RECIPES.md §2.
 *
 * <p>Each fixture has its own temp directory (config, Ed25519 host key, pid file, log) and its own authorized-keys
 * file, so fixtures in parallel JVMs do not see each other's keys. They share one login user, {@value #USER}
 * (created on first use, passwordless sudo through {@code /etc/sudoers.d/corc-ci}); sshd also reads that user's
 * {@code ~/.ssh/authorized_keys}, for tests that install keys over SSH the way corc does on a real resource.
 *
 * <p>Needs root and the OpenSSH binaries. When they are missing the calling test is skipped with a message naming
 * what is missing, unless {@code CORC_CI} is set: then the test fails, so CI never passes by skipping.
 */
public final class OpenSshServer implements AutoCloseable {
    public static final String USER = "corc-ci";
    public static final String HOST = "127.0.0.1";

    private static final Path SSHD = Path.of("/usr/sbin/sshd");
    private static final Path SSH_KEYGEN = Path.of("/usr/bin/ssh-keygen");
    private static final Path SSH = Path.of("/usr/bin/ssh");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final int BIND_ATTEMPTS = 5;

    private final Path dir;
    private final Path userHome;
    private final Path authorizedKeys;
    private final String hostPublicKey;
    private final Process process;
    private final int port;
    private final Thread shutdownHook;

    private OpenSshServer(
            Path dir, Path userHome, Path authorizedKeys, String hostPublicKey, Process process, int port) {
        this.dir = dir;
        this.userHome = userHome;
        this.authorizedKeys = authorizedKeys;
        this.hostPublicKey = hostPublicKey;
        this.process = process;
        this.port = port;
        this.shutdownHook = new Thread(this::stop, "openssh-fixture-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a daemon; returns once it accepts connections. Skips or fails the test as the class doc says. */
    public static OpenSshServer start() {
        requireAvailable();
        try {
            Path home = ensureLoginUser();
            Path dir = Files.createTempDirectory(
                    "corc-sshd-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path hostKey = dir.resolve("ssh_host_ed25519_key");
            run(List.of(
                    SSH_KEYGEN.toString(),
                    "-q",
                    "-t",
                    "ed25519",
                    "-N",
                    "",
                    "-C",
                    "corc-ci-host",
                    "-f",
                    hostKey.toString()));
            String hostPublicKey =
                    publicKeyOf(Files.readString(hostKey.resolveSibling(hostKey.getFileName() + ".pub")));
            Path authorizedKeys = userDirectory(home.resolve(".corc-fixtures")
                            .resolve(dir.getFileName().toString()))
                    .resolve("authorized_keys");
            writeOwnedByUser(authorizedKeys, "");
            Files.createDirectories(Path.of("/run/sshd")); // privilege separation dir; missing without systemd
            IOException lastBindFailure = null;
            for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
                int port = freePort();
                Path config = writeConfig(dir, port, hostKey, authorizedKeys);
                Process process = launch(dir, config);
                if (awaitListening(process, dir.resolve("sshd.pid"))) {
                    return new OpenSshServer(dir, home, authorizedKeys, hostPublicKey, process, port);
                }
                String log = readLog(dir);
                if (!log.contains("Address already in use")) {
                    throw new IllegalStateException(
                            "sshd did not start (exit " + exitOf(process) + "); its log:\n" + log);
                }
                lastBindFailure = new IOException("port " + port + " was taken: " + log);
            }
            throw new UncheckedIOException("sshd found no free port", lastBindFailure);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    public String user() {
        return USER;
    }

    /** The login user's home directory (shared by all fixtures). */
    public Path userHome() {
        return userHome;
    }

    /** The host's public key as {@code "ssh-ed25519 AAAA..."}, without a comment. */
    public String hostPublicKey() {
        return hostPublicKey;
    }

    /** The known_hosts line for this daemon, {@code "[127.0.0.1]:<port> ssh-ed25519 AAAA..."}, as ssh-keyscan prints. */
    public String hostKeyLine() {
        return "[" + HOST + "]:" + port + " " + hostPublicKey;
    }

    /** Lets {@code publicKeyLine} ({@code "ssh-ed25519 AAAA... comment"}) log in as {@link #user()}. Idempotent. */
    public synchronized void authorize(String publicKeyLine) {
        String line = publicKeyLine.strip();
        if (line.isEmpty() || line.contains("\n")) {
            throw new IllegalArgumentException("not one public key line: " + publicKeyLine);
        }
        try {
            List<String> lines = new ArrayList<>(Files.readAllLines(authorizedKeys));
            if (!lines.contains(line)) {
                lines.add(line);
                writeOwnedByUser(authorizedKeys, String.join("\n", lines) + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The argv of {@code ssh} logging in here with {@code privateKey}, checking the host key against {@code knownHosts}. */
    public List<String> sshCommand(Path privateKey, Path knownHosts, String remoteCommand) {
        return List.of(
                SSH.toString(),
                "-p",
                String.valueOf(port),
                "-i",
                privateKey.toString(),
                "-o",
                "BatchMode=yes",
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                "UserKnownHostsFile=" + knownHosts,
                "-o",
                "ControlMaster=no",
                "-F",
                "/dev/null",
                USER + "@" + HOST,
                remoteCommand);
    }

    /** The daemon's log so far (for assertion messages). */
    public String log() {
        return readLog(dir);
    }

    /** Stops the listener and the sessions it forked, then removes the fixture's files. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs or ran already
        }
    }

    private synchronized void stop() {
        List<ProcessHandle> sessions = process.descendants().toList();
        process.destroy();
        sessions.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteTree(dir);
        deleteTree(authorizedKeys.getParent());
    }

    // ---- availability

    private static void requireAvailable() {
        List<String> missing = new ArrayList<>();
        for (Path binary : List.of(SSHD, SSH_KEYGEN, SSH)) {
            if (!Files.isExecutable(binary)) {
                missing.add(binary + " is missing (apt-get install openssh-server openssh-client)");
            }
        }
        if (!isRoot()) {
            missing.add("not running as root (the fixture creates a login user and runs sshd)");
        }
        if (missing.isEmpty()) {
            return;
        }
        String message = "OpenSSH fixture unavailable: " + String.join("; ", missing);
        if (System.getenv("CORC_CI") != null) {
            throw new IllegalStateException(message + " (CORC_CI is set, so this fails instead of skipping)");
        }
        Assumptions.abort(message);
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    // ---- the login user

    /** Creates {@value #USER} and its sudo rule when missing; safe against another JVM doing the same. */
    private static synchronized Path ensureLoginUser() throws IOException {
        if (homeOf(USER) == null) {
            ProcessResult added = exec(List.of("/usr/sbin/useradd", "-m", "-s", "/bin/bash", USER));
            if (added.exitCode() != 0 && homeOf(USER) == null) {
                throw new IllegalStateException("useradd " + USER + " failed: " + added.output());
            }
        }
        Path sudoers = Path.of("/etc/sudoers.d", USER);
        String rule = USER + " ALL=(ALL) NOPASSWD:ALL\n";
        if (!Files.exists(sudoers) || !Files.readString(sudoers).equals(rule)) {
            // sudo ignores names with a dot, so the temp file is never read half-written
            Path temp = Files.createTempFile(sudoers.getParent(), USER + ".", ".tmp");
            Files.writeString(temp, rule);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("r--r-----"));
            Files.move(temp, sudoers, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return homeOf(USER);
    }

    private static Path homeOf(String user) throws IOException {
        ProcessResult entry = exec(List.of("/usr/bin/getent", "passwd", user));
        if (entry.exitCode() != 0) {
            return null;
        }
        String[] fields = entry.output().strip().split(":");
        return Path.of(fields[5]);
    }

    /** A 0700 directory owned by the login user (sshd's StrictModes checks every component up from its home). */
    private static Path userDirectory(Path path) throws IOException {
        Files.createDirectories(path);
        for (Path p = path; p.getFileName() != null && !p.equals(homeOf(USER)); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
            chownToUser(p);
        }
        return path;
    }

    private static void writeOwnedByUser(Path file, String content) throws IOException {
        Path temp = Files.createTempFile(file.getParent(), ".authorized_keys", ".tmp");
        Files.writeString(temp, content, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
        chownToUser(temp);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void chownToUser(Path path) throws IOException {
        UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(path, lookup.lookupPrincipalByName(USER));
    }

    // ---- the daemon

    private static Path writeConfig(Path dir, int port, Path hostKey, Path authorizedKeys) throws IOException {
        String config = String.join(
                "\n",
                "Port " + port,
                "ListenAddress " + HOST,
                "HostKey " + hostKey,
                "PidFile " + dir.resolve("sshd.pid"),
                "PermitRootLogin no",
                "PubkeyAuthentication yes",
                "AuthorizedKeysFile " + authorizedKeys + " .ssh/authorized_keys",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                // with UsePAM no a useradd account (password "!") counts as locked and is refused
                "UsePAM yes",
                "AllowUsers " + USER,
                "AllowTcpForwarding yes",
                "X11Forwarding no",
                "PrintMotd no",
                "Subsystem sftp /usr/lib/openssh/sftp-server",
                "");
        Path file = dir.resolve("sshd_config");
        Files.writeString(file, config);
        return file;
    }

    private static Process launch(Path dir, Path config) throws IOException {
        Files.deleteIfExists(dir.resolve("sshd.pid"));
        Files.deleteIfExists(dir.resolve("sshd.log"));
        // -D: stays our child, so close() and a dying JVM can stop it; -E: its log goes to a file
        return new ProcessBuilder(
                        SSHD.toString(),
                        "-D",
                        "-f",
                        config.toString(),
                        "-E",
                        dir.resolve("sshd.log").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("sshd.out").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
    }

    /** sshd writes its pid file after it bound the port, so the file's presence means "accepting connections". */
    private static boolean awaitListening(Process process, Path pidFile) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(pidFile)) {
                return true;
            }
            try {
                if (process.waitFor(10, TimeUnit.MILLISECONDS)) {
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new IllegalStateException("interrupted while sshd started", e);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException(
                "sshd did not listen within " + START_TIMEOUT + "; its log:\n" + readLog(pidFile.getParent()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    private static String exitOf(Process process) {
        return process.isAlive() ? "still running" : String.valueOf(process.exitValue());
    }

    private static String readLog(Path dir) {
        StringBuilder text = new StringBuilder();
        for (String name : List.of("sshd.log", "sshd.out")) {
            try {
                text.append(Files.readString(dir.resolve(name)));
            } catch (IOException ignored) {
                // not written (yet)
            }
        }
        return text.toString();
    }

    private static String publicKeyOf(String publicKeyFile) {
        String[] parts = publicKeyFile.strip().split("\\s+");
        return parts[0] + " " + parts[1];
    }

    private record ProcessResult(int exitCode, String output) {}

    private static ProcessResult exec(List<String> argv) throws IOException {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            return new ProcessResult(process.waitFor(), output);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + argv, e);
        }
    }

    private static void run(List<String> argv) throws IOException {
        ProcessResult result = exec(argv);
        if (result.exitCode() != 0) {
            throw new IOException(
                    String.join(" ", argv) + " failed (exit " + result.exitCode() + "): " + result.output());
        }
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temp directory left behind does no harm
        }
    }

    @Override
    public String toString() {
        return "OpenSshServer[" + USER + "@" + HOST + ":" + port + ", " + dir + "]";
    }
}
