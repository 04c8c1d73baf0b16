package io.corc.cli;

import io.corc.api.CorcException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations users type: {@code 90s}, {@code 30m}, {@code 2h}, {@code 1d}, or ISO-8601 {@code PT2H}. */
final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*([smhd]?)");

    private Durations() {}

    static Duration parse(String option, String text) {
        Matcher matcher = SIMPLE.matcher(text.strip());
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2)) {
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                default -> Duration.ofSeconds(amount);
            };
        }
        try {
            return Duration.parse(text.strip());
        } catch (java.time.format.DateTimeParseException e) {
            throw CorcException.invalidInput(
                    option + " must be a duration like 90s, 30m, 2h or 1d, got '" + text + "'");
        }
    }
}
