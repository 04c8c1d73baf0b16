package io.corc.broker;

import io.corc.api.CorcException;
import java.time.Duration;
import java.util.Map;

/**
 * What a user asks their own broker for.
 *
 * @param minCores at least this many cores (0 = any)
 * @param minMemoryGb at least this much memory in GiB (0 = any)
 * @param gpus at least this many GPUs
 * @param gpuType GPU model wanted, or {@code null} for any
 * @param ttl how long the lease should last; capped by the owner's maximum lease time
 * @param sshPublicKey the requester's OpenSSH public key line, installed on the resource by the owner
 * @param user the local user asking (for accounting and per-user policy), never a secret
 * @param options extra hints (region, preferred member, ...), never secrets
 */
public record LeaseRequest(
        int minCores,
        double minMemoryGb,
        int gpus,
        String gpuType,
        Duration ttl,
        String sshPublicKey,
        String user,
        Map<String, String> options) {

    public LeaseRequest {
        if (minCores < 0 || minMemoryGb < 0 || gpus < 0) {
            throw CorcException.invalidInput("--min-cores, --min-memory and --gpus must be 0 or more");
        }
        if (ttl == null || ttl.isZero() || ttl.isNegative()) {
            throw CorcException.invalidInput("a lease needs a positive --ttl, e.g. --ttl 2h");
        }
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    /** Option keys the broker understands: a region the unit must run in, and a member to ask first and only. */
    public static final String OPTION_REGION = "region";

    public static final String OPTION_MEMBER = "member";

    /** A copy with {@code newOptions} instead of {@link #options()}. */
    public LeaseRequest withOptions(Map<String, String> newOptions) {
        return new LeaseRequest(minCores, minMemoryGb, gpus, gpuType, ttl, sshPublicKey, user, newOptions);
    }
}
