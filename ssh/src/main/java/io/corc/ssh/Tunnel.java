package io.corc.ssh;

/** A port forward over an {@link SshSession}; it ends with {@link #close()} or with the session. */
public interface Tunnel extends AutoCloseable {
    /** The port that listens: the local port of a local forward, the remote port of a remote forward. */
    int boundPort();

    /** Stops listening; connections already carried end too. Idempotent. */
    @Override
    void close();
}
