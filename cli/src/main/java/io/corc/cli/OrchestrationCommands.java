package io.corc.cli;

import io.corc.api.CorcException;
import io.corc.api.Plan;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code corc <provider> orchestration instance|cluster plan|start|stop|list|show}. */
final class OrchestrationCommands {
    private OrchestrationCommands() {}

    /** What every orchestration command knows: where it runs. */
    abstract static class Base implements Callable<Integer> {
        final CliContext context;
        final String provider;
        final ResourceKind kind;

        Base(CliContext context, String provider, ResourceKind kind) {
            this.context = context;
            this.provider = provider;
            this.kind = kind;
        }

        static void printResource(PrintStream out, Resource resource) {
            out.println("Id:        " + resource.id());
            out.println("Name:      " + resource.name());
            out.println(
                    "Provider:  " + resource.provider() + " (" + resource.kind().cliName() + ")");
            out.println("State:     " + Views.lower(resource.state()));
            out.println("Created:   " + Views.time(resource.createdAt()));
            if (resource.expiresAt() != null) {
                out.println("Expires:   " + Views.time(resource.expiresAt()));
            }
            resource.endpoints()
                    .forEach(e ->
                            out.println("Endpoint:  " + e.protocol() + "://" + (e.user() == null ? "" : e.user() + "@")
                                    + e.host() + (e.port() > 0 ? ":" + e.port() : "")));
            resource.details().forEach((key, value) -> out.println(key + ": " + value));
        }
    }

    @Command(
            name = "plan",
            mixinStandardHelpOptions = true,
            description = "Show what start would create, and why, without creating anything.",
            footer = {
                "",
                "Examples:",
                "  corc local orchestration instance plan --min-cores 2 --min-memory 4",
                "  corc oci orchestration instance plan --min-cores 4 --gpus 1 -o json"
            })
    static final class PlanCommand extends Base {
        @Mixin
        ResourceSpecOptions spec;

        PlanCommand(CliContext context, String provider, ResourceKind kind) {
            super(context, provider, kind);
        }

        @Override
        public Integer call() {
            Plan plan = context.corc().plan(provider, spec.toSpec(kind));
            context.emit(Views.document("success", "plan", Views.plan(plan)), out -> {
                out.println("Provider: " + plan.provider() + (plan.region() == null ? "" : " (" + plan.region() + ")"));
                out.println("Shape:    " + plan.shape() + ": " + plan.cores() + " cores, " + plan.memoryGb()
                        + " GiB memory, " + plan.gpus() + " GPUs");
                out.println("Price:    " + (plan.hourlyPrice() == null ? "unknown" : plan.hourlyPrice() + " USD/hour"));
                out.println("Why:      " + plan.reason());
                plan.toCreate().forEach(item -> out.println("Creates:  " + item));
            });
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "start",
            mixinStandardHelpOptions = true,
            description = "Create the smallest resource that meets the minimums and wait until it is usable.",
            footer = {
                "",
                "Examples:",
                "  corc local orchestration instance start --name sandbox",
                "  corc oci orchestration instance start --min-cores 4 --min-memory 16 --ssh-key ~/.ssh/id_ed25519.pub",
                "  corc oci orchestration instance start --configurer ansible --playbook site.yml"
            })
    static final class Start extends Base {
        @Mixin
        ResourceSpecOptions spec;

        /** The configurer step: applied once the resource is running (and reachable over SSH). */
        @Mixin
        ConfigurerOptions configurer;

        Start(CliContext context, String provider, ResourceKind kind) {
            super(context, provider, kind);
        }

        @Override
        public Integer call() {
            ProgressDisplay progress = context.progress();
            Resource resource = configurer.requested()
                    ? context.corc()
                            .start(
                                    provider,
                                    spec.toSpec(kind),
                                    configurer.toSpec(context.workingDirectory()),
                                    (step, done, total) -> {
                                        progress.finish();
                                        ConfigurerOptions.lines(context).onProgress(step, done, total);
                                    })
                    : context.corc().start(provider, spec.toSpec(kind), progress);
            progress.finish();
            context.emit(
                    Views.document("success", kind.cliName(), Views.resource(resource)),
                    out -> printResource(out, resource));
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "stop",
            mixinStandardHelpOptions = true,
            description = "Stop a resource and remove what corc created for it. Stopping a stopped one is fine.",
            footer = {"", "Examples:", "  corc local orchestration instance stop ID"})
    static final class Stop extends Base {
        @Parameters(paramLabel = "ID", description = "The resource id (list shows them).")
        String id;

        Stop(CliContext context, String provider, ResourceKind kind) {
            super(context, provider, kind);
        }

        @Override
        public Integer call() {
            ProgressDisplay progress = context.progress();
            context.corc().stop(provider, kind, id, progress);
            progress.finish();
            context.emit(Views.document("success", "id", id), out -> out.println("Stopped " + id));
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List the resources corc created here.",
            footer = {
                "",
                "Examples:",
                "  corc local orchestration instance list",
                "  corc local orchestration instance list -o json"
            })
    static final class ListResources extends Base {
        ListResources(CliContext context, String provider, ResourceKind kind) {
            super(context, provider, kind);
        }

        @Override
        public Integer call() {
            List<Resource> resources = context.corc().list(provider, kind);
            context.emit(
                    Views.document(
                            "success",
                            kind.cliName() + "s",
                            resources.stream().map(Views::resource).toList()),
                    out -> {
                        Table table = new Table("ID", "NAME", "STATE", "CREATED");
                        resources.forEach(
                                r -> table.row(r.id(), r.name(), Views.lower(r.state()), Views.time(r.createdAt())));
                        table.print(out);
                    });
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Show one resource and its endpoints.",
            footer = {"", "Examples:", "  corc local orchestration instance show ID -o yaml"})
    static final class Show extends Base {
        @Parameters(paramLabel = "ID", description = "The resource id.")
        String id;

        Show(CliContext context, String provider, ResourceKind kind) {
            super(context, provider, kind);
        }

        @Override
        public Integer call() {
            Resource resource = context.corc().get(provider, kind, id).orElseThrow(() -> CorcException.notFound(
                            kind.cliName() + " '" + id + "' not found at " + provider)
                    .withHint("corc " + provider + " orchestration " + kind.cliName() + " list shows them"));
            context.emit(
                    Views.document("success", kind.cliName(), Views.resource(resource)),
                    out -> printResource(out, resource));
            return ExitCodes.OK;
        }
    }
}
