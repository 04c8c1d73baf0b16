package io.corc.ssh;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.forward.ExplicitPortForwardingTracker;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/** {@link SshSession} over one MINA client session. */
final class MinaSshSession implements SshSession {
    private static final int CHUNK = 64 * 1024;

    private final SshTarget target;
    private final ClientSession session;

    MinaSshSession(SshTarget target, ClientSession session) {
        this.target = target;
        this.session = session;
    }

    @Override
    public SshTarget target() {
        return target;
    }

    @Override
    public int exec(String command, Consumer<String> stdoutLines, Consumer<String> stderrLines, Duration timeout) {
        try (LineOutputStream out = new LineOutputStream(stdoutLines);
                LineOutputStream err = new LineOutputStream(stderrLines);
                ChannelExec channel = session.createExecChannel(command)) {
            channel.setOut(out);
            channel.setErr(err);
            long deadline = System.nanoTime() + timeout.toNanos();
            channel.open().verify(timeout);
            channel.getInvertedIn().close(); // the command reads no input: send EOF at once
            Set<ClientChannelEvent> events = channel.waitFor(
                    EnumSet.of(ClientChannelEvent.CLOSED), Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (!events.contains(ClientChannelEvent.CLOSED)) {
                channel.close(true);
                throw new CorcException(
                                ErrorCategory.UNAVAILABLE,
                                "'" + shorten(command) + "' did not finish within " + describe(timeout) + " on "
                                        + target.login() + "; its channel was closed")
                        .withHint("give the command more time, or run it detached (nohup ... &) and poll for it");
            }
            Integer status = channel.getExitStatus();
            if (status == null) {
                String signal = channel.getExitSignal();
                if (signal != null) {
                    return 128 + signalNumber(signal);
                }
                throw lost(command, null);
            }
            return status;
        } catch (IOException | IllegalStateException e) { // MINA: "session is being closed"
            throw lost(command, e);
        }
    }

    @Override
    public CommandResult run(String command, Duration timeout) {
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        int code = exec(
                command,
                line -> out.append(line).append('\n'),
                line -> err.append(line).append('\n'),
                timeout);
        return new CommandResult(code, out.toString(), err.toString());
    }

    @Override
    public void upload(Path local, String remotePath) {
        if (!Files.exists(local)) {
            throw CorcException.notFound("cannot upload " + local + ": it does not exist")
                    .withHint("check the local path");
        }
        String remote = sftpPath(remotePath);
        withSftp("upload " + local + " to " + remotePath, sftp -> {
            mkdirs(sftp, parentOf(remote));
            if (Files.isDirectory(local)) {
                uploadTree(sftp, local, remote);
            } else {
                uploadFile(sftp, local, remote);
            }
            return null;
        });
    }

    @Override
    public void download(String remotePath, Path local) {
        String remote = sftpPath(remotePath);
        withSftp("download " + remotePath + " to " + local, sftp -> {
            SftpClient.Attributes attributes = statOrNull(sftp, remote);
            if (attributes == null) {
                throw CorcException.notFound(remotePath + " does not exist on " + target.login())
                        .withHint("check the remote path");
            }
            if (attributes.isDirectory()) {
                downloadTree(sftp, remote, local);
            } else {
                downloadFile(sftp, remote, local);
            }
            return null;
        });
    }

    @Override
    public void write(String remotePath, byte[] content, int mode) {
        String remote = sftpPath(remotePath);
        withSftp("write " + remotePath, sftp -> {
            mkdirs(sftp, parentOf(remote));
            try (InputStream in = new java.io.ByteArrayInputStream(content)) {
                writeFile(sftp, in, remote, mode);
            }
            return null;
        });
    }

    @Override
    public Optional<byte[]> read(String remotePath) {
        String remote = sftpPath(remotePath);
        return withSftp("read " + remotePath, sftp -> {
            try (InputStream in = sftp.read(remote)) {
                return Optional.of(in.readAllBytes());
            } catch (SftpException e) {
                if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    @Override
    public Tunnel forwardLocal(int localPort, String remoteHost, int remotePort) {
        try {
            ExplicitPortForwardingTracker tracker = session.createLocalPortForwardingTracker(
                    new SshdSocketAddress("127.0.0.1", localPort), new SshdSocketAddress(remoteHost, remotePort));
            return new MinaTunnel(tracker, tracker.getBoundAddress().getPort());
        } catch (IOException e) {
            throw new CorcException(
                            ErrorCategory.UNAVAILABLE,
                            "cannot forward 127.0.0.1:" + localPort + " to " + remoteHost + ":" + remotePort + " over "
                                    + target.login() + ": " + e.getMessage())
                    .withHint("pick a free local port (0 picks one), and check that the server allows TCP forwarding")
                    .withCause(e);
        }
    }

    @Override
    public Tunnel forwardRemote(int remotePort, String localHost, int localPort) {
        try {
            ExplicitPortForwardingTracker tracker = session.createRemotePortForwardingTracker(
                    new SshdSocketAddress("127.0.0.1", remotePort), new SshdSocketAddress(localHost, localPort));
            return new MinaTunnel(tracker, tracker.getBoundAddress().getPort());
        } catch (IOException e) {
            throw new CorcException(
                            ErrorCategory.UNAVAILABLE,
                            "cannot forward port " + remotePort + " of " + target.host() + " to " + localHost + ":"
                                    + localPort + " over " + target.login() + ": " + e.getMessage())
                    .withHint("pick a free remote port (0 lets the server pick), and check that the server allows"
                            + " remote forwarding (AllowTcpForwarding)")
                    .withCause(e);
        }
    }

    @Override
    public void close() {
        SshClient.closeQuietly(session);
    }

    @Override
    public String toString() {
        return "ssh " + target.login();
    }

    // --- SFTP -----------------------------------------------------------------------------------------------

    private interface SftpAction<T> {
        T run(SftpClient sftp) throws IOException;
    }

    private <T> T withSftp(String action, SftpAction<T> body) {
        try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
            return body.run(sftp);
        } catch (SftpException e) {
            ErrorCategory category =
                    switch (e.getStatus()) {
                        case SftpConstants.SSH_FX_NO_SUCH_FILE, SftpConstants.SSH_FX_NO_SUCH_PATH ->
                            ErrorCategory.NOT_FOUND;
                        case SftpConstants.SSH_FX_PERMISSION_DENIED -> ErrorCategory.AUTHENTICATION;
                        default -> ErrorCategory.UNAVAILABLE;
                    };
            throw new CorcException(category, "could not " + action + " on " + target.login() + ": " + e.getMessage())
                    .withHint(
                            category == ErrorCategory.AUTHENTICATION
                                    ? "the remote user " + target.user() + " may not write there; pick a path it owns"
                                    : "check the path on " + target.host())
                    .withCause(e);
        } catch (IOException | IllegalStateException e) { // MINA: "session is being closed"
            throw new CorcException(
                            ErrorCategory.UNAVAILABLE,
                            "could not " + action + " on " + target.login() + ": " + e.getMessage())
                    .withHint("check the connection to " + target.host() + " and its SFTP subsystem")
                    .withCause(e);
        }
    }

    private void uploadTree(SftpClient sftp, Path root, String remoteRoot) throws IOException {
        mkdir(sftp, remoteRoot);
        try (var entries = Files.list(root)) {
            for (Path child : (Iterable<Path>) entries.sorted()::iterator) {
                String remoteChild = remoteRoot + "/" + child.getFileName();
                if (Files.isDirectory(child)) {
                    uploadTree(sftp, child, remoteChild);
                } else {
                    uploadFile(sftp, child, remoteChild);
                }
            }
        }
    }

    private void uploadFile(SftpClient sftp, Path local, String remote) throws IOException {
        try (InputStream in = Files.newInputStream(local)) {
            writeFile(sftp, in, remote, modeOf(local));
        }
    }

    /** Opens (creating or truncating), sets the mode before any content is written, then writes. */
    private static void writeFile(SftpClient sftp, InputStream in, String remote, int mode) throws IOException {
        try (SftpClient.CloseableHandle handle = sftp.open(
                remote, SftpClient.OpenMode.Write, SftpClient.OpenMode.Create, SftpClient.OpenMode.Truncate)) {
            sftp.setStat(handle, new SftpClient.Attributes().perms(mode & 07777));
            byte[] buffer = new byte[CHUNK];
            long offset = 0;
            int read;
            while ((read = in.read(buffer)) > 0) {
                sftp.write(handle, offset, buffer, 0, read);
                offset += read;
            }
        }
    }

    private void downloadTree(SftpClient sftp, String remote, Path local) throws IOException {
        Files.createDirectories(local);
        for (SftpClient.DirEntry entry : sftp.readDir(remote)) {
            String name = entry.getFilename();
            if (name.equals(".") || name.equals("..")) {
                continue;
            }
            String child = remote + "/" + name;
            SftpClient.Attributes attributes = sftp.stat(child); // follows links, as cp -r would
            if (attributes.isDirectory()) {
                downloadTree(sftp, child, local.resolve(name));
            } else if (attributes.isRegularFile()) {
                downloadFile(sftp, child, local.resolve(name));
            }
        }
    }

    private static void downloadFile(SftpClient sftp, String remote, Path local) throws IOException {
        Path parent = local.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempFile(parent, "." + local.getFileName(), ".part");
        try {
            try (InputStream in = sftp.read(remote, CHUNK);
                    OutputStream out = Files.newOutputStream(temp)) {
                in.transferTo(out);
            }
            Files.move(temp, local, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void mkdirs(SftpClient sftp, String dir) throws IOException {
        if (dir == null || dir.isEmpty() || dir.equals("/") || dir.equals(".")) {
            return;
        }
        SftpClient.Attributes attributes = statOrNull(sftp, dir);
        if (attributes != null) {
            if (!attributes.isDirectory()) {
                throw new SftpException(SftpConstants.SSH_FX_FAILURE, dir + " exists and is not a directory");
            }
            return;
        }
        mkdirs(sftp, parentOf(dir));
        mkdir(sftp, dir);
    }

    private static void mkdir(SftpClient sftp, String dir) throws IOException {
        try {
            sftp.mkdir(dir);
        } catch (SftpException e) {
            SftpClient.Attributes attributes = statOrNull(sftp, dir);
            if (attributes == null || !attributes.isDirectory()) { // else: it exists (made by us or in parallel)
                throw e;
            }
        }
    }

    private static SftpClient.Attributes statOrNull(SftpClient sftp, String path) throws IOException {
        try {
            return sftp.stat(path);
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE
                    || e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_PATH) {
                return null;
            }
            throw e;
        }
    }

    /** SFTP resolves relative paths against the login's home; {@code ~/} means the same. */
    static String sftpPath(String remotePath) {
        String path = remotePath.strip();
        if (path.equals("~") || path.isEmpty()) {
            return ".";
        }
        if (path.startsWith("~/")) {
            path = path.substring(2);
        }
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path;
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        if (slash < 0) {
            return null;
        }
        return slash == 0 ? "/" : path.substring(0, slash);
    }

    private static int modeOf(Path local) throws IOException {
        try {
            int mode = 0;
            for (PosixFilePermission p : Files.getPosixFilePermissions(local)) {
                mode |= 1 << (8 - p.ordinal());
            }
            return mode;
        } catch (UnsupportedOperationException e) {
            return Files.isExecutable(local) ? 0755 : 0644;
        }
    }

    // --- helpers --------------------------------------------------------------------------------------------

    private CorcException lost(String command, Throwable cause) {
        return new CorcException(
                        ErrorCategory.UNAVAILABLE,
                        "the connection to " + target.login() + " ended while running '" + shorten(command) + "'"
                                + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage()))
                .withHint("check that " + target.host() + " is still running and reachable, then retry")
                .withCause(cause);
    }

    private static String shorten(String command) {
        String oneLine = command.replace('\n', ' ');
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 77) + "...";
    }

    private static String describe(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }

    private static int signalNumber(String signal) {
        return switch (signal) {
            case "HUP" -> 1;
            case "INT" -> 2;
            case "QUIT" -> 3;
            case "KILL" -> 9;
            case "PIPE" -> 13;
            case "TERM" -> 15;
            default -> 0;
        };
    }

    private static final class MinaTunnel implements Tunnel {
        private final ExplicitPortForwardingTracker tracker;
        private final int port;

        MinaTunnel(ExplicitPortForwardingTracker tracker, int port) {
            this.tracker = tracker;
            this.port = port;
        }

        @Override
        public int boundPort() {
            return port;
        }

        @Override
        public void close() {
            try {
                tracker.close();
            } catch (IOException ignored) {
                // the session may be gone already, which ends the forward as well
            }
        }
    }
}
