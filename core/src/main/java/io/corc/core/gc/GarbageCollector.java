package io.corc.core.gc;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.Orchestrator;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.Resource;
import io.corc.api.ResourceState;
import io.corc.api.StateRecord;
import io.corc.core.job.AbandonedJob;
import io.corc.core.job.JobService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds and removes what a crash or a hand-deleted directory left behind: jobs whose submission never finished,
 * jobs their scheduler forgot, and resources that failed; and resources whose time to live ({@code --ttl}, their
 * {@link Resource#expiresAt()}) ran out. Finding has no side effects; only {@link #apply} acts,
 * and every action is the same idempotent call the normal commands make.
 */
public final class GarbageCollector {
    /** A submission younger than this may still be running in another process. */
    public static final Duration SUBMISSION_GRACE = Duration.ofMinutes(10);

    /** State record type of {@code --idle-stop} (written by {@code AutoStop}); id = the resource id. */
    public static final String IDLE_RECORD_TYPE = "idle-stop";

    /** A resource created this long before its dead start's intent was written may still be that start's. */
    private static final Duration CLOCK_SLACK = Duration.ofSeconds(2);

    private final JobService jobs;
    private final List<Orchestrator> orchestrators;
    private final RecordStore records;
    /** Intent id -> the resource ids found for it by the last {@link #find}; an intent stays while one is left. */
    private final Map<String, List<String>> intentResources = new HashMap<>();

    public GarbageCollector(JobService jobs, List<Orchestrator> orchestrators) {
        this(jobs, orchestrators, null);
    }

    /**
     * With {@code records}, also finds what interrupted starts ({@link StartIntents}) left and resources idle past
     * their {@code --idle-stop}.
     */
    public GarbageCollector(JobService jobs, List<Orchestrator> orchestrators, RecordStore records) {
        this.jobs = requireNonNull(jobs, "jobs is null");
        this.orchestrators = List.copyOf(orchestrators);
        this.records = records;
    }

    /** What {@link #apply} would remove, now. */
    public List<GcItem> find(Instant now) {
        List<GcItem> items = new ArrayList<>();
        for (AbandonedJob job : jobs.abandoned(now.minus(SUBMISSION_GRACE))) {
            String action = job.submissionUnfinished()
                    ? "delete its staged files and its record"
                    : "delete its staged inputs and its record; its results stay";
            items.add(new GcItem(JobService.RECORD_TYPE, job.id(), job.reason(), action));
        }
        List<StateRecord> intents = records == null ? List.of() : new StartIntents(records).all();
        List<StateRecord> dead =
                intents.stream().filter(i -> !StartIntents.alive(i)).toList();
        intentResources.clear();
        for (Orchestrator orchestrator : orchestrators) {
            String kind = orchestrator.provider() + " " + orchestrator.kind().cliName();
            Set<String> listed = new HashSet<>();
            List<Resource> resources = orchestrator.list();
            for (Resource resource : resources) {
                if (resource.state() == ResourceState.FAILED) {
                    listed.add(resource.id());
                    items.add(new GcItem(
                            kind,
                            resource.id(),
                            "the resource failed" + detail(resource),
                            "stop it and remove what corc created for it"));
                } else if (resource.expiresAt() != null
                        && !resource.expiresAt().isAfter(now)
                        && resource.state() != ResourceState.STOPPED) {
                    listed.add(resource.id());
                    items.add(new GcItem(
                            kind,
                            resource.id(),
                            "its time to live ran out at " + resource.expiresAt() + " (--ttl)",
                            "stop it and remove what corc created for it"));
                } else if (idleSince(resource, now) != null) {
                    listed.add(resource.id());
                    items.add(new GcItem(
                            kind,
                            resource.id(),
                            "idle for longer than its --idle-stop: " + idleSince(resource, now),
                            "stop it and remove what corc created for it"));
                }
            }
            for (StateRecord intent : dead) {
                if (!orchestrator.provider().equals(intent.string("provider"))
                        || !orchestrator.kind().cliName().equals(intent.string("kind"))) {
                    continue;
                }
                List<String> owned = intentResources.computeIfAbsent(intent.id(), k -> new ArrayList<>());
                for (Resource resource : orphansOf(intent, resources, intents)) {
                    owned.add(resource.id());
                    if (listed.add(resource.id())) {
                        items.add(new GcItem(
                                kind,
                                resource.id(),
                                "its start was interrupted: corc process "
                                        + intent.data().get("pid") + " died before finishing it (" + intent.id() + ")",
                                "stop it and remove what corc created for it"));
                    }
                }
            }
        }
        for (StateRecord intent : dead) {
            items.add(new GcItem(
                    StartIntents.RECORD_TYPE,
                    intent.id(),
                    "corc process " + intent.data().get("pid") + " died during a start at " + intent.string("provider")
                            + " at " + StartIntents.startedAt(intent),
                    "remove the record (after what the start made) and its budget reservation"));
        }
        return items;
    }

    /**
     * The resources a dead start made: the one it named, or, when it had not named one yet, those of its provider
     * recorded after the intent that are still starting, failed, or running without the spend record every finished
     * start writes, and that no live start can own.
     */
    private List<Resource> orphansOf(StateRecord intent, List<Resource> resources, List<StateRecord> intents) {
        String named = intent.string("resource_id");
        if (named != null) {
            return resources.stream().filter(r -> r.id().equals(named)).toList();
        }
        Instant since = StartIntents.startedAt(intent).minus(CLOCK_SLACK);
        return resources.stream()
                // still starting or failed; or running but never recorded as started by corc (no spend record: the
                // process died between the provider's start returning and the intent naming the resource)
                .filter(r -> r.state() == ResourceState.STARTING
                        || r.state() == ResourceState.FAILED
                        || (r.state() == ResourceState.RUNNING
                                && records.get(io.corc.core.placement.Budgets.RECORD_TYPE, r.id())
                                        .isEmpty()))
                .filter(r -> r.createdAt() != null && !r.createdAt().isBefore(since))
                .filter(r -> intents.stream()
                        .filter(other -> other != intent && StartIntents.alive(other))
                        .filter(other -> intent.string("provider").equals(other.string("provider")))
                        .noneMatch(other -> !StartIntents.startedAt(other)
                                .minus(CLOCK_SLACK)
                                .isAfter(r.createdAt())))
                .toList();
    }

    /** Why the resource counts as idle past its {@code --idle-stop}, or {@code null}. */
    private String idleSince(Resource resource, Instant now) {
        if (records == null || resource.state() == ResourceState.STOPPED) {
            return null;
        }
        StateRecord idle = records.get(IDLE_RECORD_TYPE, resource.id()).orElse(null);
        if (idle == null || !(idle.data().get("idle_seconds") instanceof Number seconds)) {
            return null;
        }
        String last = idle.string("last_activity");
        Instant lastActivity = last == null ? idle.createdAt() : Instant.parse(last);
        Duration period = Duration.ofSeconds(seconds.longValue());
        if (lastActivity.plus(period).isAfter(now)) {
            return null;
        }
        return "last activity corc recorded was at " + lastActivity + ", " + period.toMinutes() + " min allowed";
    }

    /** Removes the items; an item that cannot be removed is reported, the others are still attempted. */
    public List<GcItem> apply(List<GcItem> items) {
        List<GcItem> failed = new ArrayList<>();
        for (GcItem item : items) {
            try {
                if (item.kind().equals(JobService.RECORD_TYPE)) {
                    jobs.forget(item.id());
                } else if (item.kind().equals(StartIntents.RECORD_TYPE)) {
                    List<String> owned = intentResources.getOrDefault(item.id(), List.of());
                    if (failed.stream().anyMatch(f -> owned.contains(f.id()))) {
                        continue; // what it made is still there: keep the intent so the next gc finds it again
                    }
                    removeIntent(item.id());
                } else {
                    orchestratorFor(item.kind()).stop(item.id(), ProgressListener.NONE);
                }
            } catch (CorcException e) {
                failed.add(new GcItem(item.kind(), item.id(), e.getMessage(), item.action()));
            }
        }
        return failed;
    }

    private void removeIntent(String id) {
        StateRecord intent = records.get(StartIntents.RECORD_TYPE, id).orElse(null);
        if (intent != null && intent.string("reservation") != null) {
            records.delete(io.corc.core.placement.Budgets.RECORD_TYPE, intent.string("reservation"));
        }
        records.delete(StartIntents.RECORD_TYPE, id);
    }

    private Orchestrator orchestratorFor(String kind) {
        return orchestrators.stream()
                .filter(o -> (o.provider() + " " + o.kind().cliName()).equals(kind))
                .findFirst()
                .orElseThrow(() -> CorcException.notFound("no orchestrator for " + kind));
    }

    private static String detail(Resource resource) {
        String reason = resource.details().get("reason");
        return reason == null ? "" : ": " + reason;
    }
}
