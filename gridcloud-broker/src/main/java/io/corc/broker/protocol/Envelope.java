package io.corc.broker.protocol;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One application message: what the sender signed. The signature covers the canonical JSON of every field, so no
 * field (grid, recipient, timestamp, nonce, sequence, body) can be changed or moved to another message.
 *
 * @param type the message type
 * @param sender the sender's organisation
 * @param keyFingerprint fingerprint of the key that signed it (the receiver looks the key up in its trust store)
 * @param grid the grid the sender meant it for
 * @param recipient the organisation a unicast is for, or {@code *} for a broadcast
 * @param timestamp sender's clock, epoch milliseconds
 * @param nonce random, unique per message (replay detection)
 * @param sequence per-sender counter, increasing across restarts (newer offers win)
 * @param correlation request id a reply answers (or a request's own id), or {@code null}
 * @param body the type's fields (plain JSON values)
 */
public record Envelope(
        MessageType type,
        String sender,
        String keyFingerprint,
        String grid,
        String recipient,
        long timestamp,
        String nonce,
        long sequence,
        String correlation,
        Map<String, Object> body) {

    public static final String BROADCAST = "*";

    public Envelope {
        requireNonNull(type, "type is null");
        requireNonNull(sender, "sender is null");
        requireNonNull(keyFingerprint, "keyFingerprint is null");
        requireNonNull(grid, "grid is null");
        requireNonNull(recipient, "recipient is null");
        requireNonNull(nonce, "nonce is null");
        body = body == null ? Map.of() : body;
    }

    public String string(String field) {
        Object value = body.get(field);
        return value == null ? null : value.toString();
    }

    public long number(String field, long fallback) {
        Object value = body.get(field);
        return value instanceof Number n ? n.longValue() : fallback;
    }
}
