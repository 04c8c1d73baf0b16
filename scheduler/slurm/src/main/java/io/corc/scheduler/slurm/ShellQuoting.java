package io.corc.scheduler.slurm;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** POSIX shell quoting: every argument reaches the program unchanged, whatever characters it holds. */
final class ShellQuoting {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private ShellQuoting() {}

    /** {@code value} as one shell word: unchanged when it has only safe characters, else in single quotes. */
    static String quote(String value) {
        if (!value.isEmpty() && PLAIN.matcher(value).matches()) {
            return value;
        }
        return "'" + value.replace("'", "'\"'\"'") + "'";
    }

    /** The argv as one command line for {@code sh -c}. */
    static String join(List<String> argv) {
        return argv.stream().map(ShellQuoting::quote).collect(Collectors.joining(" "));
    }
}
