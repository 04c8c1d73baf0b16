package io.corc.api;

import static java.util.Objects.requireNonNull;

/**
 * Outcome of a plug-in's credential and health check.
 *
 * @param plugin plug-in name
 * @param ok whether the plug-in can be used as configured
 * @param reason what was checked, or precisely what is missing (file, profile, key, permission)
 * @param configured whether the user set the plug-in up at all; a plug-in nobody configured (no kubeconfig, no
 *     ~/.oci/config) is not ok, but its check does not make {@code corc check} fail
 */
public record CheckResult(String plugin, boolean ok, String reason, boolean configured) {
    public CheckResult {
        requireNonNull(plugin, "plugin is null");
        requireNonNull(reason, "reason is null");
        if (ok && !configured) {
            throw new IllegalArgumentException("a plug-in that is not configured cannot be ok");
        }
    }

    public CheckResult(String plugin, boolean ok, String reason) {
        this(plugin, ok, reason, true);
    }

    /** Nothing is set up for the plug-in (no credentials file at all, say): {@code reason} says what to set up. */
    public static CheckResult notConfigured(String plugin, String reason) {
        return new CheckResult(plugin, false, reason, false);
    }

    public static CheckResult ok(String plugin, String reason) {
        return new CheckResult(plugin, true, reason);
    }

    public static CheckResult failed(String plugin, String reason) {
        return new CheckResult(plugin, false, reason);
    }
}
