package io.corc.ssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One authenticated SSH connection to a {@link SshTarget}. Commands run through the remote user's shell; files move
 * over SFTP. A remote path that is relative (or starts with {@code ~/}) is relative to the user's home directory.
 * Safe to use from several threads (each call opens its own channel). Every failure is a {@link
 * io.corc.api.CorcException} naming the login.
 */
public interface SshSession extends AutoCloseable {
    /** Commands of {@link #run(String)} without a timeout of their own get this one. */
    Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(10);

    SshTarget target();

    /**
     * Runs {@code command} and streams its output line by line (UTF-8, without line ends) as it arrives.
     *
     * @return the exit status
     * @throws io.corc.api.CorcException UNAVAILABLE when it did not finish within {@code timeout} (the channel is
     *     then closed, which ends the command as a dropped connection would) or the connection broke
     */
    int exec(String command, Consumer<String> stdoutLines, Consumer<String> stderrLines, Duration timeout);

    /** Runs {@code command} with {@link #DEFAULT_COMMAND_TIMEOUT} and collects its output. */
    default CommandResult run(String command) {
        return run(command, DEFAULT_COMMAND_TIMEOUT);
    }

    /** Runs {@code command} and collects its output. */
    CommandResult run(String command, Duration timeout);

    /**
     * Copies a local file or directory tree to {@code remotePath}, creating missing parent directories; files keep
     * their permission bits. An existing remote file is replaced.
     */
    void upload(Path local, String remotePath);

    /** Copies a remote file or directory tree to {@code local}, creating missing parent directories. */
    void download(String remotePath, Path local);

    /** Writes {@code content} to {@code remotePath} with permission bits {@code mode} (e.g. {@code 0600}), set before any byte is written. */
    void write(String remotePath, byte[] content, int mode);

    /** The content of a remote file, or empty when it does not exist. */
    Optional<byte[]> read(String remotePath);

    /**
     * Listens on 127.0.0.1:{@code localPort} here (0 picks a free port) and carries each connection to {@code
     * remoteHost:remotePort} as seen from the remote host.
     */
    Tunnel forwardLocal(int localPort, String remoteHost, int remotePort);

    /**
     * Asks the remote host to listen on its loopback {@code remotePort} (0 lets it pick) and carries each
     * connection to {@code localHost:localPort} as seen from here.
     */
    Tunnel forwardRemote(int remotePort, String localHost, int localPort);

    /** Closes the connection, its tunnels and channels. Idempotent. */
    @Override
    void close();
}
