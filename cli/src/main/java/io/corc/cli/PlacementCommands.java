package io.corc.cli;

import io.corc.api.Plan;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.core.placement.Budgets;
import io.corc.core.placement.Placement;
import io.corc.core.placement.Placer;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code corc orchestration instance|cluster plan|start --provider NAME|auto}: the provider chosen by a flag, and
 * with {@code auto} by placement (docs/placement.md).
 */
final class PlacementCommands {
    static final String DESCRIPTION =
            "Plan or start a resource at a named provider, or with --provider auto at the cheapest that fits.";
    static final String AUTO = "auto";

    private PlacementCommands() {}

    static CommandLine tree(CliContext context) {
        CommandLine root = Group.of(
                DESCRIPTION,
                "corc orchestration instance plan --provider auto --min-cores 4 --min-memory 16",
                "corc orchestration instance start --provider auto --min-cores 4 --ttl 2h");
        for (ResourceKind kind : ResourceKind.values()) {
            root.addSubcommand(
                    kind.cliName(),
                    Group.of("Plan or start " + kind.cliName() + "s; --provider auto chooses where.")
                            .addSubcommand("plan", new PlanCommand(context, kind))
                            .addSubcommand("start", new Start(context, kind)));
        }
        return root;
    }

    abstract static class Base implements Callable<Integer> {
        final CliContext context;
        final ResourceKind kind;

        @Option(
                names = "--provider",
                paramLabel = "NAME|auto",
                description = "The provider, or auto: the cheapest candidate that fits (default: corc.default_provider;"
                        + " auto for corc up).")
        String provider;

        @Mixin
        ResourceSpecOptions spec;

        Base(CliContext context, ResourceKind kind) {
            this.context = context;
            this.kind = kind;
        }

        String provider() {
            return provider != null ? provider : context.corc().defaultProvider();
        }

        /** The ranked table and what was left out, or nothing to say when placement had no candidates. */
        void printRanking(PrintStream out, Placement placement) {
            if (placement.ranked().isEmpty()) {
                out.println("No candidate.");
            } else {
                Table table =
                        new Table("RANK", "PROVIDER", "REGION", "SHAPE", "CORES", "MEMORY", "USD/H", "SPOT", "WHY");
                placement
                        .ranked()
                        .forEach(c -> table.row(
                                c.rank(),
                                c.offer().provider(),
                                c.offer().region() == null ? "-" : c.offer().region(),
                                c.offer().shape(),
                                c.offer().cores(),
                                c.offer().memoryGb(),
                                c.offer().hourlyPrice() == null
                                        ? "?"
                                        : Budgets.usd(c.offer().hourlyPrice()),
                                c.offer().spot() ? "yes" : "no",
                                c.why()));
                table.print(out);
            }
            placement.excluded().forEach(e -> out.println("left out " + e.provider() + ": " + e.reason()));
        }
    }

    /** A placement as the JSON/YAML documents show it. */
    static Map<String, Object> view(Placement placement) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", placement.id());
        view.put("choice", placement.choice() == null ? null : Placer.candidateData(placement.choice()));
        view.put(
                "ranked", placement.ranked().stream().map(Placer::candidateData).toList());
        view.put(
                "excluded",
                placement.excluded().stream()
                        .map(e -> Map.of("provider", e.provider(), "reason", e.reason()))
                        .toList());
        view.put(
                "attempts",
                placement.attempts().stream().map(Placer::attemptData).toList());
        return view;
    }

    @Command(
            name = "plan",
            mixinStandardHelpOptions = true,
            description = "Show what start would create, and with --provider auto the ranked candidates; creates"
                    + " nothing.",
            footer = {
                "",
                "Examples:",
                "  corc orchestration instance plan --provider auto --min-cores 4 --min-memory 16",
                "  corc orchestration instance plan --provider oci --min-cores 2 -o json"
            })
    static final class PlanCommand extends Base {
        PlanCommand(CliContext context, ResourceKind kind) {
            super(context, kind);
        }

        @Override
        public Integer call() {
            if (!provider().equals(AUTO)) {
                Plan plan = context.corc().plan(provider(), spec.toSpec(kind));
                context.emit(
                        Views.document("success", "plan", Views.plan(plan)),
                        out -> out.println(plan.provider() + " " + plan.shape() + ": " + plan.reason()));
                return ExitCodes.OK;
            }
            Placement placement = context.corc().rankPlacement(spec.toSpec(kind));
            context.emit(
                    Views.document("success", "dry_run", true, "placement", view(placement)),
                    out -> printRanking(out, placement));
            return ExitCodes.OK;
        }
    }

    static final String UP_DESCRIPTION =
            "Start an instance at the cheapest provider that fits: 'corc orchestration instance start --provider auto'.";

    /** {@code corc up}: {@code orchestration instance start} with {@code --provider auto} unless a provider is named. */
    @Command(
            name = "up",
            mixinStandardHelpOptions = true,
            description = {
                "Start an instance at the first of the ranked candidates that starts (--provider auto, the default"
                        + " here): a capacity, quota or unsupported-shape error moves on to the next, any other error"
                        + " stops. The same as 'corc orchestration instance start --provider auto', with the same"
                        + " options."
            },
            footer = {
                "",
                "Examples:",
                "  corc up --min-cores 4 --min-memory 16 --ttl 2h",
                "  corc up --min-cores 2 --idle-stop 30m -o json",
                "  corc up --min-cores 8 --dry-run         # ranked table and choice only",
                "  corc up --provider oci --min-cores 2    # a named provider instead"
            })
    static final class Up extends Start {
        Up(CliContext context) {
            super(context, ResourceKind.INSTANCE);
        }

        @Override
        String provider() {
            return provider != null ? provider : AUTO;
        }
    }

    @Command(
            name = "start",
            mixinStandardHelpOptions = true,
            description = "Start a resource at the provider, or with --provider auto at the first candidate that"
                    + " starts: a capacity, quota or unsupported-shape error moves on to the next, any other error"
                    + " stops.",
            footer = {
                "",
                "Examples:",
                "  corc orchestration instance start --provider auto --min-cores 4 --min-memory 16 --ttl 2h",
                "  corc orchestration instance start --provider auto --dry-run"
            })
    static class Start extends Base {
        @Option(names = "--dry-run", description = "Only show the ranked candidates and the choice; start nothing.")
        boolean dryRun;

        Start(CliContext context, ResourceKind kind) {
            super(context, kind);
        }

        @Override
        public Integer call() {
            if (!provider().equals(AUTO)) {
                if (dryRun) {
                    Plan plan = context.corc().plan(provider(), spec.toSpec(kind));
                    context.emit(
                            Views.document("success", "dry_run", true, "plan", Views.plan(plan)),
                            out -> out.println(
                                    "Would start " + plan.provider() + " " + plan.shape() + ": " + plan.reason()));
                    return ExitCodes.OK;
                }
                ProgressDisplay progress = context.progress();
                Resource resource = context.corc().start(provider(), spec.toSpec(kind), progress);
                progress.finish();
                context.emit(
                        Views.document("success", kind.cliName(), Views.resource(resource)),
                        out -> OrchestrationCommands.Base.printResource(out, resource));
                return ExitCodes.OK;
            }
            if (dryRun) {
                Placement placement = context.corc().rankPlacement(spec.toSpec(kind));
                context.emit(Views.document("success", "dry_run", true, "placement", view(placement)), out -> {
                    printRanking(out, placement);
                    out.println(
                            placement.choice() == null
                                    ? "Dry run: nothing would start."
                                    : "Dry run: would try #1 "
                                            + placement.choice().offer().provider() + " first; nothing was started.");
                });
                return ExitCodes.OK;
            }
            ProgressDisplay progress = context.progress();
            Placement placement = context.corc().place(spec.toSpec(kind), progress);
            progress.finish();
            Resource resource = placement.resource();
            context.emit(
                    Views.document("success", kind.cliName(), Views.resource(resource), "placement", view(placement)),
                    out -> {
                        placement.attempts().stream()
                                .filter(a -> !a.outcome().equals("started"))
                                .forEach(a -> out.println("tried " + a.provider() + " " + a.shape() + ": "
                                        + a.outcome().toUpperCase(Locale.ROOT) + " (" + a.message() + ")"));
                        OrchestrationCommands.Base.printResource(out, resource);
                        out.println("Placement: " + placement.id());
                    });
            return ExitCodes.OK;
        }
    }
}
