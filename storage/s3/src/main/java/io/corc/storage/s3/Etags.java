package io.corc.storage.s3;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * S3 ETags as checksums. For an object stored in one request the ETag is the hex MD5 of its bytes; for a multipart
 * upload it is the MD5 of the concatenated part MD5s, then {@code -<parts>}. corc uploads with a part size that
 * depends only on the file size and the configured chunk size, so the ETag of a local file can be computed before
 * (or instead of) sending it, and compared with what a listing returns. SSE-KMS and SSE-C objects have ETags that
 * are not MD5s; {@link #isMd5(String)} tells them apart.
 */
final class Etags {
    /** S3's limit on parts per upload. */
    static final int MAX_PARTS = 10_000;

    private static final Pattern MD5_ETAG = Pattern.compile("[0-9a-f]{32}(-[0-9]+)?");
    private static final int BUFFER = 256 * 1024;

    private Etags() {}

    /** The ETag without the quotes S3 puts around it. */
    static String normalise(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.strip();
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e.toLowerCase(java.util.Locale.ROOT);
    }

    /** A checksum of the form {@code crc32c:<8 hex>}, as corc records in a tree's manifest. */
    static boolean isCrc32c(String checksum) {
        return checksum != null && checksum.startsWith("crc32c:");
    }

    /** {@code crc32c:<8 hex>} of a whole file: the JDK's CRC32C runs at memory speed (CPU instructions). */
    static String crc32c(Path file) throws IOException {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        ByteBuffer buffer = ByteBuffer.allocateDirect(1024 * 1024);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                crc.update(buffer);
                buffer.clear();
            }
        }
        return crc32cText(crc.getValue());
    }

    /**
     * The CRC32C of two byte runs one after the other, from the CRC32C of each and the second's length: zlib's
     * {@code crc32_combine} (multiplying by x^(8 len2) in GF(2), by repeated squaring of the zero-byte operator)
     * with the Castagnoli polynomial. Lets the ranges of a download be checked as they arrive, in any order.
     */
    static long crc32cCombine(long crc1, long crc2, long length2) {
        if (length2 <= 0) {
            return crc1;
        }
        long[] even = new long[32];
        long[] odd = new long[32];
        odd[0] = 0x82F63B78L; // the reflected Castagnoli polynomial: the operator for one zero bit
        long row = 1;
        for (int n = 1; n < 32; n++) {
            odd[n] = row;
            row <<= 1;
        }
        gf2Square(even, odd); // two zero bits
        gf2Square(odd, even); // four zero bits
        long crc = crc1;
        long remaining = length2;
        do {
            gf2Square(even, odd); // the first round makes one zero byte
            if ((remaining & 1) != 0) {
                crc = gf2Times(even, crc);
            }
            remaining >>= 1;
            if (remaining == 0) {
                break;
            }
            gf2Square(odd, even);
            if ((remaining & 1) != 0) {
                crc = gf2Times(odd, crc);
            }
            remaining >>= 1;
        } while (remaining != 0);
        return (crc ^ crc2) & 0xffffffffL;
    }

    private static long gf2Times(long[] matrix, long vector) {
        long sum = 0;
        int i = 0;
        long v = vector;
        while (v != 0) {
            if ((v & 1) != 0) {
                sum ^= matrix[i];
            }
            v >>>= 1;
            i++;
        }
        return sum;
    }

    private static void gf2Square(long[] square, long[] matrix) {
        for (int n = 0; n < 32; n++) {
            square[n] = gf2Times(matrix, matrix[n]);
        }
    }

    static String crc32cText(long value) {
        return String.format("crc32c:%08x", value);
    }

    static boolean isMd5(String etag) {
        return etag != null && MD5_ETAG.matcher(etag).matches();
    }

    /** Number of parts a composite ETag says the object had, or 0 for a single-request ETag. */
    static int parts(String etag) {
        int dash = etag.indexOf('-');
        return dash < 0 ? 0 : Integer.parseInt(etag.substring(dash + 1));
    }

    /** Part size for a file of {@code size} bytes: the configured one, raised in whole MiB to stay within 10,000. */
    static long partSize(long size, long configured) {
        long minimum = (size + MAX_PARTS - 1) / MAX_PARTS;
        if (minimum <= configured) {
            return configured;
        }
        return (minimum + S3Settings.MIB - 1) / S3Settings.MIB * S3Settings.MIB;
    }

    static int partCount(long size, long partSize) {
        return (int) Math.max(1, (size + partSize - 1) / partSize);
    }

    /**
     * The part size an object with a composite ETag of {@code parts} parts was most likely uploaded with: the
     * preferred (corc's configured, also the AWS CLI's 8 MiB default) if it fits, else the common chunk sizes of
     * other tools, else the smallest whole MiB that fits; {@code -1} when none does.
     */
    static long inferPartSize(long size, int parts, long preferred) {
        long[] candidates = {preferred, 8, 5, 16, 10, 15, 32, 50, 64, 100, 128, 256, 512};
        for (int i = 0; i < candidates.length; i++) {
            long candidate = i == 0 ? preferred : candidates[i] * S3Settings.MIB;
            if (partCount(size, candidate) == parts) {
                return candidate;
            }
        }
        long mib = (size + (long) parts * S3Settings.MIB - 1) / ((long) parts * S3Settings.MIB);
        long candidate = Math.max(1, mib) * S3Settings.MIB;
        return partCount(size, candidate) == parts ? candidate : -1;
    }

    /** The ETag S3 computes for these part digests: the plain MD5 for one part sent in one request. */
    static String combine(List<byte[]> partDigests, boolean multipart) {
        if (!multipart) {
            return hex(partDigests.get(0));
        }
        MessageDigest md5 = md5();
        partDigests.forEach(md5::update);
        return hex(md5.digest()) + "-" + partDigests.size();
    }

    /** MD5 of {@code length} bytes of {@code file} from {@code offset}. */
    static byte[] md5(Path file, long offset, long length) throws IOException {
        MessageDigest md5 = md5();
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(BUFFER, Math.max(length, 1)));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long position = offset;
            long end = offset + length;
            while (position < end) {
                buffer.clear();
                buffer.limit((int) Math.min(buffer.capacity(), end - position));
                int read = channel.read(buffer, position);
                if (read < 0) {
                    throw new IOException(file + " shrank while it was read");
                }
                buffer.flip();
                md5.update(buffer);
                position += read;
            }
        }
        return md5.digest();
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
