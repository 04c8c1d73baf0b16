package io.corc.core.config;

import io.corc.core.Suggestions;
import java.util.Collection;

/** Messages for mistyped configuration keys. */
final class KeySuggestions {
    private KeySuggestions() {}

    /** {@code unknown key 'num_job' (did you mean 'num_jobs'?)}. */
    static String unknownKey(String key, Collection<String> known) {
        return Suggestions.closest(key, known)
                .map(suggestion -> "unknown key '" + key + "' (did you mean '" + suggestion + "'?)")
                .orElseGet(() -> "unknown key '" + key + "' (known keys: " + String.join(", ", known) + ")");
    }
}
