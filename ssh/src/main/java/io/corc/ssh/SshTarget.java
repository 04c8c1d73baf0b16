package io.corc.ssh;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * Where and as whom corc logs in over SSH.
 *
 * @param host host name or address
 * @param port TCP port; 0 means 22
 * @param user login user
 * @param privateKey corc's private key file (OpenSSH or PEM format, no passphrase)
 */
public record SshTarget(String host, int port, String user, Path privateKey) {
    public SshTarget {
        requireNonNull(host, "host is null");
        requireNonNull(user, "user is null");
        requireNonNull(privateKey, "privateKey is null");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        port = port == 0 ? 22 : port;
    }

    /** {@code user@host:port}, as error messages name a login. */
    public String login() {
        return user + "@" + host + ":" + port;
    }

    /** {@code host:port}. */
    public String address() {
        return host + ":" + port;
    }
}
