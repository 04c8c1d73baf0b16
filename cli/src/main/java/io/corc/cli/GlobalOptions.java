package io.corc.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Options every command accepts, anywhere on the command line. One instance is mixed into every command of the
 * tree, so {@code corc -o json job list} and {@code corc job list -o json} set the same field.
 */
public final class GlobalOptions {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "Configuration file (default: $CORC_CONFIG_FILE, else ~/.corc/config.yaml).")
    Path configFile;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FORMAT",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: table).")
    OutputFormat output = OutputFormat.table;

    @Option(
            names = {"-v", "--verbose"},
            description = "Show causes and stack traces of errors.")
    boolean verbose;
}
