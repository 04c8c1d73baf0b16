package io.corc.api;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What {@link Orchestrator#start} would create for a spec, computed without side effects.
 *
 * @param provider provider name
 * @param kind instance or cluster
 * @param region region or location the plan targets
 * @param shape chosen shape / instance type / hardware id
 * @param cores cores of the chosen shape
 * @param memoryGb memory of the chosen shape in GiB
 * @param gpus GPUs of the chosen shape
 * @param hourlyPrice price per hour in USD, or {@code null} when unknown
 * @param toCreate human-readable list of the objects that would be created, in order
 * @param reason why this shape was chosen (e.g. "smallest of 12 shapes with >= 4 cores")
 */
public record Plan(
        String provider,
        ResourceKind kind,
        String region,
        String shape,
        int cores,
        double memoryGb,
        int gpus,
        Double hourlyPrice,
        List<String> toCreate,
        String reason) {

    public Plan {
        requireNonNull(provider, "provider is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(shape, "shape is null");
        toCreate = toCreate == null ? List.of() : List.copyOf(toCreate);
    }
}
