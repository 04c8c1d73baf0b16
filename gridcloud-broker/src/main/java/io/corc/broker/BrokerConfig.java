package io.corc.broker;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.core.CorcHome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A broker's configuration ({@code broker.yaml}; every key is documented in {@code config-examples/broker.yaml}).
 * Immutable; {@link #builder} makes one in code (tests, embedders), {@link #load} reads the file and reports every
 * problem with its key in one {@link CorcException}.
 *
 * @param organisation this broker's organisation (also the name in its identity key)
 * @param grid the grid (community) name; messages for another grid are dropped
 * @param home the broker's state directory (leases, accounting); default {@code <corc home>/broker}
 * @param identityKey the Ed25519 identity key file; default {@code <home>/identity.key}
 * @param trustStore the trust store file; default {@code <home>/trust.json}
 * @param bindAddress address the JGroups transport binds; default {@code 127.0.0.1}
 * @param port its TCP port (0 = any free port)
 * @param initialHosts peers to contact first, {@code host[port]} each
 * @param encryption {@link TransportSecurity} of the JGroups stack
 * @param gridKey the grid's shared key file for {@link TransportSecurity#SYM}; default {@code <home>/grid.key}
 * @param failureTimeout how long a silent member stays in the view (JGroups FD_ALL3 timeout)
 * @param mergeInterval how often split views look for each other (JGroups MERGE3, upper bound)
 * @param controlPort loopback port of the control API (0 = any free port)
 * @param controlTokenFile file holding the control API's token; default {@code <home>/control.token}
 * @param offerRefresh how often the broker re-publishes its offer (it also does on every change)
 * @param offerTtl how long a published offer stays valid at receivers
 * @param reservationTimeout how long a reservation holds a unit without being confirmed
 * @param replyTimeout how long a requester waits for a peer's answer to one message
 * @param orchestrationTimeout how long a requester waits for an owner to start the resource after CONFIRM
 * @param maxClockSkew messages whose timestamp is further than this from the receiver's clock are stale
 * @param shared the resource classes this organisation shares
 * @param defaultQuota what any member may hold at once, unless {@link #quotas} names it
 * @param quotas per-member quotas
 */
public record BrokerConfig(
        String organisation,
        String grid,
        Path home,
        Path identityKey,
        Path trustStore,
        String bindAddress,
        int port,
        List<String> initialHosts,
        TransportSecurity encryption,
        Path gridKey,
        Duration failureTimeout,
        Duration mergeInterval,
        int controlPort,
        Path controlTokenFile,
        Duration offerRefresh,
        Duration offerTtl,
        Duration reservationTimeout,
        Duration replyTimeout,
        Duration orchestrationTimeout,
        Duration maxClockSkew,
        List<SharedClass> shared,
        Quota defaultQuota,
        Map<String, Quota> quotas) {

    /**
     * How the JGroups transport itself is protected. Application messages are always signed and checked, whatever
     * this is; every mode but {@link #NONE} admits members to the view only with a fresh token signed by an identity
     * key in the trust store (JGroups AUTH with {@code GridAuthToken}).
     */
    public enum TransportSecurity {
        /** Default: {@link #SYM} when the grid key file exists, else {@link #ASYM}; encrypted either way. */
        AUTO,
        /** AUTH, and every message encrypted with the grid's shared AES-256 key ({@link GridKey}, SYM_ENCRYPT). */
        SYM,
        /**
         * AUTH, and a group key the coordinator hands to each admitted member under that member's RSA-2048 key
         * (ASYM_ENCRYPT), made anew when a member leaves: no shared file to distribute.
         */
        ASYM,
        /** Only AUTH: members are admitted by trust, traffic is not encrypted. */
        AUTH,
        /** No transport protection at all (debugging with a packet capture). */
        NONE
    }

    /**
     * Per-member limit at this (owning) organisation.
     *
     * @param maxActiveLeases leases (reserved or active) a member may hold at once
     * @param maxCores cores a member may hold at once (0 = no limit)
     */
    public record Quota(int maxActiveLeases, int maxCores) {
        public static final Quota UNLIMITED = new Quota(Integer.MAX_VALUE, 0);
    }

    /**
     * One resource class this organisation shares: {@code count} units of one shape at one provider.
     *
     * @param name class name, unique in this organisation
     * @param provider the corc provider that orchestrates its units (e.g. {@code local}, {@code oci})
     * @param cores cores per unit
     * @param memoryGb memory per unit, GiB
     * @param gpus GPUs per unit
     * @param gpuType GPU model or {@code null}
     * @param count units shared at most at once
     * @param pricePerHour price per unit-hour (accounting)
     * @param priority lower is offered first among equal prices
     * @param regions where units run (informational, matched against a request's {@code region} option)
     * @param maxLease longest lease granted on it
     * @param members organisations allowed to use it; {@code *} = every trusted member
     * @param localReserved units kept for this organisation's own users (local-user priority)
     * @param options provider options passed to each start (shape name ...), never secrets
     */
    public record SharedClass(
            String name,
            String provider,
            int cores,
            double memoryGb,
            int gpus,
            String gpuType,
            int count,
            double pricePerHour,
            int priority,
            List<String> regions,
            Duration maxLease,
            List<String> members,
            int localReserved,
            Map<String, String> options) {
        public SharedClass {
            requireNonNull(name, "name is null");
            requireNonNull(provider, "provider is null");
            requireNonNull(maxLease, "maxLease is null");
            regions = regions == null ? List.of() : List.copyOf(regions);
            members = members == null ? List.of("*") : List.copyOf(members);
            options = options == null ? Map.of() : Map.copyOf(options);
        }

        /** A class at {@code provider} with one unit of {@code cores} cores, free, for every member. */
        public static SharedClass of(String name, String provider, int cores, int count, Duration maxLease) {
            return new SharedClass(name, provider, cores, 0, 0, null, count, 0, 0, null, maxLease, null, 0, null);
        }

        /** Whether {@code organisation} may use it (this broker's own organisation always may). */
        public boolean sharedWith(String organisation, String self) {
            return organisation.equals(self) || members.contains("*") || members.contains(organisation);
        }

        public SharedClass withPrice(double price) {
            return new SharedClass(
                    name,
                    provider,
                    cores,
                    memoryGb,
                    gpus,
                    gpuType,
                    count,
                    price,
                    priority,
                    regions,
                    maxLease,
                    members,
                    localReserved,
                    options);
        }

        public SharedClass withMembers(List<String> newMembers) {
            return new SharedClass(
                    name,
                    provider,
                    cores,
                    memoryGb,
                    gpus,
                    gpuType,
                    count,
                    pricePerHour,
                    priority,
                    regions,
                    maxLease,
                    newMembers,
                    localReserved,
                    options);
        }

        public SharedClass withLocalReserved(int units) {
            return new SharedClass(
                    name,
                    provider,
                    cores,
                    memoryGb,
                    gpus,
                    gpuType,
                    count,
                    pricePerHour,
                    priority,
                    regions,
                    maxLease,
                    members,
                    units,
                    options);
        }
    }

    public BrokerConfig {
        BrokerIdentity.validOrganisation(organisation);
        requireNonNull(grid, "grid is null");
        requireNonNull(home, "home is null");
        identityKey = identityKey == null ? home.resolve("identity.key") : identityKey;
        trustStore = trustStore == null ? home.resolve("trust.json") : trustStore;
        bindAddress = bindAddress == null ? "127.0.0.1" : bindAddress;
        initialHosts = initialHosts == null ? List.of() : List.copyOf(initialHosts);
        encryption = encryption == null ? TransportSecurity.AUTO : encryption;
        gridKey = gridKey == null ? home.resolve("grid.key") : gridKey;
        controlTokenFile = controlTokenFile == null ? home.resolve("control.token") : controlTokenFile;
        shared = shared == null ? List.of() : List.copyOf(shared);
        defaultQuota = defaultQuota == null ? Quota.UNLIMITED : defaultQuota;
        quotas = quotas == null ? Map.of() : Map.copyOf(quotas);
        requireNonNull(failureTimeout, "failureTimeout is null");
        requireNonNull(mergeInterval, "mergeInterval is null");
        requireNonNull(offerRefresh, "offerRefresh is null");
        requireNonNull(offerTtl, "offerTtl is null");
        requireNonNull(reservationTimeout, "reservationTimeout is null");
        requireNonNull(replyTimeout, "replyTimeout is null");
        requireNonNull(orchestrationTimeout, "orchestrationTimeout is null");
        requireNonNull(maxClockSkew, "maxClockSkew is null");
    }

    /** The quota that applies to {@code member}. */
    public Quota quotaFor(String member) {
        return quotas.getOrDefault(member, defaultQuota);
    }

    /** The transport protection in effect: {@link TransportSecurity#AUTO} resolved against the grid key file. */
    public TransportSecurity effectiveEncryption() {
        if (encryption != TransportSecurity.AUTO) {
            return encryption;
        }
        return java.nio.file.Files.isRegularFile(gridKey) ? TransportSecurity.SYM : TransportSecurity.ASYM;
    }

    /** Where the leases this broker serves are persisted (the owner's side). */
    public Path leasesFile() {
        return home.resolve("leases.json");
    }

    /** Where the leases this broker's users hold at peers are persisted (the requester's side). */
    public Path heldLeasesFile() {
        return home.resolve("held-leases.json");
    }

    /** Where per-member accounting is persisted. */
    public Path accountingFile() {
        return home.resolve("accounting.json");
    }

    /** Reads a {@code broker.yaml}; relative paths in it are relative to the file's directory. */
    public static BrokerConfig load(Path yaml) {
        requireNonNull(yaml, "yaml is null");
        String text;
        try {
            text = Files.readString(yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CorcException.notFound("cannot read the broker configuration " + yaml + ": " + e.getMessage())
                    .withHint("write one like config-examples/broker.yaml");
        }
        return BrokerConfigReader.read(
                text, yaml.toString(), yaml.toAbsolutePath().getParent(), System.getenv());
    }

    /** Reads YAML text; {@code source} names it in errors, relative paths resolve against {@code baseDir}. */
    public static BrokerConfig parse(String yaml, String source, Path baseDir, Map<String, String> env) {
        return BrokerConfigReader.read(yaml, source, baseDir, env);
    }

    /** The default state directory: {@code <corc home>/broker}. */
    public static Path defaultHome(Map<String, String> env) {
        return CorcHome.resolve(env).resolve("broker");
    }

    public static Builder builder(String organisation, String grid, Path home) {
        return new Builder(organisation, grid, home);
    }

    public Builder toBuilder() {
        Builder b = new Builder(organisation, grid, home);
        b.identityKey = identityKey;
        b.trustStore = trustStore;
        b.bindAddress = bindAddress;
        b.port = port;
        b.initialHosts = new ArrayList<>(initialHosts);
        b.encryption = encryption;
        b.gridKey = gridKey;
        b.failureTimeout = failureTimeout;
        b.mergeInterval = mergeInterval;
        b.controlPort = controlPort;
        b.controlTokenFile = controlTokenFile;
        b.offerRefresh = offerRefresh;
        b.offerTtl = offerTtl;
        b.reservationTimeout = reservationTimeout;
        b.replyTimeout = replyTimeout;
        b.orchestrationTimeout = orchestrationTimeout;
        b.maxClockSkew = maxClockSkew;
        b.shared = new ArrayList<>(shared);
        b.defaultQuota = defaultQuota;
        b.quotas = quotas;
        return b;
    }

    /** Defaults as in {@code config-examples/broker.yaml}. */
    public static final class Builder {
        private final String organisation;
        private final String grid;
        private final Path home;
        private Path identityKey;
        private Path trustStore;
        private String bindAddress = "127.0.0.1";
        private int port = 7800;
        private List<String> initialHosts = new ArrayList<>();
        private TransportSecurity encryption = TransportSecurity.AUTO;
        private Path gridKey;
        private Duration failureTimeout = Duration.ofSeconds(10);
        private Duration mergeInterval = Duration.ofSeconds(5);
        private int controlPort;
        private Path controlTokenFile;
        private Duration offerRefresh = Duration.ofSeconds(10);
        private Duration offerTtl = Duration.ofSeconds(30);
        private Duration reservationTimeout = Duration.ofSeconds(30);
        private Duration replyTimeout = Duration.ofSeconds(10);
        private Duration orchestrationTimeout = Duration.ofMinutes(10);
        private Duration maxClockSkew = Duration.ofSeconds(60);
        private List<SharedClass> shared = new ArrayList<>();
        private Quota defaultQuota = Quota.UNLIMITED;
        private Map<String, Quota> quotas = Map.of();

        private Builder(String organisation, String grid, Path home) {
            this.organisation = organisation;
            this.grid = grid;
            this.home = home;
        }

        public Builder identityKey(Path value) {
            identityKey = value;
            return this;
        }

        public Builder trustStore(Path value) {
            trustStore = value;
            return this;
        }

        public Builder bindAddress(String value) {
            bindAddress = value;
            return this;
        }

        public Builder port(int value) {
            port = value;
            return this;
        }

        public Builder initialHosts(List<String> value) {
            initialHosts = new ArrayList<>(value);
            return this;
        }

        public Builder encryption(TransportSecurity value) {
            encryption = value;
            return this;
        }

        public Builder gridKey(Path value) {
            gridKey = value;
            return this;
        }

        public Builder failureTimeout(Duration value) {
            failureTimeout = value;
            return this;
        }

        public Builder mergeInterval(Duration value) {
            mergeInterval = value;
            return this;
        }

        public Builder controlPort(int value) {
            controlPort = value;
            return this;
        }

        public Builder controlTokenFile(Path value) {
            controlTokenFile = value;
            return this;
        }

        public Builder offerRefresh(Duration value) {
            offerRefresh = value;
            return this;
        }

        public Builder offerTtl(Duration value) {
            offerTtl = value;
            return this;
        }

        public Builder reservationTimeout(Duration value) {
            reservationTimeout = value;
            return this;
        }

        public Builder replyTimeout(Duration value) {
            replyTimeout = value;
            return this;
        }

        public Builder orchestrationTimeout(Duration value) {
            orchestrationTimeout = value;
            return this;
        }

        public Builder maxClockSkew(Duration value) {
            maxClockSkew = value;
            return this;
        }

        public Builder share(SharedClass value) {
            shared.add(value);
            return this;
        }

        public Builder shared(List<SharedClass> value) {
            shared = new ArrayList<>(value);
            return this;
        }

        public Builder defaultQuota(Quota value) {
            defaultQuota = value;
            return this;
        }

        public Builder quotas(Map<String, Quota> value) {
            quotas = Map.copyOf(value);
            return this;
        }

        public BrokerConfig build() {
            return new BrokerConfig(
                    organisation,
                    grid,
                    home,
                    identityKey,
                    trustStore,
                    bindAddress,
                    port,
                    initialHosts,
                    encryption,
                    gridKey,
                    failureTimeout,
                    mergeInterval,
                    controlPort,
                    controlTokenFile,
                    offerRefresh,
                    offerTtl,
                    reservationTimeout,
                    replyTimeout,
                    orchestrationTimeout,
                    maxClockSkew,
                    shared,
                    defaultQuota,
                    quotas);
        }
    }
}
