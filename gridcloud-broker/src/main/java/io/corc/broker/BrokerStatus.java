package io.corc.broker;

import java.time.Instant;
import java.util.List;

/**
 * @param organisation this broker's organisation
 * @param grid the grid (community) it belongs to
 * @param keyFingerprint its identity key's fingerprint
 * @param address its transport address
 * @param state {@code running}, {@code joining} or {@code stopping}
 * @param members organisations currently in the view
 * @param leasesOwned active or reserved leases it serves
 * @param leasesHeld active leases its users hold
 * @param started when it started
 */
public record BrokerStatus(
        String organisation,
        String grid,
        String keyFingerprint,
        String address,
        String state,
        List<String> members,
        int leasesOwned,
        int leasesHeld,
        Instant started) {

    public BrokerStatus {
        members = members == null ? List.of() : List.copyOf(members);
    }
}
