package io.corc.api;

import java.util.Optional;

/** Makes and keeps key pairs and installs public keys on resources so corc can reach them. */
public interface Authenticator {
    /**
     * The key pair corc logs in to resources with unless configured otherwise; {@code Corc.start} makes it (once)
     * and has it authorised on instances of providers with {@link Feature#SSH_ACCESS}.
     */
    String DEFAULT_KEY_NAME = "id_ed25519";

    String name();

    /**
     * Generates a new key pair called {@code keyName}.
     *
     * @throws CorcException {@link ErrorCategory#CONFLICT} when a key of that name exists
     */
    KeyPairInfo create(String keyName, KeyType type);

    /** The existing key pair called {@code keyName}, or empty. */
    Optional<KeyPairInfo> load(String keyName);

    /**
     * The existing key pair called {@code keyName}, else a new one of {@code type} (the Python corc's {@code
     * load_existing}): an existing key is never replaced. A key another process created meanwhile is loaded.
     */
    default KeyPairInfo loadOrCreate(String keyName, KeyType type) {
        Optional<KeyPairInfo> existing = load(keyName);
        if (existing.isPresent()) {
            return existing.get();
        }
        try {
            return create(keyName, type);
        } catch (CorcException e) {
            if (e.category() != ErrorCategory.CONFLICT) {
                throw e;
            }
            return load(keyName).orElseThrow(() -> e);
        }
    }

    /** Deletes the key pair; returns false when there was none. Idempotent. */
    boolean remove(String keyName);

    /** Adds {@code publicKey} to the resource's authorised keys. Idempotent. */
    void authorize(Resource resource, String publicKey);

    /** Removes {@code publicKey} from the resource's authorised keys. Idempotent. */
    void revoke(Resource resource, String publicKey);
}
