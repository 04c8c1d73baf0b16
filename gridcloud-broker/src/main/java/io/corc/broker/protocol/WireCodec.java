package io.corc.broker.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.corc.broker.BrokerIdentity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bytes of a message on the wire: a version byte, the length and bytes of the envelope's JSON, the length and
 * bytes of the Ed25519 signature of exactly those JSON bytes (length 0 = unsigned). The receiver verifies the bytes
 * it received, never a re-serialisation, so no canonical form is needed beyond "the bytes signed".
 */
public final class WireCodec {
    static final byte VERSION = 1;
    private static final int MAX_JSON = 1 << 20;
    private static final ObjectMapper JSON =
            new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private WireCodec() {}

    /** A received frame before verification. */
    public record Frame(byte[] signedBytes, byte[] signature, Envelope envelope) {}

    /** Thrown for bytes that are not a broker frame. */
    public static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The envelope signed by {@code identity}. */
    public static byte[] encode(Envelope envelope, BrokerIdentity identity) {
        byte[] json = json(envelope);
        return frame(json, identity == null ? new byte[0] : identity.sign(json));
    }

    /** A frame of arbitrary parts, for tests that forge messages. */
    public static byte[] frame(byte[] json, byte[] signature) {
        ByteBuffer buffer = ByteBuffer.allocate(1 + 4 + json.length + 2 + signature.length);
        buffer.put(VERSION)
                .putInt(json.length)
                .put(json)
                .putShort((short) signature.length)
                .put(signature);
        return buffer.array();
    }

    /** The JSON bytes an envelope is signed as. */
    public static byte[] json(Envelope envelope) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("type", envelope.type().name());
        map.put("from", envelope.sender());
        map.put("key", envelope.keyFingerprint());
        map.put("grid", envelope.grid());
        map.put("to", envelope.recipient());
        map.put("ts", envelope.timestamp());
        map.put("nonce", envelope.nonce());
        map.put("seq", envelope.sequence());
        if (envelope.correlation() != null) {
            map.put("corr", envelope.correlation());
        }
        map.put("body", envelope.body());
        try {
            return JSON.writeValueAsBytes(map);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("message body is not plain JSON: " + e.getMessage(), e);
        }
    }

    public static Frame decode(byte[] bytes) throws MalformedException {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            if (buffer.get() != VERSION) {
                throw new MalformedException("unknown frame version", null);
            }
            int length = buffer.getInt();
            if (length <= 0 || length > MAX_JSON || length > buffer.remaining()) {
                throw new MalformedException("bad JSON length " + length, null);
            }
            byte[] json = new byte[length];
            buffer.get(json);
            int sigLength = buffer.getShort() & 0xffff;
            byte[] signature = new byte[sigLength];
            buffer.get(signature);
            if (buffer.hasRemaining()) {
                throw new MalformedException("trailing bytes", null);
            }
            return new Frame(json, signature, parse(json));
        } catch (RuntimeException e) {
            throw new MalformedException("truncated frame", e);
        }
    }

    private static Envelope parse(byte[] json) throws MalformedException {
        try {
            Map<String, Object> map = JSON.readValue(json, new TypeReference<>() {});
            @SuppressWarnings("unchecked")
            Map<String, Object> body = (Map<String, Object>) map.get("body");
            return new Envelope(
                    MessageType.valueOf((String) map.get("type")),
                    (String) map.get("from"),
                    (String) map.get("key"),
                    (String) map.get("grid"),
                    (String) map.get("to"),
                    ((Number) map.get("ts")).longValue(),
                    (String) map.get("nonce"),
                    ((Number) map.get("seq")).longValue(),
                    (String) map.get("corr"),
                    body);
        } catch (IOException | RuntimeException e) {
            throw new MalformedException("not a broker message: " + e.getMessage(), e);
        }
    }
}
