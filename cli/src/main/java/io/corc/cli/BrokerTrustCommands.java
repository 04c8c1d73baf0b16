package io.corc.cli;

import io.corc.api.CorcException;
import io.corc.broker.BrokerConfig;
import io.corc.broker.BrokerIdentity;
import io.corc.broker.GridKey;
import io.corc.broker.TrustStore;
import io.corc.broker.TrustedMember;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code corc broker keygen} and {@code corc broker trust add|list|remove}: identity and trust, on files. */
final class BrokerTrustCommands {
    private BrokerTrustCommands() {}

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
            Optional<BrokerConfig> config = BrokerCommands.Files.config(context);
            String name = organisation != null
                    ? organisation
                    : config.map(BrokerConfig::organisation).orElse(null);
            if (name == null) {
                throw CorcException.invalidInput("no organisation name")
                        .withHint("give --organisation NAME (or write broker.yaml first)");
            }
            Path keyFile = BrokerCommands.Files.identityKey(context);
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

    @Command(
            name = "grid-key",
            mixinStandardHelpOptions = true,
            description = {
                "Make the grid's shared AES-256 transport key (JGroups SYM_ENCRYPT) in the broker's state directory.",
                "One member makes it and gives the file to every other member over a private channel; a broker uses"
                        + " it when the file exists (encryption: auto). Without it the transport is encrypted by"
                        + " per-view keys (ASYM_ENCRYPT). The key only hides traffic: joining needs a trusted"
                        + " identity key and every message is signed, so a leaked grid key lets no one join or forge."
            },
            footer = {
                "",
                "Examples:",
                "  corc broker grid-key --grid physics",
                "  scp ~/.corc/broker/grid.key member-host:.corc/broker/grid.key",
                "",
                "Exit codes: 0 made; 2 no grid name given; 6 a grid key exists (all members must hold the same one)."
            })
    static final class GridKeygen implements Callable<Integer> {
        private final CliContext context;

        @Option(names = "--grid", paramLabel = "NAME", description = "The grid's name (default: broker.yaml's grid).")
        String grid;

        GridKeygen(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            String name = grid != null
                    ? grid
                    : BrokerCommands.Files.config(context)
                            .map(BrokerConfig::grid)
                            .orElse(null);
            if (name == null) {
                throw CorcException.invalidInput("no grid name")
                        .withHint("give --grid NAME (or write broker.yaml first)");
            }
            Path keyFile = BrokerCommands.Files.gridKey(context);
            GridKey key = GridKey.generate(keyFile, name);
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("grid", key.grid());
            view.put("fingerprint", key.fingerprint());
            view.put("key_file", keyFile.toString());
            context.emit(Views.document("success", "grid_key", view), out -> {
                out.println("Made the shared transport key of grid " + key.grid() + " in " + keyFile);
                out.println("Fingerprint: " + key.fingerprint());
                out.println("Give the file to every member over a private channel; brokers restarted with it use"
                        + " SYM_ENCRYPT.");
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
            TrustStore store = BrokerCommands.Files.trustStore(context);
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
            List<TrustedMember> members =
                    BrokerCommands.Files.trustStore(context).list();
            context.emit(
                    Views.document(
                            "success",
                            "members",
                            members.stream().map(BrokerTrustCommands::member).toList()),
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
            if (!BrokerCommands.Files.trustStore(context).remove(member)) {
                throw CorcException.notFound("no trusted member '" + member + "'")
                        .withHint("'corc broker trust list' shows the members");
            }
            context.emit(
                    Views.document("success", "removed", member), out -> out.println("No longer trusting " + member));
            return ExitCodes.OK;
        }
    }
}
