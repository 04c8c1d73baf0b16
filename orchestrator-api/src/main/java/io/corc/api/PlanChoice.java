package io.corc.api;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One of several ways a provider could meet a spec ({@link Orchestrator#plans}): the plan, and the spec options that
 * make {@link Orchestrator#start} choose exactly it (e.g. {@code hardware_id=m1.small} at jclouds, {@code
 * instance_type=t3.small} at EC2). Empty options mean: start the spec as it is.
 *
 * @param plan what would be created
 * @param startOptions options to add to the spec's so that start creates this plan and not another
 */
public record PlanChoice(Plan plan, Map<String, String> startOptions) {
    public PlanChoice {
        requireNonNull(plan, "plan is null");
        startOptions = startOptions == null ? Map.of() : Map.copyOf(startOptions);
    }
}
