package io.corc.broker.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.broker.LeaseRequest;
import io.corc.broker.MemberOffer;
import io.corc.broker.ResourceClass;
import io.corc.broker.lease.OfferRanking.Candidate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OfferRankingTest {
    private static final LeaseRequest FOUR_CORES =
            new LeaseRequest(4, 0, 0, null, Duration.ofHours(1), null, "u", Map.of());
    private static final Map<String, Long> LATENCY = Map.of("near", 1_000L, "far", 9_000L);

    @Test
    void cheapestFirstThenMostFreeUnitsThenLowestLatency() {
        List<MemberOffer> offers = List.of(
                offer("far", unit("far-cheap", 8, 1, 0.5), unit("far-full", 8, 0, 0.1)),
                offer("near", unit("near-cheap", 4, 1, 0.5), unit("near-dear", 16, 9, 2.0)),
                offer("wide", unit("wide-cheap", 4, 3, 0.5), unit("wide-small", 2, 5, 0.0)),
                offer("self", unit("mine", 64, 9, 0.0)),
                offer("gone", unit("gone-free", 64, 9, 0.0)));

        List<Candidate> ranked = OfferRanking.rank(
                offers, FOUR_CORES, "self", m -> !m.equals("gone"), m -> LATENCY.getOrDefault(m, Long.MAX_VALUE));

        assertThat(ranked)
                .extracting(c -> c.resourceClass().name())
                .containsExactly("wide-cheap", "near-cheap", "far-cheap", "near-dear");
    }

    @Test
    void theMemberAndRegionOptionsNarrowTheChoice() {
        List<MemberOffer> offers =
                List.of(offer("near", unit("eu", 4, 1, 1.0, "eu-1")), offer("far", unit("us", 4, 1, 0.1, "us-1")));

        assertThat(OfferRanking.rank(
                        offers, FOUR_CORES.withOptions(Map.of("member", "near")), "self", m -> true, m -> 0))
                .extracting(Candidate::organisation)
                .containsExactly("near");
        assertThat(OfferRanking.rank(
                        offers, FOUR_CORES.withOptions(Map.of("region", "eu-1")), "self", m -> true, m -> 0))
                .extracting(c -> c.resourceClass().name())
                .containsExactly("eu");
        assertThat(OfferRanking.rank(offers, FOUR_CORES, "self", m -> true, m -> 0))
                .extracting(c -> c.resourceClass().name())
                .containsExactly("us", "eu");
    }

    private static ResourceClass unit(String name, int cores, int available, double price, String... regions) {
        return new ResourceClass(name, cores, 16, 0, null, available, price, 0, List.of(regions), Duration.ofHours(2));
    }

    private static MemberOffer offer(String organisation, ResourceClass... classes) {
        return new MemberOffer(
                organisation, "SHA256:x", 1, Instant.now(), Instant.now().plusSeconds(30), List.of(classes));
    }
}
