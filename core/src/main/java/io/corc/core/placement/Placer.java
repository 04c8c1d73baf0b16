package io.corc.core.placement;

import static java.util.Objects.requireNonNull;

import io.corc.api.CheckResult;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Orchestrator;
import io.corc.api.PlanChoice;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.Resource;
import io.corc.api.ResourceSpec;
import io.corc.api.StateRecord;
import io.corc.core.placement.Placement.Attempt;
import io.corc.core.placement.Placement.Candidate;
import io.corc.core.placement.Placement.Excluded;
import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code --provider auto}: gathers the offers of every installed provider (each of its {@link Orchestrator#plans},
 * per allowed region when the policy names regions and the spec none) whose check passes, leaves out what the spec, the policy or the budget rules out, ranks
 * the rest by price, then by fit, then by name, and starts them in that order. A {@link ErrorCategory#CAPACITY}
 * error (no capacity, a quota, a shape not offered there) moves on to the next candidate; any other error ends the
 * placement (the provider has rolled back what it created). Each attempt is written to a {@value #RECORD_TYPE}
 * state record as it happens.
 */
public final class Placer {
    /** State record type of placements; id {@code place-<utc stamp>-<6 random>}. */
    public static final String RECORD_TYPE = "placement";

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The order candidates are tried in: price (unknown last), fit, then provider, region and shape. */
    private static Comparator<Offer> order(ResourceSpec spec) {
        return Comparator.comparing((Offer o) -> o.hourlyPrice() == null ? 1 : 0)
                .thenComparing(o -> o.hourlyPrice() == null ? 0.0 : o.hourlyPrice())
                .thenComparing(o -> o.surplus(spec))
                .thenComparing(Offer::provider)
                .thenComparing(o -> o.region() == null ? "" : o.region())
                .thenComparing(Offer::shape);
    }

    /** An installed provider: its name and how to make its orchestrator (which may fail for a bad configuration). */
    public record Provider(String name, Supplier<Orchestrator> orchestrator) {}

    /** How a chosen candidate is started (corc adds its key and records the spend). */
    @FunctionalInterface
    public interface Starter {
        Resource start(Orchestrator orchestrator, ResourceSpec spec, Offer offer, ProgressListener progress);
    }

    private final List<Provider> providers;
    private final PlacementPolicy policy;
    private final Budgets budgets;
    private final RecordStore records;

    public Placer(List<Provider> providers, PlacementPolicy policy, Budgets budgets, RecordStore records) {
        this.providers =
                providers.stream().sorted(Comparator.comparing(Provider::name)).toList();
        this.policy = requireNonNull(policy, "policy is null");
        this.budgets = requireNonNull(budgets, "budgets is null");
        this.records = requireNonNull(records, "records is null");
    }

    /** The ranked candidates and what was left out, without creating or recording anything. */
    public Placement rank(ResourceSpec spec) {
        return gather(spec).placement(null, List.of(), null);
    }

    /** Ranks, then starts the candidates in order until one starts. */
    public Placement place(ResourceSpec spec, Starter starter, ProgressListener progress) {
        Gathered gathered = gather(spec);
        String id = newId();
        List<Attempt> attempts = new ArrayList<>();
        record(id, "placing", spec, gathered, attempts, null);
        if (gathered.ranked.isEmpty()) {
            record(id, "failed", spec, gathered, attempts, null);
            throw new PlacementException(
                    ErrorCategory.CAPACITY,
                    "no provider can place this " + spec.kind().cliName() + ": " + excludedText(gathered.excluded),
                    "'corc orchestration " + spec.kind().cliName()
                            + " plan --provider auto' shows each provider's offer or why it was left out; 'corc"
                            + " check' shows which are set up; corc.placement sets the policy",
                    null,
                    gathered.placement(id, attempts, null));
        }
        for (Candidate candidate : gathered.ranked) {
            Offer offer = candidate.offer();
            progress.onProgress(
                    "trying #" + candidate.rank() + " " + offer.provider() + " " + offer.shape(),
                    candidate.rank() - 1,
                    gathered.ranked.size());
            ResourceSpec attemptSpec = (offer.region() == null || offer.region().equals(spec.region())
                            ? spec
                            : spec.withRegion(offer.region()))
                    .withOptions(offer.startOptions());
            try {
                Resource resource =
                        starter.start(gathered.orchestrators.get(offer.provider()), attemptSpec, offer, progress);
                attempts.add(new Attempt(offer.provider(), offer.region(), offer.shape(), "started", null, null));
                record(id, "started", spec, gathered, attempts, resource);
                return gathered.placement(id, attempts, resource);
            } catch (CorcException e) {
                boolean next = e.category() == ErrorCategory.CAPACITY;
                attempts.add(new Attempt(
                        offer.provider(),
                        offer.region(),
                        offer.shape(),
                        next ? "moved on" : "stopped",
                        e.category().name(),
                        String.valueOf(e.getMessage())));
                if (!next) {
                    record(id, "failed", spec, gathered, attempts, null);
                    throw new PlacementException(
                            e.category(),
                            "placement " + id + " stopped at " + offer.provider() + " (" + offer.shape() + "): "
                                    + e.getMessage(),
                            e.hint().orElse("'corc check' shows what is wrong with " + offer.provider()),
                            e,
                            gathered.placement(id, attempts, null));
                }
                record(id, "placing", spec, gathered, attempts, null);
            } catch (RuntimeException e) { // a bug in a provider: recorded, then it ends the placement as INTERNAL
                attempts.add(new Attempt(
                        offer.provider(),
                        offer.region(),
                        offer.shape(),
                        "stopped",
                        ErrorCategory.INTERNAL.name(),
                        String.valueOf(e)));
                record(id, "failed", spec, gathered, attempts, null);
                throw new PlacementException(
                        ErrorCategory.INTERNAL,
                        "placement " + id + " stopped at " + offer.provider() + ": " + e,
                        "this is a bug in the " + offer.provider() + " provider or corc; re-run with --verbose and"
                                + " report the output",
                        e,
                        gathered.placement(id, attempts, null));
            }
        }
        record(id, "failed", spec, gathered, attempts, null);
        throw new PlacementException(
                ErrorCategory.CAPACITY,
                "placement " + id + ": no candidate could start: "
                        + String.join(
                                "; ",
                                attempts.stream()
                                        .map(a -> a.provider() + " " + a.shape() + ": " + a.message())
                                        .toList()),
                "try again later, or allow more providers or regions in corc.placement",
                null,
                gathered.placement(id, attempts, null));
    }

    private Gathered gather(ResourceSpec spec) {
        List<Excluded> excluded = new ArrayList<>();
        List<Offer> offers = new ArrayList<>();
        Map<String, Orchestrator> orchestrators = new LinkedHashMap<>();
        for (Provider provider : providers) {
            String name = provider.name();
            String ruledOut = policy.excludesProvider(name);
            if (ruledOut != null) {
                excluded.add(new Excluded(name, ruledOut));
                continue;
            }
            Orchestrator orchestrator;
            CheckResult check;
            try {
                orchestrator = provider.orchestrator().get();
                check = orchestrator.check();
            } catch (RuntimeException e) {
                excluded.add(new Excluded(name, "cannot be set up: " + e.getMessage()));
                continue;
            }
            if (!check.configured() || !check.ok()) {
                excluded.add(
                        new Excluded(name, (check.configured() ? "check failed: " : "not set up: ") + check.reason()));
                continue;
            }
            orchestrators.put(name, orchestrator);
            List<ResourceSpec> specs = spec.region() != null
                            || policy.allowedRegions().isEmpty()
                    ? List.of(spec)
                    : policy.allowedRegions().stream().map(spec::withRegion).toList();
            for (ResourceSpec regional : specs) {
                String label = name + (regional.region() == null ? "" : " (" + regional.region() + ")");
                List<PlanChoice> choices;
                try {
                    choices = orchestrator.plans(regional);
                } catch (CorcException e) {
                    excluded.add(new Excluded(label, "no offer: " + e.getMessage()));
                    continue;
                }
                for (PlanChoice choice : choices) {
                    Offer offer = Offer.of(choice, regional);
                    String reason = policy.excludes(offer);
                    if (reason == null) {
                        String budget = budgets.refusal(offer.hourlyPrice(), spec.ttl());
                        reason = budget == null ? null : "budget: " + budget;
                    }
                    if (reason != null) {
                        excluded.add(new Excluded(label, offer.shape() + ": " + reason));
                    } else {
                        offers.add(offer);
                    }
                }
            }
        }
        offers.sort(order(spec));
        List<Candidate> ranked = new ArrayList<>();
        for (int i = 0; i < offers.size(); i++) {
            ranked.add(new Candidate(i + 1, offers.get(i), why(spec, offers, i)));
        }
        return new Gathered(ranked, excluded, orchestrators);
    }

    /** Why offer {@code i} ranks where it does, compared with the one before it. */
    private static String why(ResourceSpec spec, List<Offer> offers, int i) {
        Offer offer = offers.get(i);
        String price = offer.hourlyPrice() == null ? "price unknown" : Budgets.usd(offer.hourlyPrice()) + " USD/hour";
        String fit = "surplus " + Budgets.usd(offer.surplus(spec)) + " core-equivalents over the spec";
        if (i == 0) {
            return (offer.hourlyPrice() == null ? "no offer has a known price; " : "cheapest: ") + price + ", " + fit;
        }
        Offer before = offers.get(i - 1);
        if (offer.hourlyPrice() == null) {
            return before.hourlyPrice() == null
                    ? "price unknown like #" + i + "; " + fit
                    : "price unknown: after every priced offer; " + fit;
        }
        if (offer.hourlyPrice() > before.hourlyPrice()) {
            return price + ", " + Budgets.usd(offer.hourlyPrice() - before.hourlyPrice()) + " more than #" + i + "; "
                    + fit;
        }
        if (offer.surplus(spec) > before.surplus(spec)) {
            return "same price as #" + i + " (" + price + "), looser fit: " + fit;
        }
        return "same price and fit as #" + i + " (" + price + "); ordered by provider, region, shape";
    }

    private void record(
            String id, String status, ResourceSpec spec, Gathered gathered, List<Attempt> attempts, Resource resource) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("kind", spec.kind().cliName());
        data.put("name", spec.name());
        data.put("min_cores", spec.minCores());
        data.put("min_memory_gb", spec.minMemoryGb());
        data.put("gpus", spec.gpus().count());
        data.put("spot", spec.spot());
        data.put("ranked", gathered.ranked.stream().map(Placer::candidateData).toList());
        data.put(
                "excluded",
                gathered.excluded.stream()
                        .map(e -> Map.<String, Object>of("provider", e.provider(), "reason", e.reason()))
                        .toList());
        data.put("attempts", attempts.stream().map(Placer::attemptData).toList());
        if (resource != null) {
            data.put("resource_id", resource.id());
            data.put("provider", resource.provider());
        }
        records.update(
                RECORD_TYPE,
                id,
                old -> old == null
                        ? StateRecord.create(RECORD_TYPE, id, status, data)
                        : new StateRecord(RECORD_TYPE, id, status, data, old.createdAt(), java.time.Instant.now()));
    }

    /** A candidate as plain values (for the state record and JSON output). */
    public static Map<String, Object> candidateData(Candidate candidate) {
        Offer offer = candidate.offer();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("rank", candidate.rank());
        data.put("provider", offer.provider());
        data.put("region", offer.region());
        data.put("shape", offer.shape());
        data.put("cores", offer.cores());
        data.put("memory_gb", offer.memoryGb());
        data.put("gpus", offer.gpus());
        data.put("hourly_price", offer.hourlyPrice());
        data.put("spot", offer.spot());
        data.put("why", candidate.why());
        return data;
    }

    /** An attempt as plain values. */
    public static Map<String, Object> attemptData(Attempt attempt) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("provider", attempt.provider());
        data.put("region", attempt.region());
        data.put("shape", attempt.shape());
        data.put("outcome", attempt.outcome());
        data.put("category", attempt.category());
        data.put("error", attempt.message());
        return data;
    }

    private static String excludedText(List<Excluded> excluded) {
        return excluded.isEmpty()
                ? "no provider is installed"
                : String.join(
                        "; ",
                        excluded.stream()
                                .map(e -> e.provider() + ": " + e.reason())
                                .toList());
    }

    private static String newId() {
        String chars = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder id = new StringBuilder("place-")
                .append(ZonedDateTime.now(ZoneOffset.UTC).format(STAMP))
                .append('-');
        for (int i = 0; i < 6; i++) {
            id.append(chars.charAt(RANDOM.nextInt(chars.length())));
        }
        return id.toString();
    }

    private record Gathered(List<Candidate> ranked, List<Excluded> excluded, Map<String, Orchestrator> orchestrators) {
        Placement placement(String id, List<Attempt> attempts, Resource resource) {
            return new Placement(id, ranked, excluded, attempts, resource);
        }
    }
}
