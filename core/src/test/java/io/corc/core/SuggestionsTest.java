package io.corc.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
    private static final List<String> KEYS = List.of("num_jobs", "num_parallel", "name", "debug");

    @Test
    void suggestsTheClosestKeyWithinASmallDistance() {
        assertThat(Suggestions.closest("num_job", KEYS)).contains("num_jobs");
        assertThat(Suggestions.closest("NUM_JOBS", KEYS)).contains("num_jobs");
        assertThat(Suggestions.closest("nmae", KEYS)).contains("name");
        assertThat(Suggestions.closest("completely_different", KEYS)).isEmpty();
    }

    @Test
    void distanceCountsSwapsAsOneEdit() {
        assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(Suggestions.distance("", "abc")).isEqualTo(3);
        assertThat(Suggestions.distance("same", "same")).isZero();
        assertThat(Suggestions.distance("nmae", "name")).isEqualTo(1);
    }
}
