package io.corc.api;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * A key pair managed by an {@link Authenticator}. The private key never leaves its file.
 *
 * @param name key name
 * @param type algorithm
 * @param privateKeyFile path of the private key (OpenSSH format, mode 0600)
 * @param publicKey the OpenSSH public key line
 * @param fingerprint {@code SHA256:...} fingerprint
 */
public record KeyPairInfo(String name, KeyType type, Path privateKeyFile, String publicKey, String fingerprint) {
    public KeyPairInfo {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
        requireNonNull(privateKeyFile, "privateKeyFile is null");
        requireNonNull(publicKey, "publicKey is null");
    }
}
