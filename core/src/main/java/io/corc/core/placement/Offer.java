package io.corc.core.placement;

import static java.util.Objects.requireNonNull;

import io.corc.api.Plan;
import io.corc.api.ResourceSpec;

/**
 * One way to meet a spec, as placement compares them: a provider's {@link Plan} reduced to what ranking needs. JDK
 * types only, so a provider's SDK never reaches placement.
 *
 * @param provider provider name
 * @param region region or location, or {@code null} when the provider has none
 * @param shape shape / instance type / hardware id
 * @param cores cores of the shape
 * @param memoryGb memory of the shape in GiB
 * @param gpus GPUs of the shape
 * @param hourlyPrice USD per hour, or {@code null} when the provider does not know it
 * @param spot whether the offer is spot / pre-emptible capacity
 * @param startOptions spec options that make the provider's start create exactly this offer (several offers of one
 *     provider differ in them, e.g. {@code hardware_id}); empty when the provider offered one plan
 */
public record Offer(
        String provider,
        String region,
        String shape,
        int cores,
        double memoryGb,
        int gpus,
        Double hourlyPrice,
        boolean spot,
        java.util.Map<String, String> startOptions) {

    /** Cores worth one GiB of memory when measuring how much an offer exceeds the spec (1 core ~ 4 GiB). */
    static final double GIB_PER_CORE = 4.0;

    public Offer {
        requireNonNull(provider, "provider is null");
        requireNonNull(shape, "shape is null");
        startOptions = startOptions == null ? java.util.Map.of() : java.util.Map.copyOf(startOptions);
    }

    static Offer of(Plan plan, ResourceSpec spec) {
        return of(new io.corc.api.PlanChoice(plan, java.util.Map.of()), spec);
    }

    static Offer of(io.corc.api.PlanChoice choice, ResourceSpec spec) {
        Plan plan = choice.plan();
        return new Offer(
                plan.provider(),
                plan.region(),
                plan.shape(),
                plan.cores(),
                plan.memoryGb(),
                plan.gpus(),
                plan.hourlyPrice(),
                spec.spot(),
                choice.startOptions());
    }

    /**
     * How much more than asked the offer gives, in cores (memory counted at {@link #GIB_PER_CORE} GiB per core, GPUs
     * at 8 cores each); smaller is a tighter fit.
     */
    double surplus(ResourceSpec spec) {
        return Math.max(0, cores - spec.minCores())
                + Math.max(0, memoryGb - spec.minMemoryGb()) / GIB_PER_CORE
                + 8.0 * Math.max(0, gpus - spec.gpus().count());
    }
}
