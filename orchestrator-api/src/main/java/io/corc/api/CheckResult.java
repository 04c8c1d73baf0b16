package io.corc.api;

import static java.util.Objects.requireNonNull;

/**
 * Outcome of a plug-in's credential and health check.
 *
 * @param plugin plug-in name
 * @param ok whether the plug-in can be used as configured
 * @param reason what was checked, or precisely what is missing (file, profile, key, permission)
 */
public record CheckResult(String plugin, boolean ok, String reason) {
    public CheckResult {
        requireNonNull(plugin, "plugin is null");
        requireNonNull(reason, "reason is null");
    }

    public static CheckResult ok(String plugin, String reason) {
        return new CheckResult(plugin, true, reason);
    }

    public static CheckResult failed(String plugin, String reason) {
        return new CheckResult(plugin, false, reason);
    }
}
