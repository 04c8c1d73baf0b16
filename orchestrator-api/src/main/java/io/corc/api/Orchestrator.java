package io.corc.api;

import java.util.List;
import java.util.Optional;

/**
 * Creates, lists and removes resources of one kind at one provider. Implementations translate every provider error
 * into a {@link CorcException} with a category, and keep SDK types out of these signatures.
 */
public interface Orchestrator {

    /** Provider name, e.g. {@code local}, {@code oci}. */
    String provider();

    ResourceKind kind();

    Features features();

    /**
     * Checks credentials and reachability without creating anything. Never throws for a configuration or
     * credential problem: that is reported as a failed result with a reason naming what is missing.
     */
    CheckResult check();

    /**
     * Works out what {@link #start} would create for the spec: the smallest shape meeting every minimum, the image,
     * the objects to create, and the price when known. Has no side effects.
     *
     * @throws CorcException {@link ErrorCategory#CAPACITY} when no shape fits, {@link ErrorCategory#INVALID_INPUT}
     *     when the spec asks for something this provider cannot do
     */
    Plan plan(ResourceSpec spec);

    /**
     * Every way this provider could meet the spec that placement should rank (other shapes, zones), best first; each
     * with the spec options that make {@link #start} create exactly that plan. Without side effects, like {@link
     * #plan}. The default is {@link #plan} alone; a provider overrides it when it can list alternatives cheaply.
     *
     * @throws CorcException as {@link #plan} does when nothing fits
     */
    default List<PlanChoice> plans(ResourceSpec spec) {
        return List.of(new PlanChoice(plan(spec), java.util.Map.of()));
    }

    /**
     * Creates the resource and waits until it is usable (for instances: reachable over SSH, not merely running).
     * Intent is recorded in the state store before each cloud call and the object id after it. On any failure,
     * everything created by this call is removed again in reverse order before the exception is thrown; what
     * could not be removed stays recorded so that {@code corc gc} can finish the job.
     *
     * @return the running resource
     */
    Resource start(ResourceSpec spec, ProgressListener progress);

    /** The resource with corc id {@code id}, or empty when it does not exist (any more). */
    Optional<Resource> get(String id);

    /** Every resource of this kind that corc created at this provider, including ones in a failed state. */
    List<Resource> list();

    /**
     * Stops the resource and removes every cloud object corc created for it (objects that corc reused are left
     * alone). Idempotent: stopping an unknown or already stopped resource returns normally. When one object cannot
     * be removed, the others are still attempted and the exception names what is left.
     */
    void stop(String id, ProgressListener progress);
}
