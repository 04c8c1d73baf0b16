package io.corc.api;

import static java.util.Objects.requireNonNull;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The features a plug-in supports, and for each one it does not, the reason (shown by {@code corc check} and in
 * errors when a user asks for the feature).
 *
 * @param supported the supported features
 * @param missing each unsupported feature mapped to the reason it is unsupported
 */
public record Features(Set<Feature> supported, Map<Feature, String> missing) {
    public Features {
        supported = supported.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(supported));
        missing = Map.copyOf(missing);
        for (Feature feature : missing.keySet()) {
            if (supported.contains(feature)) {
                throw new IllegalArgumentException(feature + " is both supported and missing");
            }
        }
    }

    /** Features with the given ones supported and every other one missing for "not implemented". */
    public static Features of(Feature... supported) {
        EnumSet<Feature> set = EnumSet.noneOf(Feature.class);
        set.addAll(java.util.List.of(supported));
        EnumMap<Feature, String> missing = new EnumMap<>(Feature.class);
        for (Feature feature : Feature.values()) {
            if (!set.contains(feature)) {
                missing.put(feature, "not implemented by this plug-in");
            }
        }
        return new Features(set, missing);
    }

    /** A copy stating why {@code feature} is missing. */
    public Features without(Feature feature, String reason) {
        requireNonNull(reason, "reason is null");
        EnumSet<Feature> set = supported.isEmpty() ? EnumSet.noneOf(Feature.class) : EnumSet.copyOf(supported);
        set.remove(feature);
        EnumMap<Feature, String> newMissing = new EnumMap<>(Feature.class);
        newMissing.putAll(missing);
        newMissing.put(feature, reason);
        return new Features(set, newMissing);
    }

    public boolean supports(Feature feature) {
        return supported.contains(feature);
    }

    /** Why {@code feature} is missing, or empty when it is supported. */
    public Optional<String> whyMissing(Feature feature) {
        return Optional.ofNullable(missing.get(feature));
    }

    /**
     * Throws {@link ErrorCategory#INVALID_INPUT} naming the plug-in and the reason when {@code feature} is not
     * supported.
     */
    public void require(Feature feature, String plugin) {
        if (!supports(feature)) {
            throw CorcException.invalidInput(
                            plugin + " does not support " + feature.name().toLowerCase(java.util.Locale.ROOT) + ": "
                                    + missing.getOrDefault(feature, "not implemented"))
                    .withContext(plugin, null);
        }
    }
}
