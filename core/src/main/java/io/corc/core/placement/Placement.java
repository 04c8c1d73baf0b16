package io.corc.core.placement;

import io.corc.api.Resource;
import java.util.List;

/**
 * What {@code --provider auto} considered and did.
 *
 * @param id the placement's id (its {@value Placer#RECORD_TYPE} state record), {@code null} for a dry run
 * @param ranked the candidates in the order they are (or would be) tried
 * @param excluded providers and offers left out, with why
 * @param attempts the starts tried, in order; empty for a dry run
 * @param resource the resource started, {@code null} for a dry run
 */
public record Placement(
        String id, List<Candidate> ranked, List<Excluded> excluded, List<Attempt> attempts, Resource resource) {

    public Placement {
        ranked = List.copyOf(ranked);
        excluded = List.copyOf(excluded);
        attempts = List.copyOf(attempts);
    }

    /** The candidate tried first, or {@code null} when there is none. */
    public Candidate choice() {
        return ranked.isEmpty() ? null : ranked.get(0);
    }

    /**
     * One ranked offer.
     *
     * @param rank 1 is tried first
     * @param offer what the provider offered
     * @param why why it ranks here, in plain words
     */
    public record Candidate(int rank, Offer offer, String why) {}

    /**
     * A provider or offer left out.
     *
     * @param provider provider name
     * @param reason why
     */
    public record Excluded(String provider, String reason) {}

    /**
     * One start tried.
     *
     * @param provider provider name
     * @param region the offer's region
     * @param shape the offer's shape
     * @param outcome {@code started}, {@code moved on} (a capacity, quota or unsupported-shape error) or
     *     {@code stopped} (any other error ends the placement)
     * @param category the error's category, {@code null} when started
     * @param message the error, {@code null} when started
     */
    public record Attempt(
            String provider, String region, String shape, String outcome, String category, String message) {}
}
