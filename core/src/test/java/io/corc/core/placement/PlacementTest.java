package io.corc.core.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.ProgressListener;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.api.StateRecord;
import io.corc.core.Corc;
import io.corc.core.gc.GcItem;
import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --provider auto} against three scripted providers: ranking, fail-over, stopping, dry run, policy. */
class PlacementTest {
    @TempDir
    Path home;

    @TempDir
    Path pluginDir;

    private URLClassLoader loader;

    @BeforeEach
    void scripts() throws IOException {
        ScriptedProviders.reset();
        ScriptedProviders.script("alpha").price(0.30).region("a-1");
        ScriptedProviders.script("beta").price(0.10).region("b-1");
        ScriptedProviders.script("gamma").price(0.20).region("g-1");
        loader = ScriptedProviders.loader(pluginDir);
    }

    @AfterEach
    void close() throws IOException {
        loader.close();
        ScriptedProviders.reset();
    }

    @Test
    void theCheapestOfferWinsAndOnlyItIsStarted() throws IOException {
        Placement placement = corc("").place(spec(), ProgressListener.NONE);

        assertThat(placement.resource().provider()).isEqualTo("beta");
        assertThat(placement.ranked().stream().map(c -> c.offer().provider()))
                .containsExactly("beta", "gamma", "alpha");
        assertThat(placement.attempts()).singleElement().satisfies(a -> assertThat(a.outcome())
                .isEqualTo("started"));
        assertThat(ScriptedProviders.CALLS.stream().filter(c -> c.startsWith("start")))
                .containsExactly("start beta b-1");
        assertThat(placement.excluded())
                .anySatisfy(e -> assertThat(e.provider()).isEqualTo("local"));
    }

    @Test
    void aCapacityErrorMovesOnToTheNextCandidateAndBothAttemptsAreRecorded() throws IOException {
        ScriptedProviders.script("beta").failsStart(ErrorCategory.CAPACITY, "InsufficientInstanceCapacity in b-1");
        Corc corc = corc("");

        Placement placement = corc.place(spec(), ProgressListener.NONE);

        assertThat(placement.resource().provider()).isEqualTo("gamma");
        assertThat(placement.attempts())
                .extracting(Placement.Attempt::provider, Placement.Attempt::outcome, Placement.Attempt::category)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("beta", "moved on", "CAPACITY"),
                        org.assertj.core.groups.Tuple.tuple("gamma", "started", null));
        StateRecord record =
                corc.records().get(Placer.RECORD_TYPE, placement.id()).orElseThrow();
        assertThat(record.status()).isEqualTo("started");
        assertThat(record.string("resource_id")).isEqualTo(placement.resource().id());
        assertThat((List<?>) record.data().get("attempts")).hasSize(2);
        assertThat(record.data().get("attempts").toString()).contains("InsufficientInstanceCapacity in b-1");
    }

    @Test
    void anAuthenticationErrorStopsThePlacementWithoutTryingTheRest() throws IOException {
        ScriptedProviders.script("beta").failsStart(ErrorCategory.AUTHENTICATION, "AuthFailure");
        Corc corc = corc("");

        assertThatThrownBy(() -> corc.place(spec(), ProgressListener.NONE))
                .isInstanceOfSatisfying(PlacementException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.AUTHENTICATION);
                    assertThat(e.getMessage()).contains("stopped at beta", "AuthFailure");
                    assertThat(e.placement().attempts()).singleElement().satisfies(a -> assertThat(a.outcome())
                            .isEqualTo("stopped"));
                    StateRecord record = corc.records()
                            .get(Placer.RECORD_TYPE, e.placement().id())
                            .orElseThrow();
                    assertThat(record.status()).isEqualTo("failed");
                });
        assertThat(ScriptedProviders.CALLS.stream().filter(c -> c.startsWith("start")))
                .containsExactly("start beta b-1");
    }

    @Test
    void aProviderBugStopsThePlacementAsInternalAndIsRecorded() throws IOException {
        ScriptedProviders.script("beta").failsWithBug();
        Corc corc = corc("");

        assertThatThrownBy(() -> corc.place(spec(), ProgressListener.NONE))
                .isInstanceOfSatisfying(PlacementException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INTERNAL);
                    assertThat(corc.records()
                                    .get(Placer.RECORD_TYPE, e.placement().id())
                                    .orElseThrow()
                                    .status())
                            .isEqualTo("failed");
                });
        assertThat(ScriptedProviders.CALLS.stream().filter(c -> c.startsWith("start")))
                .containsExactly("start beta b-1");
    }

    @Test
    void whenEveryCandidateIsFullTheErrorIsCapacityAndNamesEachAttempt() throws IOException {
        Stream.of("alpha", "beta", "gamma")
                .forEach(p -> ScriptedProviders.script(p).failsStart(ErrorCategory.CAPACITY, p + " is full"));

        assertThatThrownBy(() -> corc("").place(spec(), ProgressListener.NONE))
                .isInstanceOfSatisfying(PlacementException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY);
                    assertThat(e.getMessage()).contains("beta is full", "gamma is full", "alpha is full");
                    assertThat(e.hint()).isPresent();
                });
    }

    @Test
    void aDryRunRanksWithoutStartingOrRecordingAnything() throws IOException {
        Corc corc = corc("");

        Placement placement = corc.rankPlacement(spec());

        assertThat(placement.id()).isNull();
        assertThat(placement.choice().offer().provider()).isEqualTo("beta");
        assertThat(ScriptedProviders.CALLS).allMatch(c -> c.startsWith("plan"));
        try (Stream<Path> files = Files.walk(home.resolve("state"))) {
            assertThat(files.filter(Files::isRegularFile)
                            .filter(f -> !f.getFileName().toString().startsWith(".")))
                    .isEmpty();
        }
    }

    @Test
    void theRankingIsStableAndEachPlaceIsExplained() throws IOException {
        ScriptedProviders.script("alpha").price(0.10).shape("big", 8, 32);
        ScriptedProviders.script("beta").price(0.10).shape("small", 2, 4);
        ScriptedProviders.script("gamma").price(null);
        Corc corc = corc("");

        Placement first = corc.rankPlacement(spec());
        Placement again = corc.rankPlacement(spec());

        assertThat(first.ranked()).isEqualTo(again.ranked());
        assertThat(first.ranked())
                .extracting(c -> c.offer().provider(), Placement.Candidate::why)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "beta", "cheapest: 0.1 USD/hour, surplus 0 core-equivalents over the spec"),
                        org.assertj.core.groups.Tuple.tuple(
                                "alpha",
                                "same price as #1 (0.1 USD/hour), looser fit: surplus 13 core-equivalents over the"
                                        + " spec"),
                        org.assertj.core.groups.Tuple.tuple(
                                "gamma",
                                "price unknown: after every priced offer; surplus 0 core-equivalents over the spec"));
    }

    @Test
    void thePolicyLimitsProvidersRegionsAndPrice() throws IOException {
        Corc corc = corc("""
                corc:
                  placement:
                    allowed_providers: [alpha, gamma]
                    allowed_regions: [eu-1, eu-2]
                    max_hourly_price: 0.25
                """);

        Placement placement = corc.rankPlacement(spec());

        assertThat(placement.ranked())
                .extracting(c -> c.offer().provider() + " " + c.offer().region())
                .containsExactly("gamma eu-1", "gamma eu-2");
        assertThat(placement.excluded())
                .extracting(e -> e.provider() + ": " + e.reason())
                .contains(
                        "beta: not in corc.placement.allowed_providers [alpha, gamma]",
                        "alpha (eu-1): s1: 0.3 USD/hour is over corc.placement.max_hourly_price (0.25)");
        assertThat(corc.place(spec(), ProgressListener.NONE).resource().provider())
                .isEqualTo("gamma");
        assertThat(ScriptedProviders.CALLS).contains("start gamma eu-1");
    }

    @Test
    void providersWhoseCheckFailsOrThatCannotPlanAreLeftOutWithTheReason() throws IOException {
        ScriptedProviders.script("beta").failsCheck("expired token");
        ScriptedProviders.script("gamma").failsPlan(ErrorCategory.CAPACITY);

        Placement placement = corc("").rankPlacement(spec());

        assertThat(placement.ranked()).extracting(c -> c.offer().provider()).containsExactly("alpha");
        assertThat(placement.excluded())
                .extracting(e -> e.provider() + ": " + e.reason())
                .contains("beta: check failed: expired token", "gamma: no offer: gamma cannot plan this");
    }

    @Test
    void aBudgetCapRefusesDirectStartsAndLeavesOutOffersThatWouldBreakIt() throws IOException {
        Corc corc = corc("""
                corc:
                  budgets:
                    users: {alice: {max_hourly_usd: 0.25}}
                """);

        assertThatThrownBy(() -> corc.start("alpha", spec(), ProgressListener.NONE))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY);
                    assertThat(e.getMessage())
                            .contains("budget", "user alice", "0.3 USD/hour", "corc.budgets.users.alice");
                    assertThat(e.hint().orElseThrow()).contains("corc status");
                });
        assertThat(ScriptedProviders.CALLS).noneMatch(c -> c.startsWith("start"));

        corc.start("beta", spec(), ProgressListener.NONE); // 0.1/h: fits
        Placement placement = corc.rankPlacement(spec()); // 0.1 more fits, 0.2 and 0.3 more do not
        assertThat(placement.ranked()).extracting(c -> c.offer().provider()).containsExactly("beta");
        assertThat(placement.excluded()).anySatisfy(e -> assertThat(e.reason()).contains("budget: user alice"));
    }

    @Test
    void spendIsPriceTimesHoursFromTheSpendRecordsAndATotalCapCountsTheTtl() throws IOException {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        String config = """
                corc:
                  budgets:
                    user: alice
                    project: physics
                    projects: {physics: {max_total_usd: 1.0}}
                """;
        Path file = home.resolve("config.yaml");
        Files.writeString(file, config);
        Corc atStart = builder()
                .configFile(file)
                .clock(Clock.fixed(t0, ZoneOffset.UTC))
                .build();
        atStart.start("beta", spec("one"), ProgressListener.NONE); // 0.10/h
        atStart.start("gamma", spec("two"), ProgressListener.NONE); // 0.20/h
        Corc twoHoursLater = builder()
                .configFile(file)
                .clock(Clock.fixed(t0.plus(Duration.ofHours(2)), ZoneOffset.UTC))
                .build();
        twoHoursLater.stop("beta", ResourceKind.INSTANCE, "beta-one", ProgressListener.NONE);
        Corc threeHoursLater = builder()
                .configFile(file)
                .clock(Clock.fixed(t0.plus(Duration.ofHours(3)), ZoneOffset.UTC))
                .build();

        Budgets.Spend spend = threeHoursLater.budgets().spend().get(0);
        assertThat(spend.cap().label()).isEqualTo("project physics");
        assertThat(spend.hourlyUsd()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(spend.totalUsd()).isCloseTo(0.2 + 0.6, org.assertj.core.data.Offset.offset(1e-9));
        // 0.8 spent + 0.3 x 1 h (no --ttl: the first hour) > 1.0
        assertThatThrownBy(() -> threeHoursLater.start("alpha", spec("three"), ProgressListener.NONE))
                .isInstanceOfSatisfying(CorcException.class, e -> assertThat(e.getMessage())
                        .contains("project physics would reach 1.1 USD"));
        // 0.8 + 0.1 x 1 h fits
        threeHoursLater.start("beta", spec("four"), ProgressListener.NONE);
    }

    @Test
    void gcListsAndStopsResourcesWhoseTtlRanOut() throws IOException {
        Corc corc = corc("");
        ResourceSpec withTtl = new ResourceSpec(
                "short",
                ResourceKind.INSTANCE,
                1,
                1,
                null,
                null,
                null,
                null,
                null,
                false,
                Duration.ofHours(2),
                null,
                null,
                null);
        corc.start("beta", withTtl, ProgressListener.NONE);
        corc.start("beta", spec("long"), ProgressListener.NONE);
        assertThat(corc.collectGarbage(false)).isEmpty();

        ScriptedProviders.Scripted.expire(
                corc.records(), "beta", "beta-short", Instant.now().minusSeconds(60));
        List<GcItem> found = corc.collectGarbage(false);
        assertThat(found).singleElement().satisfies(item -> {
            assertThat(item.id()).isEqualTo("beta-short");
            assertThat(item.reason()).contains("time to live ran out");
        });
        assertThat(corc.collectGarbage(true)).isEmpty();

        assertThat(ScriptedProviders.CALLS).contains("stop beta beta-short").doesNotContain("stop beta beta-long");
        assertThat(corc.records()
                        .get(Budgets.RECORD_TYPE, "beta-short")
                        .orElseThrow()
                        .string("stopped_at"))
                .isNotNull();
        assertThat(corc.collectGarbage(false)).isEmpty();
    }

    private Corc corc(String config) throws IOException {
        Corc.Builder builder = builder();
        if (!config.isEmpty()) {
            Path file = home.resolve("config.yaml");
            Files.writeString(file, config);
            builder.configFile(file);
        }
        return builder.build();
    }

    private Corc.Builder builder() {
        return Corc.builder().home(home).environment(Map.of("USER", "alice")).classLoader(loader);
    }

    private static ResourceSpec spec() {
        return spec("box");
    }

    private static ResourceSpec spec(String name) {
        return new ResourceSpec(
                name, ResourceKind.INSTANCE, 2, 4, null, null, null, null, null, false, null, null, null, null);
    }
}
