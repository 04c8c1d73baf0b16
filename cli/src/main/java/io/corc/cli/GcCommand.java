package io.corc.cli;

import io.corc.core.gc.GcItem;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code corc gc}: find, and with --apply remove, what crashed or interrupted commands left behind. */
@Command(
        name = "gc",
        mixinStandardHelpOptions = true,
        description = GcCommand.DESCRIPTION,
        footer = {"", "Examples:", "  corc gc            # dry run: lists what would go", "  corc gc --apply"})
final class GcCommand implements Callable<Integer> {
    static final String DESCRIPTION = "List what interrupted commands left behind (jobs whose submission never"
            + " finished, jobs their scheduler forgot, failed resources); --apply removes it.";

    private final CliContext context;

    @Option(names = "--apply", description = "Remove what is listed (default: only list it).")
    boolean apply;

    GcCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        List<GcItem> found = context.corc().collectGarbage(false);
        List<GcItem> failed = apply ? context.corc().collectGarbage(true) : List.of();
        String status = failed.isEmpty() ? "success" : "failed";
        context.emit(
                Views.document(
                        status,
                        "dry_run",
                        !apply,
                        "items",
                        found.stream().map(GcCommand::view).toList(),
                        "failed",
                        failed.stream().map(GcCommand::view).toList()),
                out -> {
                    if (found.isEmpty()) {
                        out.println("Nothing to collect.");
                        return;
                    }
                    Table table = new Table("KIND", "ID", "REASON", apply ? "DONE" : "WOULD");
                    found.forEach(item -> table.row(item.kind(), item.id(), item.reason(), item.action()));
                    table.print(out);
                    failed.forEach(item -> out.println("could not collect " + item.id() + ": " + item.reason()));
                    if (!apply) {
                        out.println("Dry run: nothing was removed. Run corc gc --apply to remove the above.");
                    }
                });
        return failed.isEmpty() ? ExitCodes.OK : ExitCodes.FAILED_OUTCOME;
    }

    private static Map<String, Object> view(GcItem item) {
        return Map.of("kind", item.kind(), "id", item.id(), "reason", item.reason(), "action", item.action());
    }
}
