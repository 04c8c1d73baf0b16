package io.corc.broker;

import java.time.Instant;
import java.util.List;

/**
 * A member's latest verified offer. Each organisation is the only writer of its own offers; a newer sequence
 * replaces an older one and an offer past {@link #expires()} is dropped (a crashed member's offers fade away).
 *
 * @param organisation the member
 * @param keyFingerprint fingerprint of the key that signed it (SHA256:base64, as {@code ssh-keygen -l})
 * @param sequence the sender's offer sequence number
 * @param issued when the member signed it
 * @param expires when it stops being valid
 * @param classes what it shares
 */
public record MemberOffer(
        String organisation,
        String keyFingerprint,
        long sequence,
        Instant issued,
        Instant expires,
        List<ResourceClass> classes) {

    public MemberOffer {
        classes = classes == null ? List.of() : List.copyOf(classes);
    }
}
