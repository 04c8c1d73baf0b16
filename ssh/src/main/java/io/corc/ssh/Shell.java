package io.corc.ssh;

import java.util.List;
import java.util.stream.Collectors;

/** Quoting for the POSIX shell that runs remote commands. */
public final class Shell {
    private Shell() {}

    /** {@code value} as one shell word: single-quoted unless it is plainly safe. */
    public static String quote(String value) {
        if (!value.isEmpty() && value.matches("[A-Za-z0-9_./:=@%+,-]+")) {
            return value;
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** The words quoted and joined by spaces, a command line the shell splits back into exactly {@code words}. */
    public static String join(List<String> words) {
        return words.stream().map(Shell::quote).collect(Collectors.joining(" "));
    }
}
