package io.corc.core;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean": the closest known word within a small edit distance (mistyped keys, commands, names). */
public final class Suggestions {
    private Suggestions() {}

    /** The known word closest to {@code typed}, if one is within a third of its length in edits (1 to 3). */
    public static Optional<String> closest(String typed, Collection<String> known) {
        String wanted = typed.toLowerCase(Locale.ROOT);
        int allowed = Math.max(1, Math.min(3, wanted.length() / 3));
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = distance(wanted, candidate.toLowerCase(Locale.ROOT));
            if (distance <= allowed && distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Edit distance counting insertions, deletions, substitutions and swaps of neighbours as one edit each. */
    public static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
