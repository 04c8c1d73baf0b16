package io.corc.broker;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.SecureFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An organisation's long-term Ed25519 identity key (the JDK's own "Ed25519", no extra provider). Every application
 * message a broker sends is signed with it; members trust each other by adding {@link #publicKeyText()} to their
 * {@link TrustStore}.
 *
 * <p>The key file is text: the organisation, the PKCS#8 private key and the X.509 public key, base64, one per line;
 * mode 0600 in a 0700 directory. It is a secret: it never leaves the organisation.
 */
public final class BrokerIdentity {
    /** First word of {@link #publicKeyText()}. */
    public static final String KEY_TYPE = "corc-broker-ed25519";

    private static final String ALGORITHM = "Ed25519";
    private static final String HEADER = "# corc broker identity key: private, never share this file";

    private final String organisation;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String fingerprint;

    private BrokerIdentity(String organisation, PrivateKey privateKey, PublicKey publicKey) {
        this.organisation = validOrganisation(organisation);
        this.privateKey = requireNonNull(privateKey, "privateKey is null");
        this.publicKey = requireNonNull(publicKey, "publicKey is null");
        this.fingerprint = fingerprint(publicKey);
    }

    /** A fresh key that lives only in memory (tests, throw-away brokers). */
    public static BrokerIdentity ephemeral(String organisation) {
        KeyPair pair = newKeyPair();
        return new BrokerIdentity(organisation, pair.getPrivate(), pair.getPublic());
    }

    /**
     * Makes a new key for {@code organisation} and writes it to {@code keyFile} (0600, directory 0700).
     *
     * @throws CorcException CONFLICT when the file exists (an identity is never silently replaced)
     */
    public static BrokerIdentity generate(Path keyFile, String organisation) {
        return generate(keyFile, organisation, false);
    }

    /** As {@link #generate(Path, String)}; with {@code overwrite} an existing key file is replaced. */
    public static BrokerIdentity generate(Path keyFile, String organisation, boolean overwrite) {
        requireNonNull(keyFile, "keyFile is null");
        if (!overwrite && Files.exists(keyFile)) {
            throw new CorcException(
                    ErrorCategory.CONFLICT,
                    "a broker identity key already exists at " + keyFile,
                    "broker",
                    "keygen",
                    "keep it (members trust its fingerprint), or replace it explicitly (--force) and tell the members",
                    null);
        }
        BrokerIdentity identity = ephemeral(organisation);
        Path dir = keyFile.toAbsolutePath().getParent();
        SecureFiles.privateDirectory(dir);
        SecureFiles.writeAtomically(keyFile, identity.fileText().getBytes(StandardCharsets.UTF_8));
        return identity;
    }

    /** Reads a key file written by {@link #generate}. */
    public static BrokerIdentity load(Path keyFile) {
        requireNonNull(keyFile, "keyFile is null");
        if (!Files.isRegularFile(keyFile)) {
            throw CorcException.notFound("no broker identity key at " + keyFile)
                    .withHint("make one with 'corc broker keygen'");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(keyFile, StandardCharsets.UTF_8)) {
                int colon = line.indexOf(':');
                if (!line.isBlank() && !line.startsWith("#") && colon > 0) {
                    fields.put(
                            line.substring(0, colon).trim(),
                            line.substring(colon + 1).trim());
                }
            }
        } catch (IOException e) {
            throw SecureFiles.ioFailure("read the broker identity key " + keyFile, e);
        }
        try {
            KeyFactory factory = KeyFactory.getInstance(ALGORITHM);
            PrivateKey privateKey = factory.generatePrivate(
                    new PKCS8EncodedKeySpec(Base64.getDecoder().decode(field(fields, "private", keyFile))));
            PublicKey publicKey = decodePublicKey(field(fields, "public", keyFile));
            BrokerIdentity identity = new BrokerIdentity(field(fields, "organisation", keyFile), privateKey, publicKey);
            byte[] probe = "corc-broker-key-check".getBytes(StandardCharsets.UTF_8);
            if (!verify(publicKey, probe, identity.sign(probe))) {
                throw CorcException.invalidInput("the public key in " + keyFile + " does not match its private key");
            }
            return identity;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw CorcException.invalidInput("not a broker identity key: " + keyFile + " (" + e.getMessage() + ")")
                    .withCause(e);
        }
    }

    public String organisation() {
        return organisation;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** {@code SHA256:} and the unpadded base64 SHA-256 of the encoded public key, as {@code ssh-keygen -l} shows. */
    public String fingerprint() {
        return fingerprint;
    }

    /** One line a member adds to its trust store: {@code corc-broker-ed25519 <base64 X.509 key> <organisation>}. */
    public String publicKeyText() {
        return KEY_TYPE + " " + Base64.getEncoder().encodeToString(publicKey.getEncoded()) + " " + organisation;
    }

    public byte[] sign(byte[] data) {
        requireNonNull(data, "data is null");
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(privateKey);
            signature.update(data);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw CorcException.internal("could not sign with the broker identity key", e);
        }
    }

    /** Whether {@code sig} is {@code key}'s Ed25519 signature of {@code data}; false for anything malformed. */
    public static boolean verify(PublicKey key, byte[] data, byte[] sig) {
        if (key == null || data == null || sig == null || sig.length == 0) {
            return false;
        }
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initVerify(key);
            signature.update(data);
            return signature.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** The fingerprint of any public key, in the form of {@link #fingerprint()}. */
    public static String fingerprint(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw CorcException.internal("SHA-256 is not available", e);
        }
    }

    /** An Ed25519 public key from the base64 of its X.509 encoding. */
    public static PublicKey decodePublicKey(String base64) {
        try {
            PublicKey key = KeyFactory.getInstance(ALGORITHM)
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64.trim())));
            return key;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw CorcException.invalidInput("not an Ed25519 public key: " + abbreviate(base64))
                    .withCause(e);
        }
    }

    static String validOrganisation(String organisation) {
        if (organisation == null || !organisation.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw CorcException.invalidInput("organisation must be 1-64 letters, digits, '.', '_' or '-' (starting"
                    + " with a letter or digit), got '" + organisation + "'");
        }
        return organisation;
    }

    private String fileText() {
        return HEADER + "\n" + "organisation: " + organisation + "\n" + "private: "
                + Base64.getEncoder().encodeToString(privateKey.getEncoded()) + "\n" + "public: "
                + Base64.getEncoder().encodeToString(publicKey.getEncoded()) + "\n";
    }

    private static String field(Map<String, String> fields, String name, Path file) {
        String value = fields.get(name);
        if (value == null || value.isEmpty()) {
            throw CorcException.invalidInput("the broker identity key " + file + " has no '" + name + ":' line");
        }
        return value;
    }

    private static KeyPair newKeyPair() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw CorcException.internal("this JDK has no Ed25519 (Java 15+ has)", e);
        }
    }

    private static String abbreviate(String text) {
        return text == null ? "null" : text.length() > 24 ? text.substring(0, 24) + "..." : text;
    }

    @Override
    public String toString() {
        return "BrokerIdentity[" + organisation + " " + fingerprint + "]";
    }
}
