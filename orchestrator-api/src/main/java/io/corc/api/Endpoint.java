package io.corc.api;

import static java.util.Objects.requireNonNull;

/**
 * How to reach a resource.
 *
 * @param protocol e.g. {@code ssh}, {@code https}, {@code file}
 * @param host host name or address (for {@code file}, a local path)
 * @param port port, or 0 when not applicable
 * @param user login user, or {@code null}
 */
public record Endpoint(String protocol, String host, int port, String user) {
    public Endpoint {
        requireNonNull(protocol, "protocol is null");
        requireNonNull(host, "host is null");
    }
}
