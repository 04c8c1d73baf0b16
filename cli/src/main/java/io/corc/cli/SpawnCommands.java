package io.corc.cli;

import io.corc.api.CorcException;
import io.corc.spawner.Session;
import io.corc.spawner.SpawnSpec;
import io.corc.spawner.Spawner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code corc spawn|spawns|unspawn}: users' sessions from the spawner's deployment and template files, with {@code
 * -o json} as the contract for services in other languages (docs/spawner.md). The CLI ends before its sessions, so
 * it holds no tunnels (the output says so) and checks expiry on each command instead of with a timer.
 */
final class SpawnCommands {
    static final String SPAWN_DESCRIPTION = "Start a user's session from a deployment and a template.";
    static final String SPAWNS_DESCRIPTION = "List the users' sessions (stopping those whose time is up).";
    static final String UNSPAWN_DESCRIPTION = "Stop users' sessions and the resources their spawns started.";

    private SpawnCommands() {}

    /** Where the definition files are; default {@code <corc home>/spawner/{deployments,templates}.yaml}. */
    static final class DefinitionFiles {
        @Option(
                names = "--deployments",
                paramLabel = "FILE",
                description = "Deployment file (default: ~/.corc/spawner/deployments.yaml).")
        Path deployments;

        @Option(
                names = "--templates",
                paramLabel = "FILE",
                description = "Template file (default: ~/.corc/spawner/templates.yaml).")
        Path templates;
    }

    static Spawner spawner(CliContext context, DefinitionFiles files) {
        return Spawner.builder(context.corc())
                .deployments(files == null ? null : files.deployments)
                .templates(files == null ? null : files.templates)
                .holdTunnels(false)
                .stopOnClose(false)
                .watchExpiry(false)
                .build();
    }

    @Command(
            name = "spawn",
            mixinStandardHelpOptions = true,
            description = {
                SPAWN_DESCRIPTION,
                "Starts a resource at the deployment's provider (or uses --resource), authorises the user's own key"
                        + " (~/.corc/spawner/users/USER/ssh), applies the template's configurer and starts the"
                        + " session command detached. The session is stopped when MINUTES have passed (checked by"
                        + " every spawn, spawns and unspawn command) or by 'corc unspawn'.",
                "Tunnels are held only by a service that embeds the spawner (io.corc.spawner); the CLI opens none."
                        + " On a provider without SSH (local) the session runs on this machine."
            },
            footer = {
                "",
                "Examples:",
                "  corc spawn alice sandbox --minutes 30",
                "  corc spawn bob oci-small --min-cores 2 --min-memory 8 --template notebook -o json",
                "",
                "Exit codes: 0 spawned; 2 invalid user, duration or definition file; 3 unknown deployment or"
                        + " template; others as the failing step's (docs/exit-codes.md)."
            })
    static final class Spawn implements Callable<Integer> {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "USER", description = "The user the session is for.")
        String user;

        @Parameters(index = "1", paramLabel = "DEPLOYMENT", description = "A deployment of the deployment file.")
        String deployment;

        @Option(
                names = "--template",
                paramLabel = "NAME",
                description = "Template (default: the deployment's, else 'default').")
        String template;

        @Option(
                names = "--minutes",
                paramLabel = "N",
                description = "How long the session may run (default: ${DEFAULT-VALUE}).")
        long minutes = 60;

        @Option(names = "--min-cores", paramLabel = "N", description = "At least this many cores.")
        int minCores;

        @Option(names = "--min-memory", paramLabel = "GB", description = "At least this much memory, GiB.")
        double minMemory;

        @Option(names = "--gpus", paramLabel = "N", description = "GPUs.")
        int gpus;

        @Option(
                names = "--resource",
                paramLabel = "ID",
                description = "Run on this running resource instead of starting one (it is left running).")
        String resource;

        @picocli.CommandLine.Mixin
        DefinitionFiles files = new DefinitionFiles();

        Spawn(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            try (Spawner spawner = spawner(context, files)) {
                spawner.stopExpired();
                Session session = spawner.spawn(
                        user,
                        deployment,
                        new SpawnSpec(template, minCores, minMemory, gpus, resource),
                        Duration.ofMinutes(minutes),
                        context.progress());
                context.emit(Views.document("success", "session", session.toMap()), out -> {
                    out.println("Spawned " + session.id() + " for " + session.user() + " on " + session.resourceId()
                            + " (" + session.provider() + "), until " + session.expiresAt());
                    session.notes().forEach(note -> out.println("note: " + note));
                });
            }
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "spawns",
            mixinStandardHelpOptions = true,
            description = {
                SPAWNS_DESCRIPTION,
                "Each running session's command is checked: 'ended' means it exited (its resource stays until the"
                        + " session expires or is unspawned)."
            },
            footer = {"", "Examples:", "  corc spawns", "  corc spawns --user alice -o json"})
    static final class Spawns implements Callable<Integer> {
        private final CliContext context;

        @Option(names = "--user", paramLabel = "USER", description = "Only this user's sessions.")
        String user;

        Spawns(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            try (Spawner spawner = spawner(context, null)) {
                List<String> expired = spawner.stopExpired();
                List<Session> sessions = new ArrayList<>();
                for (Session s : spawner.list()) {
                    if (user == null || user.equals(s.user())) {
                        try {
                            sessions.add(spawner.poll(s.id()));
                        } catch (CorcException e) {
                            sessions.add(s); // unreachable now: shown as recorded
                        }
                    }
                }
                context.emit(
                        Views.document(
                                "success",
                                "sessions",
                                sessions.stream().map(Session::toMap).toList(),
                                "expired",
                                expired),
                        out -> {
                            expired.forEach(id -> out.println("Stopped " + id + ": its time was up"));
                            Table table =
                                    new Table("ID", "USER", "DEPLOYMENT", "PROVIDER", "RESOURCE", "STATE", "EXPIRES");
                            sessions.forEach(s -> table.row(
                                    s.id(),
                                    s.user(),
                                    s.deployment(),
                                    s.provider(),
                                    s.resourceId(),
                                    s.state(),
                                    Views.time(s.expiresAt())));
                            if (table.isEmpty()) {
                                out.println("No sessions. Start one with: corc spawn USER DEPLOYMENT");
                            } else {
                                table.print(out);
                            }
                        });
            }
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "unspawn",
            mixinStandardHelpOptions = true,
            description = {UNSPAWN_DESCRIPTION, "Stopping a session that is already gone is an error (exit 3)."},
            footer = {"", "Examples:", "  corc unspawn spawn-alice-k3f9qz", "  corc unspawn --user alice -o json"})
    static final class Unspawn implements Callable<Integer> {
        private final CliContext context;

        @Parameters(paramLabel = "SESSION_ID", arity = "0..*", description = "Sessions to stop ('corc spawns').")
        List<String> ids = new ArrayList<>();

        @Option(names = "--user", paramLabel = "USER", description = "Stop every session of this user.")
        String user;

        Unspawn(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            if (ids.isEmpty() && user == null) {
                throw CorcException.invalidInput("name a session id or --user")
                        .withHint("'corc spawns' lists the sessions");
            }
            try (Spawner spawner = spawner(context, null)) {
                List<String> expired = spawner.stopExpired();
                List<String> wanted = new ArrayList<>(ids);
                if (user != null) {
                    spawner.list().stream().filter(s -> user.equals(s.user())).forEach(s -> wanted.add(s.id()));
                }
                List<String> stopped = new ArrayList<>();
                for (String id : wanted) {
                    if (spawner.stop(id)) {
                        stopped.add(id);
                    } else if (!expired.contains(id)) {
                        throw CorcException.notFound("no session '" + id + "'")
                                .withHint("'corc spawns' lists the sessions"
                                        + (stopped.isEmpty() ? "" : "; stopped before this: " + stopped));
                    }
                }
                Map<String, Object> document = new LinkedHashMap<>(Views.document("success", "stopped", stopped));
                document.put("expired", expired);
                context.emit(document, out -> stopped.forEach(id -> out.println("Stopped " + id)));
            }
            return ExitCodes.OK;
        }
    }
}
