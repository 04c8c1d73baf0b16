package io.corc.broker.transport;

import io.corc.broker.BrokerIdentity;
import io.corc.broker.TrustStore;
import io.corc.broker.TrustedMember;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Optional;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.auth.AuthToken;

/**
 * JGroups AUTH token: a join or merge request carries the joiner's organisation, grid, identity public key, a
 * timestamp and an Ed25519 signature over those and the joiner's JGroups address. The coordinator admits it only
 * when the key is in its trust store under that organisation, the grid matches, the timestamp is fresh and the
 * signature verifies. So only trusted organisations receive the group key of ASYM_ENCRYPT.
 *
 * <p>A token is signed afresh each time it is written. JGroups reads a received token through the public no-argument
 * constructor and then asks the local (configured) token to {@link #authenticate} it.
 */
public final class GridAuthToken extends AuthToken {
    private static final String CONTEXT = "corc-grid-auth/1";
    private static final java.util.logging.Logger LOG =
            java.util.logging.Logger.getLogger(GridAuthToken.class.getName());

    // local side only
    private BrokerIdentity identity;
    private TrustStore trust;
    private String localGrid;
    private long maxSkewMillis;

    // carried on the wire
    private String organisation;
    private String grid;
    private byte[] publicKey = new byte[0];
    private long timestamp;
    private String address = "";
    private byte[] signature = new byte[0];

    /** For JGroups, which creates received tokens reflectively. */
    public GridAuthToken() {}

    GridAuthToken(BrokerIdentity identity, TrustStore trust, String grid, Duration maxSkew) {
        this.identity = identity;
        this.trust = trust;
        this.localGrid = grid;
        this.maxSkewMillis = maxSkew.toMillis();
    }

    @Override
    public String getName() {
        return GridAuthToken.class.getName();
    }

    @Override
    public int size() {
        return bytes().length;
    }

    @Override
    public boolean authenticate(AuthToken token, Message msg) {
        String refusal = refusal(token, msg);
        if (refusal != null) {
            LOG.warning("refused a join or merge request from " + (msg == null ? null : msg.getSrc()) + ": " + refusal);
        }
        return refusal == null;
    }

    /**
     * Why the token is not accepted, or null when it is. The fields are read as one snapshot: a broker's own
     * messages loop back to it carrying its configured token, which another thread may be signing afresh.
     */
    private String refusal(AuthToken token, Message msg) {
        if (!(token instanceof GridAuthToken otherToken) || trust == null) {
            return "no corc grid token";
        }
        Snapshot other = otherToken.fields();
        if (other.organisation.isEmpty()) {
            return "no corc grid token";
        }
        if (!localGrid.equals(other.grid)) {
            return "token for grid " + other.grid;
        }
        if (Math.abs(System.currentTimeMillis() - other.timestamp) > maxSkewMillis) {
            return "stale token of " + other.organisation;
        }
        PublicKey key;
        try {
            key = BrokerIdentity.decodePublicKey(java.util.Base64.getEncoder().encodeToString(other.publicKey));
        } catch (RuntimeException e) {
            return "malformed key of " + other.organisation;
        }
        // This broker's own key: its merge requests loop back to it when it leads a merge, and a trust store holds
        // the other members only (corc broker trust add), so without this the merge is refused and views never merge.
        boolean self = identity != null
                && identity.organisation().equals(other.organisation)
                && java.util.Arrays.equals(identity.publicKey().getEncoded(), other.publicKey);
        Optional<TrustedMember> member = trust.byFingerprint(BrokerIdentity.fingerprint(key));
        if (!self && (member.isEmpty() || !member.get().organisation().equals(other.organisation))) {
            return "key " + BrokerIdentity.fingerprint(key) + " of " + other.organisation + " is not trusted";
        }
        Address source = msg == null ? null : msg.getSrc();
        if (source != null && !source.toString().equals(other.address)) {
            return "token of " + other.address + " sent by " + source;
        }
        return BrokerIdentity.verify(key, other.signedData(), other.signature)
                ? null
                : "bad signature on the token of " + other.organisation;
    }

    /** The fields as they are, without signing afresh. */
    private synchronized Snapshot fields() {
        return new Snapshot(
                organisation == null ? "" : organisation,
                grid == null ? "" : grid,
                timestamp,
                address,
                publicKey,
                signature);
    }

    /**
     * Writes a freshly signed token when this is the local (configured) token, else the received fields. JGroups may
     * serialise the token from several threads at once (concurrent merge requests), so the fields written are one
     * consistent snapshot taken under the lock, never a mix of two signings.
     */
    @Override
    public void writeTo(DataOutput out) throws IOException {
        Snapshot snapshot = snapshot();
        out.writeUTF(snapshot.organisation);
        out.writeUTF(snapshot.grid);
        out.writeLong(snapshot.timestamp);
        out.writeUTF(snapshot.address);
        out.writeShort(snapshot.publicKey.length);
        out.write(snapshot.publicKey);
        out.writeShort(snapshot.signature.length);
        out.write(snapshot.signature);
    }

    private record Snapshot(
            String organisation, String grid, long timestamp, String address, byte[] publicKey, byte[] signature) {
        byte[] signedData() {
            return GridAuthToken.signedData(organisation, grid, timestamp, address, publicKey);
        }
    }

    private synchronized Snapshot snapshot() {
        if (identity != null) {
            organisation = identity.organisation();
            grid = localGrid;
            publicKey = identity.publicKey().getEncoded();
            timestamp = System.currentTimeMillis();
            Address local = auth == null ? null : auth.getAddress();
            address = local == null ? "" : local.toString();
            signature = identity.sign(signedData(organisation, grid, timestamp, address, publicKey));
        }
        return fields();
    }

    @Override
    public synchronized void readFrom(DataInput in) throws IOException {
        organisation = in.readUTF();
        grid = in.readUTF();
        timestamp = in.readLong();
        address = in.readUTF();
        publicKey = new byte[in.readUnsignedShort()];
        in.readFully(publicKey);
        signature = new byte[in.readUnsignedShort()];
        in.readFully(signature);
    }

    private static byte[] signedData(
            String organisation, String grid, long timestamp, String address, byte[] publicKey) {
        String text = CONTEXT + "\n" + organisation + "\n" + grid + "\n" + timestamp + "\n" + address + "\n";
        byte[] head = text.getBytes(StandardCharsets.UTF_8);
        byte[] data = new byte[head.length + publicKey.length];
        System.arraycopy(head, 0, data, 0, head.length);
        System.arraycopy(publicKey, 0, data, head.length, publicKey.length);
        return data;
    }

    private byte[] bytes() {
        try {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            writeTo(new DataOutputStream(buffer));
            return buffer.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
