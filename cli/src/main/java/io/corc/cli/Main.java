package io.corc.cli;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.core.Suggestions;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;

/** Entry point. {@link #run} is what tests call; only {@link #main} exits the JVM. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int code = run(System.out, System.err, System.getenv(), System.console() != null, args);
        System.out.flush();
        System.exit(code);
    }

    /** Runs one command line and returns its exit code (see {@link ExitCodes}). Never throws. */
    public static int run(PrintStream out, PrintStream err, Map<String, String> env, boolean terminal, String... args) {
        CliContext context = new CliContext(out, err, env, terminal);
        CommandLine commandLine = CommandTree.build(context, args);
        commandLine.setOut(new java.io.PrintWriter(out, true));
        commandLine.setErr(new java.io.PrintWriter(err, true));
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> handle(context, e));
        commandLine.setParameterExceptionHandler((e, argsIgnored) -> usageError(context, e));
        try {
            return commandLine.execute(args);
        } catch (RuntimeException | LinkageError e) {
            // picocli hands only Exceptions to the handler; a broken class path (LinkageError) ends up here.
            return handle(context, e instanceof RuntimeException re ? re : new IllegalStateException(e));
        }
    }

    private static int usageError(CliContext context, CommandLine.ParameterException e) {
        CommandLine failed = e.getCommandLine();
        context.err.println("corc: error: " + e.getMessage());
        Optional<String> suggestion = e instanceof CommandLine.UnmatchedArgumentException unmatched
                        && !unmatched.getUnmatched().isEmpty()
                ? Suggestions.closest(
                        unmatched.getUnmatched().get(0), failed.getSubcommands().keySet())
                : Optional.empty();
        String help = "'" + failed.getCommandSpec().qualifiedName() + " --help'";
        context.err.println(suggestion
                .map(word -> "hint: did you mean '" + word + "'? See " + help)
                .orElse("hint: see " + help));
        return ExitCodes.INVALID_INPUT;
    }

    private static int handle(CliContext context, Exception e) {
        CorcException error = e instanceof CorcException corcException
                ? corcException
                : CorcException.internal(String.valueOf(e), e)
                        .withHint("this is a bug in corc; re-run with --verbose and report the output");
        if (context.structuredOutput()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("category", error.category().name().toLowerCase(java.util.Locale.ROOT));
            body.put("message", error.getMessage());
            body.put("hint", error.hint().orElse(null));
            body.put("exit_code", ExitCodes.of(error.category()));
            if (error instanceof io.corc.core.placement.PlacementException failed) {
                body.put("placement", PlacementCommands.view(failed.placement())); // what was ranked and tried
            }
            Map<String, Object> document = Views.document("error", "error", body);
            context.err.print(
                    context.global.output == OutputFormat.json
                            ? JsonWriter.write(document)
                            : CliContext.yaml(document));
        } else {
            String where = error.plugin().map(p -> p + ": ").orElse("");
            context.err.println("corc: error: " + where + error.getMessage());
            error.hint().ifPresent(hint -> context.err.println("hint: " + hint));
        }
        if (context.global.verbose) {
            e.printStackTrace(context.err);
        } else if (error.category() == ErrorCategory.INTERNAL) {
            context.err.println("(run with --verbose for the stack trace)");
        }
        context.err.flush();
        return ExitCodes.of(error.category());
    }
}
