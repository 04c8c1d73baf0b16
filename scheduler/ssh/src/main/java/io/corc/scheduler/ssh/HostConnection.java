package io.corc.scheduler.ssh;

import static java.util.Objects.requireNonNull;

import io.corc.ssh.KnownHosts;
import io.corc.ssh.SshClient;
import io.corc.ssh.SshSession;
import io.corc.ssh.SshTarget;
import java.time.Duration;

/**
 * One login to a job's host, opened on first use and again after {@link #reset} (a dropped connection). Closing it
 * closes the client and its session; the job on the host does not depend on it.
 */
final class HostConnection implements AutoCloseable {
    private final SshTarget target;
    private final KnownHosts knownHosts;
    private final Duration timeout;
    private SshClient client;
    private SshSession session;

    HostConnection(SshTarget target, KnownHosts knownHosts, Duration timeout) {
        this.target = requireNonNull(target, "target is null");
        this.knownHosts = requireNonNull(knownHosts, "knownHosts is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    SshTarget target() {
        return target;
    }

    /** The session, connecting first when there is none. */
    synchronized SshSession session() {
        if (session == null) {
            if (client == null) {
                client = new SshClient();
            }
            session = client.connect(target, knownHosts, timeout);
        }
        return session;
    }

    /** Forgets the session (after the connection broke), so the next {@link #session} logs in again. */
    synchronized void reset() {
        if (session != null) {
            session.close();
            session = null;
        }
    }

    @Override
    public synchronized void close() {
        reset();
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
