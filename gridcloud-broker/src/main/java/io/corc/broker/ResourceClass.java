package io.corc.broker;

import java.time.Duration;
import java.util.List;

/**
 * One kind of resource an organisation shares, as published in its offer.
 *
 * @param name class name, unique within the organisation (e.g. {@code gpu-a100})
 * @param cores cores per unit
 * @param memoryGb memory per unit in GiB
 * @param gpus GPUs per unit
 * @param gpuType GPU model, or {@code null}
 * @param available units free right now (after reservations and leases)
 * @param pricePerHour price per unit-hour in the grid's accounting currency (0 = free)
 * @param priority lower is preferred by the owner's policy
 * @param regions where the units run
 * @param maxLease longest lease granted on this class
 */
public record ResourceClass(
        String name,
        int cores,
        double memoryGb,
        int gpus,
        String gpuType,
        int available,
        double pricePerHour,
        int priority,
        List<String> regions,
        Duration maxLease) {

    public ResourceClass {
        regions = regions == null ? List.of() : List.copyOf(regions);
    }

    /** Whether one unit meets every minimum of {@code request} and its maximum lease covers the TTL. */
    public boolean fits(LeaseRequest request) {
        return cores >= request.minCores()
                && memoryGb >= request.minMemoryGb()
                && gpus >= request.gpus()
                && (request.gpuType() == null || request.gpuType().equalsIgnoreCase(gpuType))
                && (maxLease == null || maxLease.compareTo(request.ttl()) >= 0);
    }
}
