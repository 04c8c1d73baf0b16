package io.corc.cli;

import io.corc.api.StateRecord;
import io.corc.core.placement.Budgets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code corc status}: spend so far against the budget caps, from the state store alone. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = StatusCommand.DESCRIPTION,
        footer = {"", "Examples:", "  corc status", "  corc status -o json"})
final class StatusCommand implements Callable<Integer> {
    static final String DESCRIPTION =
            "Show the spend so far (hourly price x hours of what corc started) against the budget caps.";

    private final CliContext context;

    StatusCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        Budgets budgets = context.corc().budgets();
        List<StateRecord> records = budgets.records();
        List<Budgets.Spend> spend = budgets.spend();
        List<Map<String, Object>> resources = records.stream()
                .map(r -> {
                    Map<String, Object> view = new LinkedHashMap<>();
                    view.put("id", r.id());
                    view.put("provider", r.string("provider"));
                    view.put("user", r.string("user"));
                    view.put("project", r.string("project"));
                    view.put("hourly_price", Budgets.price(r));
                    view.put("started_at", r.string("started_at"));
                    view.put("stopped_at", r.string("stopped_at"));
                    view.put("cost_usd", Budgets.price(r) == null ? null : budgets.cost(r));
                    return view;
                })
                .toList();
        List<Map<String, Object>> caps = spend.stream()
                .map(s -> {
                    Map<String, Object> view = new LinkedHashMap<>();
                    view.put("scope", s.cap().scope());
                    view.put("name", s.cap().name());
                    view.put("hourly_usd", s.hourlyUsd());
                    view.put("max_hourly_usd", s.cap().maxHourlyUsd());
                    view.put("total_usd", s.totalUsd());
                    view.put("max_total_usd", s.cap().maxTotalUsd());
                    view.put("running_unpriced", s.unpriced());
                    return view;
                })
                .toList();
        context.emit(
                Views.document(
                        "success",
                        "user",
                        budgets.user(),
                        "project",
                        budgets.project(),
                        "budgets",
                        caps,
                        "resources",
                        resources),
                out -> {
                    out.println("User: " + budgets.user()
                            + (budgets.project().isBlank() ? "" : ", project: " + budgets.project()));
                    if (spend.isEmpty()) {
                        out.println("No budget cap applies (corc.budgets).");
                    }
                    spend.forEach(s -> out.println(s.cap().scope() + " "
                            + s.cap().name() + ": "
                            + Budgets.usd(s.hourlyUsd()) + " USD/hour now"
                            + limit(s.cap().maxHourlyUsd()) + ", "
                            + Budgets.usd(s.totalUsd()) + " USD so far"
                            + limit(s.cap().maxTotalUsd())
                            + (s.unpriced() == 0 ? "" : ", " + s.unpriced() + " running without a known price")));
                    if (records.isEmpty()) {
                        out.println("Nothing started yet.");
                        return;
                    }
                    Table table = new Table("ID", "PROVIDER", "USD/H", "STARTED", "STOPPED", "USD");
                    resources.forEach(r -> table.row(
                            r.get("id"),
                            r.get("provider"),
                            r.get("hourly_price") == null ? "?" : Budgets.usd((Double) r.get("hourly_price")),
                            r.get("started_at"),
                            r.get("stopped_at") == null ? "running" : r.get("stopped_at"),
                            r.get("cost_usd") == null ? "?" : Budgets.usd((Double) r.get("cost_usd"))));
                    table.print(out);
                });
        return ExitCodes.OK;
    }

    private static String limit(double cap) {
        return cap > 0 ? " (cap " + Budgets.usd(cap) + ")" : "";
    }
}
