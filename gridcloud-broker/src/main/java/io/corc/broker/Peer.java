package io.corc.broker;

import java.time.Instant;

/**
 * A member of the grid as this broker sees it.
 *
 * @param organisation organisation name (from its signed messages; the JGroups name until one arrived)
 * @param keyFingerprint fingerprint of its identity key, or {@code null} before its first signed message
 * @param address its transport address (e.g. {@code 127.0.0.1:7800})
 * @param trusted whether its key is in this broker's trust store
 * @param self whether this is the local broker
 * @param lastMessage when a valid message from it last arrived, or {@code null}
 */
public record Peer(
        String organisation,
        String keyFingerprint,
        String address,
        boolean trusted,
        boolean self,
        Instant lastMessage) {}
