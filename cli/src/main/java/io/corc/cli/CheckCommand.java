package io.corc.cli;

import io.corc.api.CheckResult;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code corc check}: every installed plug-in's credential and health check, with its reason. */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        description = CheckCommand.DESCRIPTION,
        footer = {
            "",
            "OK is yes, NO (set up but not working: exit 1), or - (not set up; the reason says how).",
            "",
            "Examples:",
            "  corc check",
            "  corc check -o json"
        })
final class CheckCommand implements Callable<Integer> {
    static final String DESCRIPTION =
            "Check the credentials and reachability of every installed provider, scheduler and storage.";

    private final CliContext context;

    CheckCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        List<CheckResult> results = context.corc().check();
        // plug-ins nobody set up are listed with what to set up, but only broken set-ups fail the check
        boolean allOk = results.stream().allMatch(r -> r.ok() || !r.configured());
        context.emit(
                Views.document(
                        allOk ? "success" : "failed",
                        "checks",
                        results.stream().map(Views::check).toList()),
                out -> {
                    Table table = new Table("PLUGIN", "OK", "REASON");
                    results.forEach(
                            r -> table.row(r.plugin(), r.ok() ? "yes" : r.configured() ? "NO" : "-", r.reason()));
                    table.print(out);
                });
        return allOk ? ExitCodes.OK : ExitCodes.FAILED_OUTCOME;
    }
}
