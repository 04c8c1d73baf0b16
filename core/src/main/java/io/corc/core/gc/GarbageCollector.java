package io.corc.core.gc;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.Orchestrator;
import io.corc.api.ProgressListener;
import io.corc.api.Resource;
import io.corc.api.ResourceState;
import io.corc.core.job.AbandonedJob;
import io.corc.core.job.JobService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and removes what a crash or a hand-deleted directory left behind: jobs whose submission never finished,
 * jobs their scheduler forgot, and resources that failed; and resources whose time to live ({@code --ttl}, their
 * {@link Resource#expiresAt()}) ran out. Finding has no side effects; only {@link #apply} acts,
 * and every action is the same idempotent call the normal commands make.
 */
public final class GarbageCollector {
    /** A submission younger than this may still be running in another process. */
    public static final Duration SUBMISSION_GRACE = Duration.ofMinutes(10);

    private final JobService jobs;
    private final List<Orchestrator> orchestrators;

    public GarbageCollector(JobService jobs, List<Orchestrator> orchestrators) {
        this.jobs = requireNonNull(jobs, "jobs is null");
        this.orchestrators = List.copyOf(orchestrators);
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
        for (Orchestrator orchestrator : orchestrators) {
            String kind = orchestrator.provider() + " " + orchestrator.kind().cliName();
            for (Resource resource : orchestrator.list()) {
                if (resource.state() == ResourceState.FAILED) {
                    items.add(new GcItem(
                            kind,
                            resource.id(),
                            "the resource failed" + detail(resource),
                            "stop it and remove what corc created for it"));
                } else if (resource.expiresAt() != null
                        && !resource.expiresAt().isAfter(now)
                        && resource.state() != ResourceState.STOPPED) {
                    items.add(new GcItem(
                            kind,
                            resource.id(),
                            "its time to live ran out at " + resource.expiresAt() + " (--ttl)",
                            "stop it and remove what corc created for it"));
                }
            }
        }
        return items;
    }

    /** Removes the items; an item that cannot be removed is reported, the others are still attempted. */
    public List<GcItem> apply(List<GcItem> items) {
        List<GcItem> failed = new ArrayList<>();
        for (GcItem item : items) {
            try {
                if (item.kind().equals(JobService.RECORD_TYPE)) {
                    jobs.forget(item.id());
                } else {
                    orchestratorFor(item.kind()).stop(item.id(), ProgressListener.NONE);
                }
            } catch (CorcException e) {
                failed.add(new GcItem(item.kind(), item.id(), e.getMessage(), item.action()));
            }
        }
        return failed;
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
