package io.corc.cli;

/** Formats the "Examples:" footer of {@code --help}. */
final class Examples {
    private Examples() {}

    static String[] footer(String... examples) {
        String[] lines = new String[examples.length + 2];
        lines[0] = "";
        lines[1] = "Examples:";
        for (int i = 0; i < examples.length; i++) {
            lines[i + 2] = "  " + examples[i];
        }
        return lines;
    }
}
