package io.corc.broker;

import static java.util.Objects.requireNonNull;

import java.security.PublicKey;
import java.time.Instant;

/**
 * A member organisation whose identity key this broker trusts.
 *
 * @param organisation the member's organisation name; messages claiming it must be signed by {@link #key()}
 * @param fingerprint {@code SHA256:...} of the key
 * @param key its Ed25519 public key
 * @param added when it was added to the trust store
 */
public record TrustedMember(String organisation, String fingerprint, PublicKey key, Instant added) {
    public TrustedMember {
        requireNonNull(organisation, "organisation is null");
        requireNonNull(fingerprint, "fingerprint is null");
        requireNonNull(key, "key is null");
        requireNonNull(added, "added is null");
    }

    /** The line to give {@link TrustStore#add(String)} elsewhere. */
    public String publicKeyText() {
        return BrokerIdentity.KEY_TYPE + " " + java.util.Base64.getEncoder().encodeToString(key.getEncoded()) + " "
                + organisation;
    }
}
