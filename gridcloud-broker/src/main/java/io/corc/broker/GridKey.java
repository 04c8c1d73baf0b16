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
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The grid's shared AES-256 key for JGroups SYM_ENCRYPT: one member makes it ({@link #generate}) and gives the file
 * to every other member over a private channel, as it would a VPN's pre-shared key. It protects the transport only
 * (confidentiality); who may join is decided by the identity keys (JGroups AUTH), and what a message says by its
 * Ed25519 signature, so a leaked grid key lets an outsider read traffic but neither join nor forge.
 *
 * <p>File: text with the grid name and the base64 key, mode 0600 in a 0700 directory.
 */
public final class GridKey {
    private static final String HEADER = "# corc grid key: shared secret of one grid; give it only to its members";

    private final String grid;
    private final SecretKey key;

    private GridKey(String grid, byte[] key) {
        this.grid = requireNonNull(grid, "grid is null");
        if (key.length != 32) {
            throw CorcException.invalidInput("a grid key is 32 bytes (AES-256), this one has " + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    /** Makes a new random key for {@code grid} in {@code file}; refuses to replace an existing file. */
    public static GridKey generate(Path file, String grid) {
        requireNonNull(file, "file is null");
        if (Files.exists(file)) {
            throw new CorcException(
                    ErrorCategory.CONFLICT,
                    "a grid key already exists at " + file,
                    "broker",
                    "grid key",
                    "every member must hold the same key: keep it, or remove it and give the new one to all members",
                    null);
        }
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        GridKey key = new GridKey(grid, bytes);
        SecureFiles.privateDirectory(file.toAbsolutePath().getParent());
        String text =
                HEADER + "\ngrid: " + grid + "\nkey: " + Base64.getEncoder().encodeToString(bytes) + "\n";
        SecureFiles.writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
        return key;
    }

    public static GridKey load(Path file) {
        requireNonNull(file, "file is null");
        String grid = null;
        String key = null;
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith("grid:")) {
                    grid = line.substring(5).trim();
                } else if (line.startsWith("key:")) {
                    key = line.substring(4).trim();
                }
            }
        } catch (IOException e) {
            throw CorcException.notFound("cannot read the grid key " + file + ": " + e.getMessage())
                    .withHint("get the grid key file from a member of the grid");
        }
        if (grid == null || key == null) {
            throw CorcException.invalidInput("not a grid key file: " + file + " (needs 'grid:' and 'key:' lines)");
        }
        try {
            return new GridKey(grid, Base64.getDecoder().decode(key));
        } catch (IllegalArgumentException e) {
            throw CorcException.invalidInput("the key in " + file + " is not base64")
                    .withCause(e);
        }
    }

    public String grid() {
        return grid;
    }

    public SecretKey secretKey() {
        return key;
    }

    /** {@code SHA256:...} of the key, so members can compare keys without showing them. */
    public String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw CorcException.internal("SHA-256 is not available", e);
        }
    }
}
