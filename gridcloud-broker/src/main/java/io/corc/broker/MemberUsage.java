package io.corc.broker;

/**
 * What one member used of this organisation's resources (owner-side accounting, persisted).
 *
 * @param organisation the member (this organisation itself for local users)
 * @param leasesGranted leases granted to it so far
 * @param activeLeases leases it holds now
 * @param coreHours cores x hours leased so far
 * @param gpuHours GPUs x hours leased so far
 * @param cost price x unit-hours so far
 */
public record MemberUsage(
        String organisation, long leasesGranted, int activeLeases, double coreHours, double gpuHours, double cost) {}
