package io.corc.core.gc;

import static java.util.Objects.requireNonNull;

/**
 * Something corc recorded that nobody owns any more.
 *
 * @param kind {@code job} or {@code <provider> <kind>}, e.g. {@code local instance}
 * @param id the job or resource id
 * @param reason why it is garbage, in plain words
 * @param action what {@code corc gc --apply} does about it
 */
public record GcItem(String kind, String id, String reason, String action) {
    public GcItem {
        requireNonNull(kind, "kind is null");
        requireNonNull(id, "id is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(action, "action is null");
    }
}
