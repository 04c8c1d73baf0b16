package io.corc.cli;

import io.corc.api.CorcException;
import io.corc.api.KeyType;
import io.corc.api.PluginConfig;
import io.corc.broker.Lease;
import io.corc.broker.LeaseRequest;
import io.corc.broker.MemberOffer;
import io.corc.broker.ResourceClass;
import io.corc.broker.control.ControlClient;
import io.corc.broker.control.ControlCodec;
import io.corc.core.CorcHome;
import io.corc.ssh.SshKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code corc broker peers|offers|leases|request|renew|release|accounting|metrics}: the running broker, through its control API. */
final class BrokerLeaseCommands {
    private BrokerLeaseCommands() {}

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
            var peers = BrokerCommands.Files.client(context).peers();
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
            List<MemberOffer> offers = BrokerCommands.Files.client(context).offers();
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
            List<Lease> leases = BrokerCommands.Files.client(context).leases();
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
            ControlClient client = BrokerCommands.Files.client(context);
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
            Lease renewed = BrokerCommands.Files.client(context).renew(lease, Durations.parse("--ttl", ttl));
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
            Lease released = BrokerCommands.Files.client(context).release(lease);
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
            var usage = BrokerCommands.Files.client(context).accounting();
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
            String text = BrokerCommands.Files.client(context).metrics();
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
