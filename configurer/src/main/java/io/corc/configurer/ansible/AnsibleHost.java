package io.corc.configurer.ansible;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * How ansible's {@code ssh} logs in to one resource: with corc's key, checking the host key against corc's
 * known_hosts file (never the user's {@code ~/.ssh/known_hosts}).
 *
 * @param name the inventory host name (the resource id)
 */
record AnsibleHost(String name, String host, int port, String user, Path privateKey, Path knownHosts) {
    AnsibleHost {
        requireNonNull(name, "name is null");
        requireNonNull(host, "host is null");
        requireNonNull(user, "user is null");
        requireNonNull(privateKey, "privateKey is null");
        requireNonNull(knownHosts, "knownHosts is null");
    }
}
