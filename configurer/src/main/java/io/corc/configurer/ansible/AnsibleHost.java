package io.corc.configurer.ansible;

import static java.util.Objects.requireNonNull;

import io.corc.ssh.ResourceLogin;

/**
 * How ansible's {@code ssh} logs in to one resource: as corc does, with corc's key, checking the host key against
 * corc's known_hosts file (never the user's {@code ~/.ssh/known_hosts}).
 *
 * @param name the inventory host name (the resource id)
 */
record AnsibleHost(String name, ResourceLogin.Login login) {
    AnsibleHost {
        requireNonNull(name, "name is null");
        requireNonNull(login, "login is null");
    }
}
