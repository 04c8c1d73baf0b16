package io.corc.cli;

import io.corc.api.CorcException;
import io.corc.broker.BrokerConfig;
import io.corc.broker.TrustStore;
import io.corc.broker.control.ControlClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine;

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
                .addSubcommand("add", new BrokerTrustCommands.TrustAdd(context))
                .addSubcommand("list", new BrokerTrustCommands.TrustList(context))
                .addSubcommand("remove", new BrokerTrustCommands.TrustRemove(context));
        return Group.of(
                        DESCRIPTION,
                        "corc broker keygen --organisation org-a",
                        "corc broker start --config broker.yaml --daemon",
                        "corc broker request --min-cores 2 --ttl 2h",
                        "corc broker stop")
                .addSubcommand("start", new BrokerDaemonCommands.Start(context))
                .addSubcommand("stop", new BrokerDaemonCommands.Stop(context))
                .addSubcommand("status", new BrokerDaemonCommands.Status(context))
                .addSubcommand("keygen", new BrokerTrustCommands.Keygen(context))
                .addSubcommand("grid-key", new BrokerTrustCommands.GridKeygen(context))
                .addSubcommand("trust", trust)
                .addSubcommand("peers", new BrokerLeaseCommands.Peers(context))
                .addSubcommand("offers", new BrokerLeaseCommands.Offers(context))
                .addSubcommand("leases", new BrokerLeaseCommands.Leases(context))
                .addSubcommand("request", new BrokerLeaseCommands.Request(context))
                .addSubcommand("renew", new BrokerLeaseCommands.Renew(context))
                .addSubcommand("release", new BrokerLeaseCommands.Release(context))
                .addSubcommand("accounting", new BrokerLeaseCommands.Accounting(context))
                .addSubcommand("metrics", new BrokerLeaseCommands.Metrics(context));
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

        static Path gridKey(CliContext context) {
            return config(context)
                    .map(BrokerConfig::gridKey)
                    .orElse(BrokerConfig.defaultHome(context.env).resolve("grid.key"));
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
}
