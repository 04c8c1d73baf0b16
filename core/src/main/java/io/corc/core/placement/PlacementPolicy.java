package io.corc.core.placement;

import io.corc.api.CorcException;
import io.corc.api.PluginConfig;
import java.util.List;

/**
 * What {@code --provider auto} may choose ({@code corc.placement}).
 *
 * @param allowedProviders providers that may be chosen; empty: every installed provider except {@code local}
 * @param allowedRegions regions that may be chosen; empty: any
 * @param maxHourlyPrice most USD per hour for one resource; 0: no limit
 */
public record PlacementPolicy(List<String> allowedProviders, List<String> allowedRegions, double maxHourlyPrice) {
    public PlacementPolicy {
        allowedProviders = List.copyOf(allowedProviders);
        allowedRegions = List.copyOf(allowedRegions);
        if (maxHourlyPrice < 0) {
            throw CorcException.invalidInput(
                            "corc.placement.max_hourly_price must be 0 (no limit) or more, got " + maxHourlyPrice)
                    .withHint("set it to a USD amount per hour, e.g. 0.5");
        }
    }

    public static PlacementPolicy from(PluginConfig section) {
        return new PlacementPolicy(
                section.strings("allowed_providers"),
                section.strings("allowed_regions"),
                section.number("max_hourly_price", 0));
    }

    /** Why the policy rules out a provider before it is asked anything, or {@code null}. */
    String excludesProvider(String provider) {
        if (allowedProviders.isEmpty()) {
            return provider.equals("local")
                    ? "the local machine is a candidate only when corc.placement.allowed_providers names it"
                    : null;
        }
        return allowedProviders.contains(provider)
                ? null
                : "not in corc.placement.allowed_providers " + allowedProviders;
    }

    /** Why the policy rules out an offer, or {@code null}. */
    String excludes(Offer offer) {
        if (!allowedRegions.isEmpty() && (offer.region() == null || !allowedRegions.contains(offer.region()))) {
            return "region " + offer.region() + " is not in corc.placement.allowed_regions " + allowedRegions;
        }
        if (maxHourlyPrice > 0) {
            if (offer.hourlyPrice() == null) {
                return "its price is unknown and corc.placement.max_hourly_price is set";
            }
            if (offer.hourlyPrice() > maxHourlyPrice) {
                return Budgets.usd(offer.hourlyPrice()) + " USD/hour is over corc.placement.max_hourly_price ("
                        + Budgets.usd(maxHourlyPrice) + ")";
            }
        }
        return null;
    }
}
