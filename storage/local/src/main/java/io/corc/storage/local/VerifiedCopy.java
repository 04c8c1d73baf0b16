package io.corc.storage.local;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.SecureFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * A copy that is checked before it gets its final name: the source is hashed while it is read and written to a
 * temporary file beside the target, the temporary file is synced and hashed again, and only when both hashes (and
 * the expected one, if given) agree is it renamed over the target.
 *
 * @param temp the temporary file holding the verified content
 * @param target the final name
 * @param sha256 hex SHA-256 of the content
 */
record VerifiedCopy(Path temp, Path target, String sha256) {
    private static final int BUFFER_SIZE = 64 * 1024;

    /**
     * Copies {@code source} next to {@code target} (whose directory must exist) and verifies it.
     *
     * @param expectedSha256 the checksum the content must have, or {@code null}
     * @param what the object for error messages, e.g. "key 'a/b' in bucket 'x'"
     */
    static VerifiedCopy stage(Path source, Path target, String expectedSha256, String what) {
        Path temp =
                target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ObjectPaths.PART_SUFFIX);
        try {
            String readSha;
            MessageDigest digest = sha256Digest();
            try (InputStream in = Files.newInputStream(source);
                    FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                SecureFiles.makePrivate(temp);
                byte[] buffer = new byte[BUFFER_SIZE];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    digest.update(buffer, 0, n);
                    ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                    while (chunk.hasRemaining()) {
                        out.write(chunk);
                    }
                }
                out.force(true);
                readSha = HexFormat.of().formatHex(digest.digest());
            }
            if (expectedSha256 != null && !expectedSha256.equals(readSha)) {
                throw mismatch(what, "stored sha256 " + expectedSha256 + ", read " + readSha);
            }
            String writtenSha = sha256(temp);
            if (!writtenSha.equals(readSha)) {
                throw mismatch(what, "read sha256 " + readSha + ", written " + writtenSha);
            }
            return new VerifiedCopy(temp, target, readSha);
        } catch (NoSuchFileException e) {
            discard(temp);
            throw CorcException.notFound(source + " does not exist");
        } catch (IOException e) {
            discard(temp);
            throw SecureFiles.ioFailure("copy " + source + " to " + target, e);
        } catch (RuntimeException e) {
            discard(temp);
            throw e;
        }
    }

    /** Renames the verified content over the target. */
    void commit() {
        try {
            SecureFiles.moveAtomically(temp, target);
        } catch (IOException e) {
            discard(temp);
            throw SecureFiles.ioFailure("rename " + temp + " to " + target, e);
        }
    }

    /** Hex SHA-256 of a file's content. */
    static String sha256(Path file) throws IOException {
        MessageDigest digest = sha256Digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[BUFFER_SIZE];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw CorcException.internal("this Java runtime has no SHA-256", e);
        }
    }

    private static CorcException mismatch(String what, String detail) {
        return new CorcException(ErrorCategory.INTERNAL, "checksum mismatch for " + what + ": " + detail)
                .withHint("the stored copy is corrupt or was changed outside corc; upload it again");
    }

    private static void discard(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // a leftover temporary file is never listed and is replaced by the next transfer
        }
    }
}
