package io.corc.cli;

import static java.util.Objects.requireNonNull;

import io.corc.core.Corc;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * What every command shares: the output streams, the environment, the global options, and the engine, opened on
 * first use so that {@code --help} and {@code completion} never load configuration or plug-ins.
 */
final class CliContext {
    final PrintStream out;
    final PrintStream err;
    final Map<String, String> env;
    final GlobalOptions global = new GlobalOptions();
    private final boolean terminal;
    private final Map<String, Object> overrides = new LinkedHashMap<>();
    private Corc corc;

    CliContext(PrintStream out, PrintStream err, Map<String, String> env, boolean terminal) {
        this.out = requireNonNull(out, "out is null");
        this.err = requireNonNull(err, "err is null");
        this.env = Map.copyOf(requireNonNull(env, "env is null"));
        this.terminal = terminal;
    }

    /** A configuration value from a command's flag; wins over environment and file. Call before {@link #corc()}. */
    void override(String dottedKey, Object value) {
        if (value != null) {
            overrides.put(dottedKey, value);
        }
    }

    Corc corc() {
        if (corc == null) {
            Corc.Builder builder = Corc.builder().environment(env).configFile(global.configFile);
            overrides.forEach(builder::override);
            corc = builder.build();
        }
        return corc;
    }

    /** Where relative paths of the user resolve: the working directory of the process. */
    Path workingDirectory() {
        return Path.of("").toAbsolutePath();
    }

    /** Progress on stderr; shown only on a terminal and never with {@code -o json|yaml}. */
    ProgressDisplay progress() {
        return new ProgressDisplay(err, terminal && !structuredOutput());
    }

    /**
     * Prints a result: {@code document} as JSON or YAML when asked (it must start with {@code status}), otherwise
     * the human rendering.
     */
    void emit(Map<String, Object> document, Consumer<PrintStream> human) {
        switch (global.output) {
            case json -> out.print(JsonWriter.write(document));
            case yaml -> out.print(yaml(document));
            case table -> human.accept(out);
        }
        out.flush();
    }

    boolean structuredOutput() {
        return global.output != OutputFormat.table;
    }

    static String yaml(Object document) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        return new Yaml(options).dump(document);
    }
}
