package io.corc.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.ProgressListener;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.api.StateRecord;
import io.corc.core.Corc;
import io.corc.core.gc.GcItem;
import io.corc.core.gc.StartIntents;
import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several offers per provider ranked together, the budget checked and reserved under the state store's lock, and
 * {@code corc gc} finishing what a dead start left (its {@link StartIntents} record).
 */
class OffersBudgetLockAndIntentsTest {
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
    void everyOfferOfEveryProviderIsRankedTogetherAndTheChosenShapeIsTheOneStarted() throws IOException {
        ScriptedProviders.script("alpha").alsoOffers("a-cheap", 2, 4, 0.05).alsoOffers("a-big", 8, 32, 0.15);
        ScriptedProviders.script("beta").alsoOffers("b-loose", 4, 16, 0.10);

        Placement ranked = corc("").rankPlacement(spec());

        assertThat(ranked.ranked())
                .extracting(c -> c.offer().provider() + "/" + c.offer().shape())
                .containsExactly("alpha/a-cheap", "beta/s1", "beta/b-loose", "alpha/a-big", "gamma/s1", "alpha/s1");
        assertThat(ranked.ranked().get(2).why()).contains("same price as #2", "looser fit");

        ScriptedProviders.script("alpha").failsStart(ErrorCategory.CAPACITY, "a-cheap is full");
        Placement placed = corc("").place(spec(), ProgressListener.NONE);

        assertThat(placed.attempts())
                .extracting(a -> a.provider() + "/" + a.shape() + " " + a.outcome())
                .containsExactly("alpha/a-cheap moved on", "beta/s1 started");
        assertThat(ScriptedProviders.script("alpha").startedShapes).containsExactly("a-cheap");
        assertThat(ScriptedProviders.script("beta").startedShapes).containsExactly("s1");
    }

    @Test
    void twoSimultaneousStartsCannotBothPassACapThatOnlyOneFits() throws Exception {
        ScriptedProviders.script("beta").slowStart(500);
        String config = """
                corc:
                  budgets:
                    users: {alice: {max_hourly_usd: 0.15}}
                """;
        corc(config); // writes the file
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> outcomes = new ArrayList<>();
        try {
            for (String name : List.of("one", "two")) {
                Corc corc = corc(config); // one facade each, as two CLI processes would have
                outcomes.add(pool.submit(() -> {
                    go.await();
                    try {
                        Resource started = corc.start("beta", spec(name), ProgressListener.NONE);
                        return "started " + started.id();
                    } catch (CorcException e) {
                        return e.category() + " " + e.getMessage();
                    }
                }));
            }
            go.countDown();
            List<String> results = new ArrayList<>();
            for (Future<String> outcome : outcomes) {
                results.add(outcome.get(30, TimeUnit.SECONDS));
            }

            assertThat(results).filteredOn(r -> r.startsWith("started")).hasSize(1);
            assertThat(results)
                    .filteredOn(r -> r.startsWith(ErrorCategory.CAPACITY.name()))
                    .singleElement()
                    .satisfies(r -> assertThat(r).contains("budget", "user alice", "0.2 USD/hour"));
            // the refused start never reached the provider; the other's reservation became its spend record
            assertThat(ScriptedProviders.CALLS.stream().filter(c -> c.startsWith("start")))
                    .hasSize(1);
            assertThat(corc(config).budgets().records()).singleElement().satisfies(r -> assertThat(r.status())
                    .isEqualTo("running"));
            assertThat(corc(config).records().list(StartIntents.RECORD_TYPE)).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aReservationOfADeadProcessNoLongerCounts() throws Exception {
        String config = """
                corc:
                  budgets:
                    users: {alice: {max_hourly_usd: 0.15}}
                """;
        Corc corc = corc(config);
        long deadPid = deadPid();
        corc.records()
                .put(StateRecord.create(
                        Budgets.RECORD_TYPE,
                        "reserve-dead",
                        Budgets.RESERVED,
                        Map.of(
                                "provider",
                                "beta",
                                "hourly_price",
                                0.1,
                                "user",
                                "alice",
                                "project",
                                "",
                                "started_at",
                                Instant.now().toString(),
                                "pid",
                                deadPid)));

        Resource started = corc.start("beta", spec("after"), ProgressListener.NONE);

        assertThat(started.provider()).isEqualTo("beta");
        assertThat(ScriptedProviders.CALLS).anyMatch(c -> c.startsWith("start beta"));
    }

    @Test
    void gcStopsWhatAStartWhoseProcessDiedHadStartedAndRemovesItsIntent() throws Exception {
        Corc corc = corc("");
        Resource orphan = corc.start("beta", spec("orphan"), ProgressListener.NONE);
        corc.start("beta", spec("kept"), ProgressListener.NONE);
        // what a kill -9 after the provider's start returned leaves: an intent naming the resource, its process gone
        corc.records()
                .put(StateRecord.create(
                        StartIntents.RECORD_TYPE,
                        "start-dead",
                        "started",
                        Map.of(
                                "provider", "beta",
                                "kind", "instance",
                                "pid", deadPid(),
                                "started_at", Instant.now().toString(),
                                "resource_id", orphan.id())));
        // a start that is still running (this process) is left alone
        corc.records()
                .put(StateRecord.create(
                        StartIntents.RECORD_TYPE,
                        "start-live",
                        "starting",
                        Map.of(
                                "provider",
                                "beta",
                                "kind",
                                "instance",
                                "pid",
                                ProcessHandle.current().pid(),
                                "started_at",
                                Instant.now().toString())));

        List<GcItem> found = corc.collectGarbage(false);

        assertThat(found).extracting(GcItem::id).containsExactly(orphan.id(), "start-dead");
        assertThat(found.get(0).reason()).contains("start was interrupted");
        assertThat(corc.collectGarbage(true)).isEmpty();
        assertThat(ScriptedProviders.CALLS).contains("stop beta " + orphan.id()).doesNotContain("stop beta beta-kept");
        assertThat(corc.records().list(StartIntents.RECORD_TYPE))
                .extracting(StateRecord::id)
                .containsExactly("start-live");
        assertThat(corc.collectGarbage(false)).isEmpty();
    }

    @Test
    void aDeadStartThatHadNotNamedItsResourceYetOwnsTheRunningOnesWithoutASpendRecordMadeSince() throws Exception {
        Corc corc = corc("");
        Resource before = corc.start("beta", spec("before"), ProgressListener.NONE); // finished earlier: has spend
        Instant intentStart = Instant.now(); // within the clock slack of 'before': only its spend record spares it
        // what a kill between the provider's start returning and the intent naming it leaves: the provider's
        // running resource, no spend record, an intent without resource id whose process is gone
        corc.orchestrator("beta", ResourceKind.INSTANCE).start(spec("unnamed"), ProgressListener.NONE);
        corc.records()
                .put(StateRecord.create(
                        StartIntents.RECORD_TYPE,
                        "start-unnamed",
                        "starting",
                        Map.of(
                                "provider",
                                "beta",
                                "kind",
                                "instance",
                                "pid",
                                deadPid(),
                                "started_at",
                                intentStart.toString())));

        assertThat(corc.collectGarbage(false)).extracting(GcItem::id).containsExactly("beta-unnamed", "start-unnamed");
        assertThat(corc.collectGarbage(true)).isEmpty();
        assertThat(ScriptedProviders.CALLS)
                .contains("stop beta beta-unnamed")
                .doesNotContain("stop beta " + before.id());
    }

    @Test
    void gcStopsAResourceIdleLongerThanItsIdleStopByTheActivityCorcRecorded() throws IOException {
        Corc corc = corc("");
        ResourceSpec idle = new ResourceSpec(
                "idle",
                ResourceKind.INSTANCE,
                1,
                1,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                null,
                null,
                Map.of(Corc.IDLE_STOP_OPTION, "1800"));
        Resource resource = corc.start("beta", idle, ProgressListener.NONE);
        StateRecord recorded =
                corc.records().get(AutoStop.IDLE_RECORD_TYPE, resource.id()).orElseThrow();
        assertThat(((Number) recorded.data().get("idle_seconds")).longValue()).isEqualTo(1800L);
        assertThat(corc.collectGarbage(false)).isEmpty();

        corc.records()
                .update(
                        AutoStop.IDLE_RECORD_TYPE,
                        resource.id(),
                        r -> r.with(
                                "last_activity",
                                Instant.now().minusSeconds(1801).toString()));
        assertThat(corc.collectGarbage(false)).singleElement().satisfies(item -> assertThat(item.reason())
                .contains("idle for longer than its --idle-stop"));
        assertThat(corc.collectGarbage(true)).isEmpty();
        assertThat(ScriptedProviders.CALLS).contains("stop beta " + resource.id());
    }

    private static long deadPid() throws Exception {
        Process process = new ProcessBuilder("true").start();
        process.waitFor();
        return process.pid();
    }

    private Corc corc(String config) throws IOException {
        Corc.Builder builder =
                Corc.builder().home(home).environment(Map.of("USER", "alice")).classLoader(loader);
        if (!config.isEmpty()) {
            Path file = home.resolve("config.yaml");
            Files.writeString(file, config);
            builder.configFile(file);
        }
        return builder.build();
    }

    private static ResourceSpec spec() {
        return spec("box");
    }

    private static ResourceSpec spec(String name) {
        return new ResourceSpec(
                name, ResourceKind.INSTANCE, 2, 4, null, null, null, null, null, false, null, null, null, null);
    }
}
