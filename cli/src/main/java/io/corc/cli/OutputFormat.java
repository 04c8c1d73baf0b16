package io.corc.cli;

/** Values of {@code -o/--output}. */
public enum OutputFormat {
    table,
    json,
    yaml
}
