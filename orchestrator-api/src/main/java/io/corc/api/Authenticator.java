package io.corc.api;

import java.util.Optional;

/** Makes and keeps key pairs and installs public keys on resources so corc can reach them. */
public interface Authenticator {

    String name();

    /**
     * Generates a new key pair called {@code keyName}.
     *
     * @throws CorcException {@link ErrorCategory#CONFLICT} when a key of that name exists
     */
    KeyPairInfo create(String keyName, KeyType type);

    /** The existing key pair called {@code keyName}, or empty. */
    Optional<KeyPairInfo> load(String keyName);

    /** Deletes the key pair; returns false when there was none. Idempotent. */
    boolean remove(String keyName);

    /** Adds {@code publicKey} to the resource's authorised keys. Idempotent. */
    void authorize(Resource resource, String publicKey);

    /** Removes {@code publicKey} from the resource's authorised keys. Idempotent. */
    void revoke(Resource resource, String publicKey);
}
