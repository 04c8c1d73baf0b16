package io.corc.broker.transport;

import io.corc.api.CorcException;
import io.corc.broker.BrokerConfig;
import io.corc.broker.BrokerConfig.TransportSecurity;
import io.corc.broker.BrokerIdentity;
import io.corc.broker.GridKey;
import io.corc.broker.TrustStore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.jgroups.JChannel;
import org.jgroups.protocols.ASYM_ENCRYPT;
import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG2;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;

/**
 * The JGroups stack of a broker, built in code from its configuration (no XML, no system properties, so several
 * brokers with different settings can share one JVM). TCP only, bound to the configured address, discovery by the
 * configured initial hosts (TCPPING), diagnostics off, no UDP or multicast anywhere.
 *
 * <p>Security, by {@link BrokerConfig#effectiveEncryption()} (default: SYM when the grid key file exists, else
 * ASYM, so the transport is encrypted unless configured otherwise):
 *
 * <ul>
 *   <li>AUTH, just below GMS, with {@link GridAuthToken} (every mode but NONE): a join or merge is accepted only with
 *       a fresh token signed by an identity key that the coordinator's trust store holds for that organisation, so
 *       only trusted organisations are admitted and receive a group key.
 *   <li>SYM_ENCRYPT, just below NAKACK2/UNICAST3 (SYM): every message is encrypted with AES-256 (CBC, PKCS5
 *       padding, a random IV per message) under the grid's shared key ({@link GridKey}); every member holds the
 *       same key, so split views merge without any key exchange.
 *   <li>ASYM_ENCRYPT instead (ASYM): the same cipher under a group key that the coordinator (key server) sends to
 *       each admitted member encrypted with that member's RSA-2048 public key, made anew when a member leaves, so a
 *       departed member cannot read later traffic. No file to distribute. (Seen once in our partition tests:
 *       JGroups 5.5.7 logged a NullPointerException while installing keys after a merge, and that merge was late.)
 * </ul>
 *
 * CBC gives confidentiality, not integrity: integrity and authenticity come from the Ed25519 signature of every
 * application message, which receivers check whatever the transport does.
 */
public final class GridStack {
    private GridStack() {}

    /** The channel's cluster name for a grid. */
    public static String clusterName(String grid) {
        return "corc-grid-" + grid;
    }

    public static JChannel channel(BrokerConfig config, BrokerIdentity identity, TrustStore trust) {
        try {
            JChannel channel = new JChannel(protocols(config, identity, trust));
            channel.name(config.organisation());
            channel.setDiscardOwnMessages(true);
            return channel;
        } catch (CorcException e) {
            throw e;
        } catch (Exception e) {
            throw new CorcException(
                    io.corc.api.ErrorCategory.UNAVAILABLE,
                    "could not set up the broker transport on " + config.bindAddress() + ":" + config.port() + ": "
                            + e.getMessage(),
                    "broker",
                    "start",
                    "check network.bind_address and network.port (is another broker using the port?)",
                    e);
        }
    }

    static List<Protocol> protocols(BrokerConfig config, BrokerIdentity identity, TrustStore trust) throws Exception {
        long failure = config.failureTimeout().toMillis();
        long merge = config.mergeInterval().toMillis();
        TCP tcp = new TCP();
        tcp.setBindAddress(InetAddress.getByName(config.bindAddress()));
        tcp.setBindPort(config.port());
        tcp.setValue("port_range", 0);
        tcp.setValue("sock_conn_timeout", 300);
        // JGroups leaves Nagle's algorithm on. An owner's reply often follows its offer broadcast on the same
        // connection; Nagle held the reply until the requester ACKed the offer, which Linux delays up to 40 ms: a
        // CONFIRM round trip cost ~30 ms more than the owner's work (measured: 7-10 ms with TCP_NODELAY).
        tcp.setValue("tcp_nodelay", true);
        tcp.disableDiagnostics();
        TCPPING ping = new TCPPING();
        ping.setPortRange(0);
        ping.initialHosts(initialHosts(config));
        ping.asyncDiscovery(true);
        MERGE3 merge3 = new MERGE3().setMinInterval(Math.max(100, merge / 2)).setMaxInterval(Math.max(200, merge));
        FD_ALL3 fd = new FD_ALL3().setTimeout(failure).setInterval(Math.max(100, failure / 4));
        VERIFY_SUSPECT2 verify = new VERIFY_SUSPECT2().setTimeout(Math.max(100, Math.min(1000, failure / 4)));
        List<Protocol> stack = new ArrayList<>(List.of(tcp, ping, merge3, new FD_SOCK2(), fd, verify));
        TransportSecurity security = config.effectiveEncryption();
        if (security == TransportSecurity.SYM) {
            GridKey gridKey = GridKey.load(config.gridKey());
            if (!gridKey.grid().equals(config.grid())) {
                throw CorcException.invalidInput("the grid key " + config.gridKey() + " is for grid " + gridKey.grid()
                        + ", this broker joins " + config.grid());
            }
            SYM_ENCRYPT encrypt = new SYM_ENCRYPT().setSecretKey(gridKey.secretKey());
            configureCipher(encrypt);
            stack.add(encrypt);
        } else if (security == TransportSecurity.ASYM) {
            ASYM_ENCRYPT encrypt = new ASYM_ENCRYPT();
            configureCipher(encrypt);
            encrypt.setValue("asym_keylength", 2048);
            encrypt.setChangeKeyOnLeave(true);
            stack.add(encrypt);
        }
        NAKACK2 nakack = new NAKACK2().useMcastXmit(false);
        stack.add(nakack);
        stack.add(new UNICAST3());
        STABLE stable = new STABLE();
        stable.setValue("desired_avg_gossip", 5000L);
        stable.setValue("max_bytes", 1_000_000L);
        stack.add(stable);
        if (security != TransportSecurity.NONE) {
            AUTH auth = new AUTH();
            GridAuthToken token = new GridAuthToken(identity, trust, config.grid(), config.maxClockSkew());
            auth.setAuthToken(token);
            token.setAuth(auth);
            stack.add(auth);
        }
        GMS gms = new GMS().printLocalAddress(false).setJoinTimeout(1000);
        gms.setValue("merge_timeout", Math.max(1000, Math.min(5000, merge)));
        stack.add(gms);
        stack.add(new MFC());
        stack.add(new UFC());
        stack.add(new FRAG2());
        return stack;
    }

    private static void configureCipher(Protocol encrypt) {
        encrypt.setValue("sym_algorithm", "AES/CBC/PKCS5Padding");
        encrypt.setValue("sym_iv_length", 16);
        encrypt.setValue("sym_keylength", 256);
    }

    private static List<InetSocketAddress> initialHosts(BrokerConfig config) {
        List<InetSocketAddress> hosts = new ArrayList<>();
        hosts.add(new InetSocketAddress(config.bindAddress(), config.port()));
        for (String host : config.initialHosts()) {
            int open = host.indexOf('[');
            if (open <= 0 || !host.endsWith("]")) {
                throw CorcException.invalidInput("initial host '" + host + "' is not host[port]");
            }
            hosts.add(new InetSocketAddress(
                    host.substring(0, open), Integer.parseInt(host.substring(open + 1, host.length() - 1))));
        }
        return hosts;
    }
}
