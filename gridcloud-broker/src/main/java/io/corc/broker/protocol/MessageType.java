package io.corc.broker.protocol;

/**
 * The application messages of the broker protocol. {@link #OFFER} is the only broadcast; every other message is a
 * unicast between a requester and the owner it chose, so the messages one request costs do not depend on how many
 * brokers the grid has.
 */
public enum MessageType {
    /** Broadcast: the sender's shareable resource classes with what is free, valid until {@code expires}. */
    OFFER,
    /** Requester -> owner: hold one unit of a class for me (phase 1); answered GRANTED (RESERVED) or REFUSED. */
    RESERVE,
    /** Requester -> owner: orchestrate the reserved unit with my key (phase 2); answered GRANTED (ACTIVE) or REFUSED. */
    CONFIRM,
    /** Requester -> owner: extend an active lease; answered GRANTED or REFUSED. */
    RENEW,
    /** Requester -> owner: give a lease back (the owner tears down); answered GRANTED (RELEASED) or REFUSED. */
    RELEASE,
    /**
     * Owner -> requester: a lease ended at the owner without the requester asking (it expired, or the owner's broker
     * stopped) and its resource was torn down; not answered.
     */
    ENDED,
    /** Owner -> requester: the lease as the owner now has it. */
    GRANTED,
    /** Owner -> requester: the operation was refused, with a reason. */
    REFUSED;

    /** Whether the message answers another (and carries its correlation id). */
    public boolean isReply() {
        return this == GRANTED || this == REFUSED;
    }
}
