package io.corc.cli;

import io.corc.api.CorcException;
import io.corc.api.KeyType;
import io.corc.api.PluginConfig;
import io.corc.broker.BrokerConfig;
import io.corc.broker.BrokerIdentity;
import io.corc.broker.GridBroker;
import io.corc.broker.Lease;
import io.corc.broker.LeaseRequest;
import io.corc.broker.MemberOffer;
import io.corc.broker.ResourceClass;
import io.corc.broker.TrustStore;
import io.corc.broker.TrustedMember;
import io.corc.broker.control.ControlClient;
import io.corc.broker.control.ControlCodec;
import io.corc.broker.daemon.BrokerDaemon;
import io.corc.broker.daemon.DaemonLauncher;
import io.corc.core.Corc;
import io.corc.core.CorcHome;
import io.corc.ssh.SshKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code corc broker ...}: the grid-of-clouds broker daemon (docs/broker.md). Lifecycle and identity commands work
 * on files; everything else talks to the running broker through its control API ({@link ControlClient}). For these
 * commands the global {@code --config} names the broker's {@code broker.yaml} (default {@code <corc
 * home>/broker/broker.yaml}); corc's own configuration comes from {@code CORC_CONFIG_FILE} or {@code <corc
 * home>/config.yaml}, as for the daemon.
 */
final class BrokerCommands {
    static final String DESCRIPTION = "Run this organisation's grid broker and lease resources from trusted peers.";
    static final String CONFIG_DESCRIPTION =
            "The broker's configuration, broker.yaml (default: <corc home>/broker/broker.yaml).";

    private BrokerCommands() {}

    static CommandLine tree(CliContext context) {
        CommandLine trust = Group.of(
                        "Manage the member organisations whose broker keys this broker trusts.",
                        "corc broker trust add org-b.pub",
                        "corc broker trust list",
                        "corc broker trust remove org-b")
                .addSubcommand("add", new TrustAdd(context))
                .addSubcommand("list", new TrustList(context))
                .addSubcommand("remove", new TrustRemove(context));
        return Group.of(
                        DESCRIPTION,
                        "corc broker keygen --organisation org-a",
                        "corc broker start --config broker.yaml --daemon",
                        "corc broker request --min-cores 2 --ttl 2h",
                        "corc broker stop")
                .addSubcommand("start", new Start(context))
                .addSubcommand("stop", new Stop(context))
                .addSubcommand("status", new Status(context))
                .addSubcommand("keygen", new Keygen(context))
                .addSubcommand("trust", trust)
                .addSubcommand("peers", new Peers(context))
                .addSubcommand("offers", new Offers(context))
                .addSubcommand("leases", new Leases(context))
                .addSubcommand("request", new Request(context))
                .addSubcommand("renew", new Renew(context))
                .addSubcommand("release", new Release(context))
                .addSubcommand("accounting", new Accounting(context))
                .addSubcommand("metrics", new Metrics(context));
    }

    /** Renames what the global {@code --config} means below {@code corc broker}: broker.yaml. */
    static void describeConfigOption(CommandLine commandLine) {
        CommandLine.Model.CommandSpec spec = commandLine.getCommandSpec();
        CommandLine.Model.OptionSpec config = spec.findOption("--config");
        if (config != null) {
            spec.remove(config);
            spec.addOption(CommandLine.Model.OptionSpec.builder(config)
                    .description(CONFIG_DESCRIPTION)
                    .build());
        }
        commandLine.getSubcommands().values().forEach(BrokerCommands::describeConfigOption);
    }

    /** Where the broker's files are, from broker.yaml when there is one. */
    static final class Files {
        private Files() {}

        /** The broker.yaml in use: the one given, else the default when it exists. */
        static Optional<BrokerConfig> config(CliContext context) {
            Path given = context.global.configFile;
            Path file = given != null
                    ? context.workingDirectory().resolve(given)
                    : BrokerConfig.defaultHome(context.env).resolve("broker.yaml");
            if (!java.nio.file.Files.isRegularFile(file)) {
                if (given != null) {
                    throw CorcException.notFound("no broker configuration at " + file)
                            .withHint("write one like config-examples/broker.yaml (docs/broker.md)");
                }
                return Optional.empty();
            }
            return Optional.of(load(context, file));
        }

        static BrokerConfig required(CliContext context) {
            return config(context).orElseThrow(() -> CorcException.notFound("no broker configuration: "
                            + BrokerConfig.defaultHome(context.env).resolve("broker.yaml")
                            + " does not exist")
                    .withHint("give --config broker.yaml, or write that file (config-examples/broker.yaml)"));
        }

        static BrokerConfig load(CliContext context, Path file) {
            String text;
            try {
                text = java.nio.file.Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw CorcException.notFound("cannot read the broker configuration " + file + ": " + e.getMessage());
            }
            return BrokerConfig.parse(
                    text, file.toString(), file.toAbsolutePath().getParent(), context.env);
        }

        static Path stateDir(CliContext context) {
            return config(context).map(BrokerConfig::home).orElse(BrokerConfig.defaultHome(context.env));
        }

        static Path identityKey(CliContext context) {
            return config(context)
                    .map(BrokerConfig::identityKey)
                    .orElse(BrokerConfig.defaultHome(context.env).resolve("identity.key"));
        }

        static TrustStore trustStore(CliContext context) {
            return TrustStore.load(config(context)
                    .map(BrokerConfig::trustStore)
                    .orElse(BrokerConfig.defaultHome(context.env).resolve("trust.json")));
        }

        static ControlClient client(CliContext context) {
            return ControlClient.connect(stateDir(context));
        }
    }

    @Command(
            name = "start",
            mixinStandardHelpOptions = true,
            description = {
                "Start this organisation's broker: join the grid, publish the offers broker.yaml shares and answer"
                        + " the control API on 127.0.0.1.",
                "In the foreground until Ctrl-C or 'corc broker stop'; with --daemon in a detached process (output in"
                        + " broker.log of the state directory) and return once it answers. Either way it leaves the"
                        + " grid gracefully when stopped: it releases the leases its users hold and tears down what"
                        + " it serves."
            },
            footer = {
                "",
                "Examples:",
                "  corc broker start --config broker.yaml",
                "  corc broker start --config broker.yaml --daemon -o json",
                "",
                "Exit codes: 0 started (or stopped, in the foreground); 2 bad broker.yaml; 3 no broker.yaml or no"
                        + " identity key; 6 a broker already runs with that state directory; 7 cannot join."
            })
    static final class Start implements Callable<Integer> {
        private final CliContext context;

        @Option(names = "--daemon", description = "Run detached and return once the broker answers.")
        boolean daemon;

        @Option(
                names = "--timeout",
                paramLabel = "DURATION",
                description = "With --daemon: how long to wait for it to answer (default: ${DEFAULT-VALUE}).")
        String timeout = "60s";

        Start(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws InterruptedException {
            BrokerConfig config = Files.required(context);
            Path yaml = context.global.configFile == null
                    ? BrokerConfig.defaultHome(context.env).resolve("broker.yaml")
                    : context.workingDirectory().resolve(context.global.configFile);
            if (daemon) {
                DaemonLauncher.DaemonState state = DaemonLauncher.startDetached(
                        yaml, null, context.env, config.home(), Durations.parse("--timeout", timeout));
                Map<String, Object> view = daemonView(state, config.home());
                context.emit(Views.document("running", "daemon", view), out -> {
                    out.println("Broker " + config.organisation() + " running in grid " + config.grid() + " (pid "
                            + state.pid() + "), log: " + config.home().resolve(DaemonLauncher.LOG_FILE));
                    out.println("Stop it with: corc broker stop");
                });
                return ExitCodes.OK;
            }
            Corc corc = Corc.builder().environment(context.env).build();
            BrokerDaemon running = BrokerDaemon.start(config, corc, GridBroker::start);
            Thread hook = new Thread(running::close, "corc-broker-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("pid", running.pid());
                view.put("control_port", running.controlPort());
                view.put("state_dir", config.home().toString());
                view.put("broker", ControlCodec.status(running.broker().status()));
                context.emit(
                        Views.document("running", "daemon", view),
                        out -> out.println("Broker "
                                + config.organisation() + " running in grid " + config.grid() + " (pid " + running.pid()
                                + ", control API on 127.0.0.1:" + running.controlPort() + "). Ctrl-C stops it."));
                running.await();
            } catch (InterruptedException e) {
                // stopped by whoever runs corc in-process; Ctrl-C stops it through the shutdown hook
                Thread.currentThread().interrupt();
            } finally {
                running.close();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or has run
                }
            }
            return ExitCodes.OK;
        }
    }

    static Map<String, Object> daemonView(DaemonLauncher.DaemonState state, Path stateDir) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("pid", state.running() ? state.pid() : null);
        view.put("state_dir", stateDir.toString());
        view.put("log", stateDir.resolve(DaemonLauncher.LOG_FILE).toString());
        view.put("stale_pid_removed", state.stalePidRemoved());
        view.put("broker", state.broker() == null ? null : ControlCodec.status(state.broker()));
        return view;
    }

    @Command(
            name = "stop",
            mixinStandardHelpOptions = true,
            description = {
                "Stop the running broker gracefully: it releases what its users hold, tears down what it serves and"
                        + " leaves the grid. Falls back to SIGTERM, then SIGKILL, after --timeout.",
                "Stopping a broker that is not running is not an error (status not_running)."
            },
            footer = {"", "Examples:", "  corc broker stop", "  corc broker stop --config broker.yaml --timeout 2m"})
    static final class Stop implements Callable<Integer> {
        private final CliContext context;

        @Option(
                names = "--timeout",
                paramLabel = "DURATION",
                description = "How long each step may take (default: ${DEFAULT-VALUE}).")
        String timeout = "60s";

        Stop(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Path stateDir = Files.stateDir(context);
            DaemonLauncher.StopResult result = DaemonLauncher.stop(stateDir, Durations.parse("--timeout", timeout));
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("pid", result.pid() > 0 ? result.pid() : null);
            view.put("how", result.how());
            context.emit(
                    Views.document(result.wasRunning() ? "success" : "not_running", "stop", view),
                    out -> out.println(
                            result.wasRunning()
                                    ? "Stopped the broker (pid " + result.pid() + ", " + describe(result.how()) + ")"
                                    : "No broker is running (" + stateDir + ")"));
            return ExitCodes.OK;
        }

        private static String describe(String how) {
            return switch (how) {
                case "control" -> "gracefully";
                case "sigterm" -> "with SIGTERM after the control API did not stop it";
                default -> "with SIGKILL: it did not stop gracefully, its leases expire at their owners";
            };
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = {
                "Say whether the broker runs, with its pid, organisation, grid and members.",
                "Exit code 1 (status not_running) when it does not run; a stale pid file is removed."
            },
            footer = {"", "Examples:", "  corc broker status", "  corc broker status -o json"})
    static final class Status implements Callable<Integer> {
        private final CliContext context;

        Status(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Path stateDir = Files.stateDir(context);
            DaemonLauncher.DaemonState state = DaemonLauncher.status(stateDir);
            context.emit(
                    Views.document(state.running() ? "running" : "not_running", "daemon", daemonView(state, stateDir)),
                    out -> {
                        if (!state.running()) {
                            out.println("Not running (" + stateDir + ")"
                                    + (state.stalePidRemoved()
                                            ? "; removed the stale pid file of process " + state.pid()
                                            : ""));
                            return;
                        }
                        var b = state.broker();
                        if (b == null) {
                            out.println("Running (pid " + state.pid() + "), but its control API does not answer");
                            return;
                        }
                        out.println("Running: " + b.organisation() + " in grid " + b.grid() + " (pid " + state.pid()
                                + ", " + b.state() + ")");
                        out.println("Key: " + b.keyFingerprint());
                        out.println("Address: " + b.address());
                        out.println("Members (" + b.members().size() + "): " + String.join(", ", b.members()));
                        out.println("Leases: " + b.leasesOwned() + " served, " + b.leasesHeld() + " held");
                    });
            return state.running() ? ExitCodes.OK : ExitCodes.FAILED_OUTCOME;
        }
    }

    @Command(
            name = "keygen",
            mixinStandardHelpOptions = true,
            description = {
                "Make this organisation's long-term Ed25519 broker identity key and print its public line.",
                "Give that line to the other members ('corc broker trust add'); the private key (0600) never leaves"
                        + " this machine. An existing key is kept unless --force."
            },
            footer = {
                "",
                "Examples:",
                "  corc broker keygen --organisation org-a",
                "  corc broker keygen -o json",
                "",
                "Exit codes: 0 made; 2 invalid organisation name or none given; 6 a key exists (use --force)."
            })
    static final class Keygen implements Callable<Integer> {
        private final CliContext context;

        @Option(
                names = "--organisation",
                paramLabel = "NAME",
                description = "This organisation's name (default: broker.yaml's organisation).")
        String organisation;

        @Option(names = "--force", description = "Replace an existing key (members must trust the new one).")
        boolean force;

        Keygen(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Optional<BrokerConfig> config = Files.config(context);
            String name = organisation != null
                    ? organisation
                    : config.map(BrokerConfig::organisation).orElse(null);
            if (name == null) {
                throw CorcException.invalidInput("no organisation name")
                        .withHint("give --organisation NAME (or write broker.yaml first)");
            }
            Path keyFile = Files.identityKey(context);
            BrokerIdentity identity = BrokerIdentity.generate(keyFile, name, force);
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("organisation", identity.organisation());
            view.put("fingerprint", identity.fingerprint());
            view.put("public_key", identity.publicKeyText());
            view.put("key_file", keyFile.toString());
            context.emit(Views.document("success", "identity", view), out -> {
                out.println("Made the broker identity of " + identity.organisation() + " in " + keyFile);
                out.println("Fingerprint: " + identity.fingerprint());
                out.println("Public key (give this line to the other members):");
                out.println(identity.publicKeyText());
            });
            return ExitCodes.OK;
        }
    }

    static Map<String, Object> member(TrustedMember member) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("organisation", member.organisation());
        view.put("fingerprint", member.fingerprint());
        view.put("public_key", member.publicKeyText());
        view.put("added_at", Views.time(member.added()));
        return view;
    }

    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description = {
                "Trust a member organisation's broker key: a file holding the line 'corc broker keygen' printed, or"
                        + " the line itself.",
                "Compare the fingerprint with the member over another channel before trusting it. A running broker"
                        + " reads the trust store again within one offer refresh interval (offers.refresh_interval)."
            },
            footer = {
                "",
                "Examples:",
                "  corc broker trust add org-b.pub",
                "  corc broker trust add \"corc-broker-ed25519 MCow... org-b\"",
                "  corc broker trust add org-b.pub --organisation partner-b",
                "",
                "Exit codes: 0 trusted; 2 not a broker key line; 6 the organisation is trusted with another key."
            })
    static final class TrustAdd implements Callable<Integer> {
        private final CliContext context;

        @Parameters(paramLabel = "FILE|KEYTEXT", description = "Key file or key line.")
        String key;

        @Option(
                names = "--organisation",
                paramLabel = "NAME",
                description = "Trust it under this name (default: the name at the end of the line).")
        String organisation;

        TrustAdd(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            String line = key;
            Path file = context.workingDirectory().resolve(key.strip());
            if (!key.strip().startsWith(BrokerIdentity.KEY_TYPE) && java.nio.file.Files.isRegularFile(file)) {
                try {
                    line = java.nio.file.Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                            .filter(l -> !l.isBlank() && !l.startsWith("#"))
                            .findFirst()
                            .orElse("");
                } catch (IOException e) {
                    throw CorcException.notFound("cannot read " + file + ": " + e.getMessage());
                }
            }
            TrustStore store = Files.trustStore(context);
            TrustedMember member = store.add(organisation, line);
            context.emit(
                    Views.document("success", "member", member(member)),
                    out -> out.println(
                            "Trusted " + member.organisation() + " (" + member.fingerprint() + ") in " + store.file()));
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List the trusted member organisations with their key fingerprints.",
            footer = {"", "Examples:", "  corc broker trust list", "  corc broker trust list -o json"})
    static final class TrustList implements Callable<Integer> {
        private final CliContext context;

        TrustList(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            List<TrustedMember> members = Files.trustStore(context).list();
            context.emit(
                    Views.document(
                            "success",
                            "members",
                            members.stream().map(BrokerCommands::member).toList()),
                    out -> {
                        if (members.isEmpty()) {
                            out.println("No member is trusted yet. Add one with: corc broker trust add FILE");
                            return;
                        }
                        Table table = new Table("ORGANISATION", "FINGERPRINT", "ADDED");
                        members.forEach(m -> table.row(m.organisation(), m.fingerprint(), Views.time(m.added())));
                        table.print(out);
                    });
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "remove",
            mixinStandardHelpOptions = true,
            description = {
                "Stop trusting a member: its messages are dropped from then on and it is no longer offered anything.",
                "Exit code 3 when no member has that name or fingerprint."
            },
            footer = {"", "Examples:", "  corc broker trust remove org-b", "  corc broker trust remove SHA256:Xy..."})
    static final class TrustRemove implements Callable<Integer> {
        private final CliContext context;

        @Parameters(paramLabel = "ORG|FINGERPRINT", description = "The member's organisation or key fingerprint.")
        String member;

        TrustRemove(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            if (!Files.trustStore(context).remove(member)) {
                throw CorcException.notFound("no trusted member '" + member + "'")
                        .withHint("'corc broker trust list' shows the members");
            }
            context.emit(
                    Views.document("success", "removed", member), out -> out.println("No longer trusting " + member));
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "peers",
            mixinStandardHelpOptions = true,
            description = "List the grid's current members as the running broker sees them, trusted or not.",
            footer = {"", "Examples:", "  corc broker peers", "  corc broker peers -o json"})
    static final class Peers implements Callable<Integer> {
        private final CliContext context;

        Peers(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            var peers = Files.client(context).peers();
            context.emit(
                    Views.document(
                            "success",
                            "peers",
                            peers.stream().map(ControlCodec::peer).toList()),
                    out -> {
                        Table table = new Table("ORGANISATION", "ADDRESS", "TRUSTED", "FINGERPRINT", "LAST MESSAGE");
                        peers.forEach(p -> table.row(
                                p.organisation() + (p.self() ? " (this broker)" : ""),
                                p.address(),
                                p.trusted() ? "yes" : "NO",
                                p.keyFingerprint(),
                                Views.time(p.lastMessage())));
                        table.print(out);
                    });
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "offers",
            mixinStandardHelpOptions = true,
            description = "List the latest valid signed offer of every member: its resource classes and free units.",
            footer = {"", "Examples:", "  corc broker offers", "  corc broker offers -o yaml"})
    static final class Offers implements Callable<Integer> {
        private final CliContext context;

        Offers(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            List<MemberOffer> offers = Files.client(context).offers();
            context.emit(
                    Views.document(
                            "success",
                            "offers",
                            offers.stream().map(ControlCodec::offer).toList()),
                    out -> {
                        Table table = new Table(
                                "MEMBER",
                                "CLASS",
                                "CORES",
                                "MEMORY GB",
                                "GPUS",
                                "FREE",
                                "PRICE/H",
                                "MAX LEASE",
                                "EXPIRES");
                        for (MemberOffer offer : offers) {
                            for (ResourceClass c : offer.classes()) {
                                table.row(
                                        offer.organisation(),
                                        c.name(),
                                        c.cores(),
                                        c.memoryGb(),
                                        c.gpus() == 0 ? "0" : c.gpus() + (c.gpuType() == null ? "" : " " + c.gpuType()),
                                        c.available(),
                                        c.pricePerHour(),
                                        c.maxLease() == null ? null : human(c.maxLease()),
                                        Views.time(offer.expires()));
                            }
                        }
                        if (table.isEmpty()) {
                            out.println("No offers. Members publish what their broker.yaml shares.");
                        } else {
                            table.print(out);
                        }
                    });
            return ExitCodes.OK;
        }
    }

    static void leaseTable(java.io.PrintStream out, List<Lease> leases) {
        Table table = new Table("LEASE", "STATE", "OWNER", "REQUESTER", "CLASS", "ENDPOINT", "EXPIRES");
        leases.forEach(l -> table.row(
                l.id(),
                l.state().name().toLowerCase(Locale.ROOT),
                l.owner(),
                l.requester(),
                l.resourceClass(),
                l.endpoint() == null ? null : endpoint(l.endpoint()),
                Views.time(l.expires())));
        table.print(out);
    }

    @Command(
            name = "leases",
            mixinStandardHelpOptions = true,
            description = "List the leases this broker serves (owner) and holds (its users obtained them).",
            footer = {"", "Examples:", "  corc broker leases", "  corc broker leases -o json"})
    static final class Leases implements Callable<Integer> {
        private final CliContext context;

        Leases(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            List<Lease> leases = Files.client(context).leases();
            context.emit(
                    Views.document(
                            "success",
                            "leases",
                            leases.stream().map(ControlCodec::lease).toList()),
                    out -> {
                        if (leases.isEmpty()) {
                            out.println("No leases. Ask for one with: corc broker request --min-cores 2 --ttl 1h");
                        } else {
                            leaseTable(out, leases);
                        }
                    });
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "request",
            mixinStandardHelpOptions = true,
            description = {
                "Lease a resource through the grid: served by this organisation when its policy and capacity allow,"
                        + " else reserved and confirmed with the best matching peer, which starts it with its own"
                        + " provider and credentials and installs your SSH public key.",
                "Waits until the resource is up and prints its endpoint and the lease id."
            },
            footer = {
                "",
                "Examples:",
                "  corc broker request --min-cores 8 --gpus 1 --ttl 2h",
                "  corc broker request --min-cores 2 --min-memory 4 --ttl 30m --ssh-public-key ~/.ssh/id_ed25519.pub",
                "  corc broker request --gpus 1 --gpu-type a100 --ttl 2h --member org-b -o json",
                "",
                "Exit codes: 0 granted; 2 no member's policy could ever grant it (e.g. TTL above every max lease);"
                        + " 5 no capacity now; 7 the broker is not running or not in its grid."
            })
    static final class Request implements Callable<Integer> {
        private final CliContext context;

        @Option(names = "--min-cores", paramLabel = "N", description = "At least this many cores.")
        int minCores;

        @Option(names = "--min-memory", paramLabel = "GB", description = "At least this much memory, GiB.")
        double minMemory;

        @Option(names = "--gpus", paramLabel = "N", description = "At least this many GPUs.")
        int gpus;

        @Option(names = "--gpu-type", paramLabel = "TYPE", description = "GPU model, e.g. a100.")
        String gpuType;

        @Option(names = "--ttl", paramLabel = "DURATION", required = true, description = "Lease time: 30m, 2h, 1d.")
        String ttl;

        @Option(
                names = "--ssh-public-key",
                paramLabel = "FILE",
                description = "Public key to install (default: corc's own, <corc home>/ssh/id_ed25519.pub).")
        Path sshPublicKey;

        @Option(names = "--region", paramLabel = "REGION", description = "Only members' classes in this region.")
        String region;

        @Option(names = "--member", paramLabel = "ORG", description = "Ask only this member (this organisation too).")
        String member;

        Request(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            ControlClient client = Files.client(context);
            Map<String, String> options = new LinkedHashMap<>();
            if (region != null) {
                options.put(LeaseRequest.OPTION_REGION, region);
            }
            if (member != null) {
                options.put(LeaseRequest.OPTION_MEMBER, member);
            }
            Lease lease = client.request(new LeaseRequest(
                    minCores,
                    minMemory,
                    gpus,
                    gpuType,
                    Durations.parse("--ttl", ttl),
                    publicKey(),
                    user(context),
                    options));
            context.emit(Views.document("success", "lease", ControlCodec.lease(lease)), out -> {
                out.println("Lease " + lease.id() + " from " + lease.owner() + " (" + lease.resourceClass() + "), "
                        + lease.state().name().toLowerCase(Locale.ROOT) + " until " + Views.time(lease.expires()));
                if (lease.endpoint() != null) {
                    out.println("Endpoint: " + endpoint(lease.endpoint()));
                }
                out.println("Renew: corc broker renew " + lease.id() + " --ttl 1h; release: corc broker release "
                        + lease.id());
            });
            return ExitCodes.OK;
        }

        private String publicKey() {
            if (sshPublicKey != null) {
                Path file = context.workingDirectory().resolve(sshPublicKey);
                try {
                    return java.nio.file.Files.readString(file, StandardCharsets.UTF_8)
                            .strip();
                } catch (IOException e) {
                    throw CorcException.notFound("cannot read the SSH public key " + file)
                            .withHint("give the .pub file of the key you will log in with");
                }
            }
            Path home = CorcHome.resolve(context.env);
            return new SshKeys(home, PluginConfig.empty("ssh"))
                    .loadOrCreate(io.corc.api.Authenticator.DEFAULT_KEY_NAME, KeyType.ED25519)
                    .publicKey();
        }
    }

    /** {@code ssh://user@host:port}, or {@code file:PATH} for a resource on this machine (the local provider). */
    static String endpoint(io.corc.api.Endpoint e) {
        if (e.port() == 0) {
            return e.protocol() + ":" + e.host();
        }
        return e.protocol() + "://" + (e.user() == null ? "" : e.user() + "@") + e.host() + ":" + e.port();
    }

    static String user(CliContext context) {
        String user = context.env.get("USER");
        return user == null || user.isBlank() ? System.getProperty("user.name") : user;
    }

    @Command(
            name = "renew",
            mixinStandardHelpOptions = true,
            description = "Extend a lease you hold by --ttl, within the owner's maximum lease time.",
            footer = {"", "Examples:", "  corc broker renew lease-org-b-k3f9 --ttl 1h"})
    static final class Renew implements Callable<Integer> {
        private final CliContext context;

        @Parameters(paramLabel = "LEASE", description = "Lease id ('corc broker leases').")
        String lease;

        @Option(names = "--ttl", paramLabel = "DURATION", required = true, description = "Extension: 30m, 2h.")
        String ttl;

        Renew(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Lease renewed = Files.client(context).renew(lease, Durations.parse("--ttl", ttl));
            context.emit(
                    Views.document("success", "lease", ControlCodec.lease(renewed)),
                    out -> out.println("Lease " + renewed.id() + " now expires at " + Views.time(renewed.expires())));
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "release",
            mixinStandardHelpOptions = true,
            description = {
                "Give a lease back; its owner tears the resource down. Releasing an ended lease is not an error.",
                "Exit code 3 for an unknown lease."
            },
            footer = {"", "Examples:", "  corc broker release lease-org-b-k3f9"})
    static final class Release implements Callable<Integer> {
        private final CliContext context;

        @Parameters(paramLabel = "LEASE", description = "Lease id ('corc broker leases').")
        String lease;

        Release(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Lease released = Files.client(context).release(lease);
            context.emit(
                    Views.document("success", "lease", ControlCodec.lease(released)),
                    out -> out.println("Released " + released.id() + " ("
                            + released.state().name().toLowerCase(Locale.ROOT) + ")"));
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "accounting",
            mixinStandardHelpOptions = true,
            description = "What each member (this organisation included) has used of this organisation's resources.",
            footer = {"", "Examples:", "  corc broker accounting", "  corc broker accounting -o json"})
    static final class Accounting implements Callable<Integer> {
        private final CliContext context;

        Accounting(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            var usage = Files.client(context).accounting();
            context.emit(
                    Views.document(
                            "success",
                            "members",
                            usage.stream().map(ControlCodec::usage).toList()),
                    out -> {
                        Table table = new Table("MEMBER", "GRANTED", "ACTIVE", "CORE-HOURS", "GPU-HOURS", "COST");
                        usage.forEach(u -> table.row(
                                u.organisation(),
                                u.leasesGranted(),
                                u.activeLeases(),
                                String.format(Locale.ROOT, "%.2f", u.coreHours()),
                                String.format(Locale.ROOT, "%.2f", u.gpuHours()),
                                String.format(Locale.ROOT, "%.2f", u.cost())));
                        if (table.isEmpty()) {
                            out.println("No member has used anything yet.");
                        } else {
                            table.print(out);
                        }
                    });
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "metrics",
            mixinStandardHelpOptions = true,
            description = {
                "Print the broker's metrics in Prometheus text format (requests, grants, rejections by reason,"
                        + " messages, leases).",
                "Prometheus can scrape GET /metrics on the control port with the token file as bearer credentials."
            },
            footer = {"", "Examples:", "  corc broker metrics", "  corc broker metrics | grep rejections"})
    static final class Metrics implements Callable<Integer> {
        private final CliContext context;

        Metrics(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            String text = Files.client(context).metrics();
            context.emit(Views.document("success", "metrics", text), out -> out.print(text));
            return ExitCodes.OK;
        }
    }

    private static String human(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds % 86400 == 0) {
            return seconds / 86400 + "d";
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }
}
