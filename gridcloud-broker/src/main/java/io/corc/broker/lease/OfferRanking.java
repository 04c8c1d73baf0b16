package io.corc.broker.lease;

import io.corc.broker.LeaseRequest;
import io.corc.broker.MemberOffer;
import io.corc.broker.ResourceClass;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Which peer to ask, in order, for a request the local classes could not serve: every class of another reachable
 * member's offer that fits the request, has a free unit and runs in the requested region (option {@code region}),
 * only the named member's when the request names one (option {@code member}); cheapest first, then most free units
 * (least likely to be gone by the time the reservation arrives), then lowest measured latency, then the owner's own
 * priority. Local classes come before all of these (the broker tries them first).
 */
public final class OfferRanking {
    private OfferRanking() {}

    /** A class of a member to try, with the latency last measured to that member (or {@link Long#MAX_VALUE}). */
    public record Candidate(String organisation, ResourceClass resourceClass, long latencyNanos) {}

    public static List<Candidate> rank(
            List<MemberOffer> offers,
            LeaseRequest request,
            String self,
            Predicate<String> reachable,
            ToLongFunction<String> latencyNanos) {
        String preferred = request.options().get(LeaseRequest.OPTION_MEMBER);
        List<Candidate> candidates = new ArrayList<>();
        for (MemberOffer offer : offers) {
            String member = offer.organisation();
            if (member.equals(self) || !reachable.test(member) || (preferred != null && !preferred.equals(member))) {
                continue;
            }
            for (ResourceClass c : offer.classes()) {
                if (c.available() > 0 && c.fits(request) && regionMatches(c.regions(), request)) {
                    candidates.add(new Candidate(member, c, latencyNanos.applyAsLong(member)));
                }
            }
        }
        candidates.sort(
                Comparator.comparingDouble((Candidate c) -> c.resourceClass().pricePerHour())
                        .thenComparing(c -> -c.resourceClass().available())
                        .thenComparingLong(Candidate::latencyNanos)
                        .thenComparingInt(c -> c.resourceClass().priority())
                        .thenComparing(Candidate::organisation));
        return candidates;
    }

    /** Whether a class in {@code regions} (empty: anywhere) serves the request's {@code region} option. */
    public static boolean regionMatches(List<String> regions, LeaseRequest request) {
        String region = request.options().get(LeaseRequest.OPTION_REGION);
        return region == null || regions.isEmpty() || regions.contains(region);
    }
}
