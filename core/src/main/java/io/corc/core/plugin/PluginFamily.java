package io.corc.core.plugin;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.PluginFactory;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The factories of one plug-in family (providers, schedulers, ...), by name. Immutable. */
final class PluginFamily<F extends PluginFactory> {
    private final String noun;
    private final Map<String, F> byName;

    /**
     * @throws CorcException {@link ErrorCategory#INTERNAL} when two factories share a name
     */
    PluginFamily(String noun, Collection<? extends F> factories) {
        this.noun = noun;
        Map<String, F> sorted = new TreeMap<>();
        for (F factory : factories) {
            String name = nameOf(factory);
            F previous = sorted.putIfAbsent(name, factory);
            if (previous != null) {
                throw new CorcException(
                        ErrorCategory.INTERNAL,
                        "two " + noun + " plug-ins are named '" + name + "': "
                                + previous.getClass().getName() + " and "
                                + factory.getClass().getName(),
                        null,
                        null,
                        "remove one of the two plug-in jars from the class path",
                        null);
            }
        }
        this.byName = java.util.Collections.unmodifiableMap(sorted);
    }

    /** A factory's name, checked: not null, not blank. */
    static String nameOf(PluginFactory factory) {
        String name = factory.name();
        if (name == null || name.isBlank()) {
            throw CorcException.internal("plug-in factory " + factory.getClass().getName() + " has no name", null);
        }
        return name;
    }

    String noun() {
        return noun;
    }

    /** Sorted by name. */
    List<F> all() {
        return List.copyOf(byName.values());
    }

    /**
     * @throws CorcException {@link ErrorCategory#INVALID_INPUT} naming the known plug-ins when none is called
     *     {@code name}
     */
    F get(String name) {
        F factory = byName.get(name);
        if (factory == null) {
            String known = byName.isEmpty() ? "none installed" : "known: " + String.join(", ", byName.keySet());
            throw CorcException.invalidInput("unknown " + noun + " '" + name + "' (" + known + ")")
                    .withHint("check the name or put the plug-in's jar on the class path");
        }
        return factory;
    }
}
