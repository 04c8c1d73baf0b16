package io.corc.broker.protocol;

import java.util.Locale;

/** Why a received message was dropped; the metric label is {@link #label()}. */
public enum Rejection {
    /** Not a broker message at all (bad framing or JSON, missing fields). */
    MALFORMED,
    /** No signature. */
    UNSIGNED,
    /** Signed by a key that is not in the trust store, or by a trusted key claiming another organisation. */
    UNTRUSTED,
    /** The signature does not verify with the trusted key it names. */
    BAD_SIGNATURE,
    /** Signed for another grid. */
    WRONG_GRID,
    /** A unicast meant for another member. */
    MISDIRECTED,
    /** Timestamp further from this broker's clock than the allowed skew. */
    STALE,
    /** A (sender, nonce) this broker has already accepted within the freshness window. */
    REPLAYED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
