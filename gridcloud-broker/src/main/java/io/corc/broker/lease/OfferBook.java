package io.corc.broker.lease;

import io.corc.broker.MemberOffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest valid offer of every member, as this broker received them. Each organisation is the only writer of its
 * own entry (the guard has checked the signature against that organisation's key); an offer with a sequence not
 * above the stored one is ignored, and an expired offer is never returned, so a crashed member's offers fade away
 * after their TTL even before the view drops it.
 */
public final class OfferBook {
    private final Clock clock;
    private final Map<String, MemberOffer> offers = new ConcurrentHashMap<>();

    public OfferBook(Clock clock) {
        this.clock = clock;
    }

    /** Stores {@code offer} when it is newer than the member's stored one; returns whether it was stored. */
    public boolean put(MemberOffer offer) {
        if (!offer.expires().isAfter(clock.instant())) {
            return false;
        }
        boolean[] stored = {false};
        offers.compute(offer.organisation(), (org, old) -> {
            if (old == null
                    || offer.sequence() > old.sequence()
                    || old.expires().isBefore(clock.instant())) {
                stored[0] = true;
                return offer;
            }
            return old;
        });
        return stored[0];
    }

    public void remove(String organisation) {
        offers.remove(organisation);
    }

    /** Drops every member's offer except those named. */
    public void retainOnly(Collection<String> organisations) {
        offers.keySet().retainAll(organisations);
    }

    /** Unexpired offers; expired ones are dropped on the way. */
    public List<MemberOffer> current() {
        var now = clock.instant();
        offers.values().removeIf(o -> !o.expires().isAfter(now));
        return new ArrayList<>(offers.values());
    }
}
