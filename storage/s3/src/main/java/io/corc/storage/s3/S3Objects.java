package io.corc.storage.s3;

import com.sun.nio.file.ExtendedOpenOption;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.LocalTrees;
import io.corc.api.SecureFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Moves one file to or from one object, verified end to end: every request body carries its CRC32C (or, at a store
 * that does not confirm CRC32Cs, its {@code Content-MD5}), which the store checks (see {@link #storeChecksCrc32c});
 * every download is hashed as it is written and compared with the manifest's CRC32C or the ETag before it is renamed
 * into place. Large files move as parts of {@link Etags#partSize} bytes in parallel on the shared pool; a multipart
 * upload interrupted earlier is resumed, reusing the parts whose checksum still matches the file.
 */
final class S3Objects {
    /** User metadata recording the part size of a multipart upload, so a reader can verify the composite ETag. */
    static final String PART_SIZE_METADATA = "corc-part-size";

    private static final int BUFFER_SIZE = 1024 * 1024;
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[BUFFER_SIZE]);

    /** A transfer thread's buffer for the body it sends (a part, or a small file), grown to the largest so far. */
    private static final ThreadLocal<byte[]> BODY_BUFFER = ThreadLocal.withInitial(() -> new byte[0]);

    /**
     * Files at least this large are written around the page cache where the file system allows it (tests lower it
     * to exercise the path with small files).
     */
    static volatile long directIoSize = 256L * 1024 * 1024;

    private static final int DIRECT_ALIGNMENT = 65536;

    /** A native buffer for direct I/O, aligned to 64 KiB (so to any block size that divides that). */
    private static final ThreadLocal<ByteBuffer> DIRECT_BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BUFFER_SIZE + DIRECT_ALIGNMENT)
                    .alignedSlice(DIRECT_ALIGNMENT)
                    .limit(BUFFER_SIZE)
                    .slice());

    private final java.util.function.Supplier<S3Client> s3;
    private final DirectRequests direct;
    private final S3Settings settings;
    private final ExecutorService pool;

    S3Objects(
            java.util.function.Supplier<S3Client> s3,
            DirectRequests direct,
            S3Settings settings,
            ExecutorService pool) {
        this.s3 = s3;
        this.direct = direct;
        this.settings = settings;
        this.pool = pool;
    }

    S3Settings settings() {
        return settings;
    }

    ExecutorService pool() {
        return pool;
    }

    // ---- upload ---------------------------------------------------------------------------------------------------

    /**
     * Whether the store checks a body's CRC32C ({@code x-amz-checksum-crc32c}, S3's flexible checksums) and says so
     * by echoing it, as AWS S3, MinIO and s3proxy do. While it does, bodies are bound by their CRC32C instead of a
     * {@code Content-MD5}: CRC32C runs at memory speed, MD5 at ~400 MB/s in the launcher's C1-only JVM, the largest
     * share of a large upload's CPU. The first answer without the echo clears it: that body is sent again with its
     * MD5, as are all later ones, so no body is ever stored unchecked.
     */
    private volatile boolean storeChecksCrc32c = true;

    private static final String CRC32C_HEADER = "x-amz-checksum-crc32c";

    /**
     * Uploads {@code file}; completes with its checksum for a tree's manifest, {@code <ETag>,crc32c:<hex>}: the
     * ETag the store answered and the CRC32C of the bytes sent, which a download checks cheaply.
     */
    CompletableFuture<String> upload(String bucket, String key, Path file, long size, TransferProgress progress) {
        if (size < settings.multipartThreshold()) {
            return CompletableFuture.supplyAsync(() -> putSingle(bucket, key, file, size, progress), pool);
        }
        long partSize = Etags.partSize(size, settings.partSize());
        int parts = Etags.partCount(size, partSize);
        return CompletableFuture.supplyAsync(() -> startMultipart(bucket, key, partSize), pool)
                .thenCompose(upload -> {
                    List<CompletableFuture<PartDone>> done = new ArrayList<>();
                    for (int i = 0; i < parts; i++) {
                        int number = i + 1;
                        long offset = i * partSize;
                        long length = Math.min(partSize, size - offset);
                        done.add(CompletableFuture.supplyAsync(
                                () -> putPart(bucket, key, upload, number, file, offset, length, progress), pool));
                    }
                    return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
                            .thenApplyAsync(
                                    ignored -> {
                                        List<PartDone> stored = done.stream()
                                                .map(CompletableFuture::join)
                                                .toList();
                                        String etag = completeMultipart(bucket, key, upload, stored);
                                        // the parts' CRC32Cs, computed from the bytes sent, make the file's: no
                                        // second pass over a large file
                                        byte[] crc = combineCrc32c(
                                                stored.stream()
                                                        .map(PartDone::crc32c)
                                                        .toList(),
                                                partSize,
                                                size);
                                        return etag + ","
                                                + Etags.crc32cText(
                                                        ByteBuffer.wrap(crc).getInt() & 0xffffffffL);
                                    },
                                    pool);
                });
    }

    /** A stored part: the store's ETag (normalised) and the part's CRC32C (4 bytes). */
    private record PartDone(String etag, byte[] crc32c) {}

    /** What the store answered to a body: its ETag and the CRC32C it echoed, if any. */
    private record Stored(String etag, String crc32cEcho) {}

    /** Sends one body with the given checksum headers (lower-case names), by direct request or through the SDK. */
    @FunctionalInterface
    private interface BodySender {
        Stored send(Map<String, String> checksumHeaders);
    }

    private String putSingle(String bucket, String key, Path file, long size, TransferProgress progress) {
        progress.checkNotAbandoned();
        byte[] data = read(file, 0, size);
        int length = (int) size;
        byte[] crc = crc32cOf(data, length);
        String what = "upload " + file + " to key '" + key + "'";
        String etag = sendChecked(data, length, crc, true, bucket, key, headers -> {
            if (direct != null) {
                DirectRequests.Answer answer = call(
                        () -> direct.put(bucket, key, new DirectRequests.Body(data, length, headers)), what, bucket);
                return new Stored(answer.etag(), answer.checksumCrc32c());
            }
            var answer = call(
                    () -> s3.get()
                            .putObject(
                                    b -> b.bucket(bucket)
                                            .key(key)
                                            .contentLength(size)
                                            .contentMD5(headers.get("content-md5"))
                                            .checksumCRC32C(headers.get(CRC32C_HEADER)),
                                    body(data, length)),
                    what,
                    bucket);
            return new Stored(answer.eTag(), answer.checksumCRC32C());
        });
        progress.addBytes(size);
        return etag + "," + Etags.crc32cText(ByteBuffer.wrap(crc).getInt() & 0xffffffffL);
    }

    /**
     * Sends {@code length} bytes of {@code data} bound by their CRC32C ({@code crc32c}) where {@code crcAllowed}
     * and the store checks it (see {@link #storeChecksCrc32c}), else by their MD5, whose ETag is then compared too;
     * returns the store's ETag, normalised.
     */
    private String sendChecked(
            byte[] data, int length, byte[] crc32c, boolean crcAllowed, String bucket, String key, BodySender sender) {
        if (crcAllowed && storeChecksCrc32c) {
            String crc = Base64.getEncoder().encodeToString(crc32c);
            Stored stored = null;
            try {
                stored = sender.send(Map.of(CRC32C_HEADER, crc));
            } catch (CorcException e) {
                if (!refusesTheHeader(e)) {
                    throw e;
                }
            }
            if (stored != null && crc.equals(stored.crc32cEcho())) {
                return Etags.normalise(stored.etag());
            }
            if (stored != null && stored.crc32cEcho() != null) {
                throw mismatch(
                        bucket,
                        key,
                        "CRC32C " + crc,
                        stored.crc32cEcho(),
                        "the store received different bytes than" + " were sent");
            }
            storeChecksCrc32c = false; // refused or stored unconfirmed: send it again, bound by its MD5
        }
        byte[] md5 = md5Of(data, length);
        Stored stored = sender.send(Map.of("content-md5", Base64.getEncoder().encodeToString(md5)));
        verifyAnswer(stored.etag(), Etags.hex(md5), bucket, key);
        return Etags.normalise(stored.etag());
    }

    /** A store without flexible checksums may refuse the header as a bad request or as not implemented. */
    private static boolean refusesTheHeader(CorcException e) {
        return e.getCause() instanceof S3Exception refused
                && (refused.statusCode() == 400 || refused.statusCode() == 501)
                && (refused.awsErrorDetails() == null
                        || !"BadDigest".equals(refused.awsErrorDetails().errorCode()));
    }

    /** A multipart upload, with the parts it already has and whether its parts carry CRC32Cs. */
    private record Upload(String id, Map<Integer, Part> done, boolean crc32c) {}

    /** A new multipart upload, or the newest unfinished one for this key, with the parts it already has. */
    private Upload startMultipart(String bucket, String key, long partSize) {
        for (MultipartUpload pending : pendingUploads(bucket, key)) {
            if (pending.key().equals(key)) {
                try {
                    ListPartsResponse parts =
                            s3.get().listParts(b -> b.bucket(bucket).key(key).uploadId(pending.uploadId()));
                    Map<Integer, Part> done = new java.util.HashMap<>();
                    parts.parts().forEach(p -> done.put(p.partNumber(), p));
                    Part first = done.get(1);
                    // an upload begun with another part size recorded that size in its metadata: do not reuse it
                    if (first == null || first.size() == null || first.size() == partSize) {
                        // parts must carry the checksum their upload was created with (AWS refuses others)
                        boolean crc32c = pending.checksumAlgorithm() == ChecksumAlgorithm.CRC32_C
                                || done.values().stream().anyMatch(p -> p.checksumCRC32C() != null);
                        return new Upload(pending.uploadId(), done, crc32c);
                    }
                } catch (SdkException e) {
                    break; // the store cannot list parts: start afresh
                }
            }
        }
        String what = "start a multipart upload of key '" + key + "'";
        Map<String, String> metadata = Map.of(PART_SIZE_METADATA, Long.toString(partSize));
        if (storeChecksCrc32c) {
            try {
                String id = s3.get()
                        .createMultipartUpload(b -> b.bucket(bucket)
                                .key(key)
                                .metadata(metadata)
                                .checksumAlgorithm(ChecksumAlgorithm.CRC32_C))
                        .uploadId();
                return new Upload(id, Map.of(), true);
            } catch (S3Exception e) {
                if (e.statusCode() != 400 && e.statusCode() != 501) {
                    throw S3Errors.translate(e, settings, what, bucket);
                }
                storeChecksCrc32c = false; // a store without flexible checksums: parts carry MD5s
            } catch (SdkException e) {
                throw S3Errors.translate(e, settings, what, bucket);
            }
        }
        String id = call(
                        () -> s3.get()
                                .createMultipartUpload(
                                        b -> b.bucket(bucket).key(key).metadata(metadata)),
                        what,
                        bucket)
                .uploadId();
        return new Upload(id, Map.of(), false);
    }

    /** Unfinished multipart uploads of exactly {@code key}, newest first; empty where the store cannot list them. */
    List<MultipartUpload> pendingUploads(String bucket, String keyPrefix) {
        try {
            List<MultipartUpload> uploads = new ArrayList<>(s3.get()
                    .listMultipartUploads(b -> b.bucket(bucket).prefix(keyPrefix))
                    .uploads());
            uploads.sort((a, b) -> b.initiated().compareTo(a.initiated()));
            return uploads;
        } catch (SdkException e) {
            return List.of();
        }
    }

    private PartDone putPart(
            String bucket,
            String key,
            Upload upload,
            int number,
            Path file,
            long offset,
            long size,
            TransferProgress progress) {
        progress.checkNotAbandoned();
        byte[] data = read(file, offset, size);
        int length = (int) size;
        byte[] crc = crc32cOf(data, length);
        Part previous = upload.done().get(number);
        if (previous != null
                && previous.size() != null
                && previous.size() == length
                && sameBytes(previous, data, length, crc)) {
            progress.addBytes(length);
            return new PartDone(Etags.normalise(previous.eTag()), crc); // uploaded by an earlier, interrupted run
        }
        String what = "upload part " + number + " of " + file + " to key '" + key + "'";
        String etag = sendChecked(data, length, crc, upload.crc32c(), bucket, key + " part " + number, headers -> {
            if (direct != null) {
                DirectRequests.Answer answer = call(
                        () -> direct.putPart(
                                bucket, key, upload.id(), number, new DirectRequests.Body(data, length, headers)),
                        what,
                        bucket);
                return new Stored(answer.etag(), answer.checksumCrc32c());
            }
            var answer = call(
                    () -> s3.get()
                            .uploadPart(
                                    b -> b.bucket(bucket)
                                            .key(key)
                                            .uploadId(upload.id())
                                            .partNumber(number)
                                            .contentLength(size)
                                            .contentMD5(headers.get("content-md5"))
                                            .checksumCRC32C(headers.get(CRC32C_HEADER)),
                                    body(data, length)),
                    what,
                    bucket);
            return new Stored(answer.eTag(), answer.checksumCRC32C());
        });
        progress.addBytes(length);
        return new PartDone(etag, crc);
    }

    /** Whether a part stored earlier holds these bytes: by its CRC32C where the store kept one, else its MD5. */
    private static boolean sameBytes(Part previous, byte[] data, int length, byte[] crc) {
        if (previous.checksumCRC32C() != null) {
            return previous.checksumCRC32C().equals(Base64.getEncoder().encodeToString(crc));
        }
        return Etags.hex(md5Of(data, length)).equals(Etags.normalise(previous.eTag()));
    }

    private static RequestBody body(byte[] data, int length) {
        return RequestBody.fromContentProvider(
                () -> new java.io.ByteArrayInputStream(data, 0, length), length, "application/octet-stream");
    }

    /**
     * Completes the upload; returns its ETag, checked against the one the parts' ETags make where those are MD5s
     * (not under SSE-KMS or SSE-C).
     */
    private String completeMultipart(String bucket, String key, Upload upload, List<PartDone> stored) {
        List<CompletedPart> parts = new ArrayList<>();
        for (int i = 0; i < stored.size(); i++) {
            PartDone part = stored.get(i);
            parts.add(CompletedPart.builder()
                    .partNumber(i + 1)
                    .eTag('"' + part.etag() + '"')
                    .checksumCRC32C(upload.crc32c() ? Base64.getEncoder().encodeToString(part.crc32c()) : null)
                    .build());
        }
        String etag = Etags.normalise(call(
                        () -> s3.get().completeMultipartUpload(b -> b.bucket(bucket)
                                .key(key)
                                .uploadId(upload.id())
                                .multipartUpload(u -> u.parts(parts))),
                        "complete the upload of key '" + key + "'",
                        bucket)
                .eTag());
        if (stored.stream().allMatch(part -> Etags.isMd5(part.etag()))) {
            String expected = Etags.combine(
                    stored.stream()
                            .map(part -> HexFormat.of().parseHex(part.etag()))
                            .toList(),
                    true);
            verifyAnswer(etag, expected, bucket, key);
        }
        return etag;
    }

    /** The store's ETag must be the MD5 corc computed, unless it is not an MD5 at all (SSE-KMS, SSE-C). */
    private static void verifyAnswer(String answer, String expected, String bucket, String key) {
        String etag = Etags.normalise(answer);
        if (Etags.isMd5(etag) && !etag.equals(expected)) {
            throw mismatch(bucket, key, expected, etag, "the store received different bytes than were sent");
        }
    }

    // ---- download -------------------------------------------------------------------------------------------------

    /**
     * Downloads an object of {@code size} bytes to {@code target} through a part file, verified against {@code
     * expected}, retrying once on a mismatch. {@code expected} is {@code crc32c:<hex>} (recorded by a corc upload in
     * the tree's manifest: checked in one pass over the finished file at memory speed), an ETag-form MD5 checksum
     * (each range hashed as it arrives), or {@code null} to use the object's own ETag.
     */
    CompletableFuture<Void> download(
            String bucket, String key, long size, String expected, Path target, TransferProgress progress) {
        return attemptDownload(bucket, key, size, expected, target, progress)
                .handle((ok, failure) -> {
                    if (isMismatch(unwrap(failure))) { // bytes damaged on the way: fetched again once
                        return attemptDownload(bucket, key, size, expected, target, progress);
                    }
                    return failure == null
                            ? CompletableFuture.<Void>completedFuture(null)
                            : CompletableFuture.<Void>failedFuture(failure);
                })
                .thenCompose(f -> f);
    }

    /** A checksum mismatch, which a download retries once (a second one fails). */
    private static boolean isMismatch(Throwable failure) {
        return failure instanceof CorcException e && e.getMessage().contains("checksum mismatch");
    }

    private CompletableFuture<Void> attemptDownload(
            String bucket, String key, long size, String expected, Path target, TransferProgress progress) {
        Path part = LocalTrees.partFile(target);
        boolean crc = Etags.isCrc32c(expected);
        if (size < settings.multipartThreshold()) {
            return CompletableFuture.runAsync(
                            () -> downloadWhole(bucket, key, size, expected, part, target, null, progress), pool)
                    .whenComplete((ok, failure) -> {
                        if (failure != null) {
                            deleteQuietly(part);
                        }
                    });
        }
        return CompletableFuture.supplyAsync(
                        () -> crc ? rangesOf(size, expected) : rangePlan(bucket, key, size, expected), pool)
                .thenCompose(plan -> {
                    createSparse(part, size);
                    int directIo = size >= directIoSize ? directAlignment(part) : 0;
                    // the file system serialises writes to one file anyway (ext4 holds the inode lock for each);
                    // queueing for it here parks the other ranges' threads instead of letting them spin in the
                    // kernel (measured on two cores: 1.4-1.7 s of system CPU for 1 GiB instead of 2.1-2.4 s)
                    java.util.concurrent.locks.Lock writes = new java.util.concurrent.locks.ReentrantLock();
                    List<CompletableFuture<byte[]>> ranges = new ArrayList<>();
                    for (int i = 0; i < plan.count(); i++) {
                        long offset = i * plan.partSize();
                        long length = Math.min(plan.partSize(), size - offset);
                        // each range hashed as it arrives (CRC32Cs are combined afterwards): no second pass
                        // over the finished file
                        ranges.add(CompletableFuture.supplyAsync(
                                () -> getRange(
                                        bucket,
                                        key,
                                        part,
                                        offset,
                                        length,
                                        false,
                                        crc ? Hash.CRC32C : Hash.MD5,
                                        writes,
                                        directIo,
                                        progress),
                                pool));
                    }
                    return CompletableFuture.allOf(ranges.toArray(CompletableFuture[]::new))
                            .thenRunAsync(
                                    () -> {
                                        List<byte[]> digests = ranges.stream()
                                                .map(CompletableFuture::join)
                                                .toList();
                                        if (crc) {
                                            digests = List.of(combineCrc32c(digests, plan.partSize(), size));
                                        } else if (!crc
                                                && plan.checksum() != null
                                                && Etags.parts(plan.checksum()) == 0) {
                                            // one MD5 over the whole object: hash the assembled file
                                            digests = List.of(md5Of(part, size));
                                        }
                                        finish(
                                                bucket,
                                                key,
                                                part,
                                                target,
                                                plan.checksum(),
                                                digests,
                                                plan.multipart(),
                                                null);
                                    },
                                    pool);
                })
                .whenComplete((ok, failure) -> {
                    if (failure != null) {
                        deleteQuietly(part);
                    }
                });
    }

    /**
     * Downloads an object below the multipart threshold in the calling thread (one GET, hashed as it arrives),
     * retrying once on a checksum mismatch: the path of many small files, with no hand-off between threads.
     */
    void downloadSmall(
            String bucket,
            String key,
            long size,
            String expected,
            Path target,
            java.util.concurrent.locks.Lock directory,
            TransferProgress progress) {
        Path part = LocalTrees.partFile(target);
        try {
            try {
                downloadWhole(bucket, key, size, expected, part, target, directory, progress);
            } catch (CorcException e) {
                if (!isMismatch(e)) {
                    throw e;
                }
                // once more, as download does
                downloadWhole(bucket, key, size, expected, part, target, directory, progress);
            }
        } catch (RuntimeException e) {
            deleteQuietly(part); // after a success the part file is the target: nothing to remove
            throw e;
        }
    }

    /** @param directory held while the part file is created and renamed (see {@link #getRange}), or null */
    private void downloadWhole(
            String bucket,
            String key,
            long size,
            String expected,
            Path part,
            Path target,
            java.util.concurrent.locks.Lock directory,
            TransferProgress progress) {
        boolean crc = Etags.isCrc32c(expected);
        byte[] digest =
                getRange(bucket, key, part, 0, size, true, crc ? Hash.CRC32C : Hash.MD5, directory, 0, progress);
        finish(bucket, key, part, target, expected, List.of(digest), false, directory);
    }

    /**
     * Writes {@code length} bytes of {@code data} at {@code position} (a multiple of {@code alignment}) through {@code
     * channel}, opened for direct I/O: the whole blocks through an aligned native buffer, the last partial block (at
     * the very end of the file only) through the page cache.
     */
    private static void writeDirect(
            FileChannel channel, Path part, byte[] data, int length, long position, int alignment) throws IOException {
        int blocks = length - length % alignment;
        if (blocks > 0) {
            ByteBuffer aligned = DIRECT_BUFFER.get().clear();
            aligned.put(data, 0, blocks).flip();
            while (aligned.hasRemaining()) {
                channel.write(aligned, position + aligned.position());
            }
        }
        if (blocks < length) {
            try (FileChannel tail = FileChannel.open(part, StandardOpenOption.WRITE)) {
                ByteBuffer rest = ByteBuffer.wrap(data, blocks, length - blocks);
                while (rest.hasRemaining()) {
                    tail.write(rest, position + rest.position());
                }
            }
        }
    }

    /**
     * The block size to align direct I/O to when the file system of {@code part} can write it without the page
     * cache, else 0. A download of a file this large would only evict the cache's other contents and be written back
     * at disk speed anyway; on a machine already short of free pages (after other large writes) copying into new
     * page-cache pages took most of the time of a 1 GiB download, while writing around the cache did not.
     */
    static int directAlignment(Path part) {
        try {
            int block = (int) Math.max(4096, Files.getFileStore(part).getBlockSize());
            if (BUFFER_SIZE % block != 0 || DIRECT_ALIGNMENT % block != 0) {
                return 0;
            }
            try (FileChannel ignored = FileChannel.open(part, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
                return block;
            }
        } catch (IOException | UnsupportedOperationException e) {
            return 0; // tmpfs and others refuse O_DIRECT: the page cache it is
        }
    }

    /** The CRC32C (4 bytes) of the whole object from those of its ranges of {@code partSize} bytes, in order. */
    static byte[] combineCrc32c(List<byte[]> rangeCrcs, long partSize, long size) {
        long crc = 0; // the CRC32C of nothing
        for (int i = 0; i < rangeCrcs.size(); i++) {
            long length = Math.min(partSize, size - i * partSize);
            long range = ByteBuffer.wrap(rangeCrcs.get(i)).getInt() & 0xffffffffL;
            crc = i == 0 ? range : Etags.crc32cCombine(crc, range, length);
        }
        return ByteBuffer.allocate(4).putInt((int) crc).array();
    }

    /** What a GET computes over the bytes as they arrive. */
    private enum Hash {
        MD5,
        CRC32C,
        NONE
    }

    private record RangePlan(long partSize, int count, String checksum, boolean multipart) {}

    private RangePlan rangesOf(long size, String checksum) {
        long partSize = Etags.partSize(size, settings.partSize());
        return new RangePlan(partSize, Etags.partCount(size, partSize), checksum, false);
    }

    /**
     * How to split a large object: along its upload parts when its checksum is a composite ETag (part size from
     * corc's metadata, else inferred), so each range's MD5 is one part's; otherwise in configured-size ranges.
     */
    private RangePlan rangePlan(String bucket, String key, long size, String expected) {
        String checksum = expected;
        HeadObjectResponse head = null;
        if (checksum == null || Etags.parts(checksum) > 0) {
            head = call(() -> s3.get().headObject(b -> b.bucket(bucket).key(key)), "read key '" + key + "'", bucket);
            if (checksum == null) {
                checksum = Etags.normalise(head.eTag());
            }
        }
        if (!Etags.isMd5(checksum)) {
            checksum = null; // SSE-KMS/SSE-C: the ETag is not an MD5; sizes are still checked
        }
        if (checksum != null && Etags.parts(checksum) > 0) {
            int parts = Etags.parts(checksum);
            String recorded = head == null ? null : head.metadata().get(PART_SIZE_METADATA);
            long partSize =
                    recorded != null ? Long.parseLong(recorded) : Etags.inferPartSize(size, parts, settings.partSize());
            if (partSize > 0 && Etags.partCount(size, partSize) == parts) {
                return new RangePlan(partSize, parts, checksum, true);
            }
            checksum = null; // cannot tell the part size: verify sizes only
        }
        long partSize = Etags.partSize(size, settings.partSize());
        return new RangePlan(partSize, Etags.partCount(size, partSize), checksum, false);
    }

    /**
     * GETs {@code length} bytes from {@code offset} (or the whole object) into {@code part} at the same offset;
     * returns their MD5, or {@code null} without {@code hash}.
     */
    private byte[] getRange(
            String bucket,
            String key,
            Path part,
            long offset,
            long length,
            boolean whole,
            Hash hash,
            java.util.concurrent.locks.Lock lock,
            int directIo,
            TransferProgress progress) {
        progress.checkNotAbandoned();
        // a range's writes queue for the file's lock; a whole object's part file is created under its directory's
        java.util.concurrent.locks.Lock writes = whole ? null : lock;
        MessageDigest md5 = hash == Hash.MD5 ? Etags.md5() : null;
        java.util.zip.CRC32C crc = hash == Hash.CRC32C ? new java.util.zip.CRC32C() : null;
        long written = 0;
        String what = "download key '" + key + "'";
        try (InputStream in = direct != null
                        ? call(
                                        () -> whole
                                                ? direct.get(bucket, key)
                                                : direct.getRange(bucket, key, offset, length),
                                        what,
                                        bucket)
                                .body()
                        : call(
                                () -> s3.get().getObject(b -> {
                                    b.bucket(bucket).key(key);
                                    if (!whole && length > 0) {
                                        b.range("bytes=" + offset + "-" + (offset + length - 1));
                                    }
                                }),
                                what,
                                bucket);
                FileChannel channel = whole
                        ? createPrivate(part, lock)
                        : directIo > 0
                                ? FileChannel.open(part, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)
                                : FileChannel.open(part, StandardOpenOption.WRITE)) {
            // large reads: fewer system calls, and positional writes of whole MiBs contend less on the file; one
            // buffer per pool thread, not one per object (10,000 small files made 100 MB of garbage)
            byte[] buffer = BUFFER.get();
            int read;
            while ((read = in.readNBytes(buffer, 0, buffer.length)) > 0) {
                if (written + read > length) {
                    throw mismatch(bucket, key, length + " bytes", "more", "the store sent more bytes than the size");
                }
                if (md5 != null) {
                    md5.update(buffer, 0, read);
                } else if (crc != null) {
                    crc.update(buffer, 0, read);
                }
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, read);
                if (writes != null) {
                    writes.lock();
                }
                try {
                    if (directIo > 0) {
                        writeDirect(channel, part, buffer, read, offset + written, directIo);
                    } else {
                        while (chunk.hasRemaining()) {
                            channel.write(chunk, offset + written + chunk.position());
                        }
                    }
                } finally {
                    if (writes != null) {
                        writes.unlock();
                    }
                }
                written += read;
                progress.addBytes(read);
            }
        } catch (IOException e) {
            throw new CorcException(
                            ErrorCategory.UNAVAILABLE,
                            "download of key '" + key + "' in bucket '" + bucket + "' broke off: " + e.getMessage())
                    .withHint("re-run: files already complete are skipped")
                    .withCause(e);
        }
        if (written != length) {
            throw mismatch(bucket, key, length + " bytes", written + " bytes", "the download was cut short");
        }
        if (crc != null) {
            return java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array();
        }
        return md5 == null ? null : md5.digest();
    }

    private void finish(
            String bucket,
            String key,
            Path part,
            Path target,
            String expected,
            List<byte[]> digests,
            boolean multipart,
            java.util.concurrent.locks.Lock directory) {
        if (Etags.isCrc32c(expected) || Etags.isMd5(expected)) {
            String actual;
            if (Etags.isCrc32c(expected)) {
                actual = digests.size() == 1 && digests.get(0) != null && digests.get(0).length == 4
                        ? Etags.crc32cText(
                                java.nio.ByteBuffer.wrap(digests.get(0)).getInt() & 0xffffffffL)
                        : crc32cOf(part);
            } else {
                actual = Etags.combine(digests, multipart);
            }
            if (!actual.equals(expected)) {
                deleteQuietly(part);
                throw mismatch(bucket, key, expected, actual, "the bytes received are not the bytes stored");
            }
        }
        if (directory != null) {
            directory.lock();
        }
        try {
            SecureFiles.moveAtomically(part, target);
        } catch (IOException e) {
            deleteQuietly(part);
            throw SecureFiles.ioFailure("move the download of key '" + key + "' into " + target, e);
        } finally {
            if (directory != null) {
                directory.unlock();
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /**
     * The checksum {@code file} would have in the same form as {@code remote}: its MD5, or its composite MD5 with
     * the part size the remote object was uploaded with ({@code partSize}, or inferred when {@code <= 0}). {@code
     * null} when the forms cannot be matched.
     */
    String localChecksum(Path file, long size, String remote, long partSize) {
        if (Etags.isCrc32c(remote)) {
            return crc32cOf(file);
        }
        if (!Etags.isMd5(remote)) {
            return null;
        }
        int parts = Etags.parts(remote);
        if (parts == 0) {
            return Etags.hex(md5Of(file, size));
        }
        long used = partSize > 0 ? partSize : Etags.inferPartSize(size, parts, settings.partSize());
        if (used <= 0 || Etags.partCount(size, used) != parts) {
            return null;
        }
        List<byte[]> digests = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            long offset = i * used;
            try {
                digests.add(Etags.md5(file, offset, Math.min(used, size - offset)));
            } catch (IOException e) {
                throw SecureFiles.ioFailure("read " + file, e);
            }
        }
        return Etags.combine(digests, true);
    }

    /** {@code crc32c:<hex>} of {@code file}. */
    String crc32c(Path file) {
        return crc32cOf(file);
    }

    private static String crc32cOf(Path file) {
        try {
            return Etags.crc32c(file);
        } catch (IOException e) {
            throw SecureFiles.ioFailure("read " + file, e);
        }
    }

    private static byte[] crc32cOf(byte[] data, int length) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(data, 0, length);
        return ByteBuffer.allocate(4).putInt((int) crc.getValue()).array();
    }

    private static byte[] md5Of(byte[] data, int length) {
        MessageDigest md5 = Etags.md5();
        md5.update(data, 0, length);
        return md5.digest();
    }

    private static byte[] md5Of(Path file, long size) {
        try {
            return Etags.md5(file, 0, size);
        } catch (IOException e) {
            throw SecureFiles.ioFailure("read " + file, e);
        }
    }

    <T> T call(java.util.function.Supplier<T> request, String what, String bucket) {
        try {
            return request.get();
        } catch (SdkException e) {
            throw S3Errors.translate(e, settings, what, bucket);
        }
    }

    /**
     * The {@code length} bytes of {@code file} at {@code offset}, at the start of this thread's body buffer (valid
     * until the thread reads the next body; reused so that a large upload neither zeroes nor collects a fresh array
     * per part).
     */
    private static byte[] read(Path file, long offset, long length) {
        if (length > Integer.MAX_VALUE - 16) {
            throw CorcException.invalidInput("a part of " + length + " bytes is too large")
                    .withHint("lower corc.storage.s3.multipart_chunksize_mib");
        }
        byte[] data = BODY_BUFFER.get();
        if (data.length < length) {
            data = new byte[(int) length];
            BODY_BUFFER.set(data);
        }
        ByteBuffer buffer = ByteBuffer.wrap(data, 0, (int) length);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, offset + buffer.position()) < 0) {
                    throw CorcException.invalidInput(file + " changed (shrank) while it was uploaded")
                            .withHint("do not modify files while corc uploads them; re-run the upload");
                }
            }
        } catch (IOException e) {
            throw SecureFiles.ioFailure("read " + file, e);
        }
        return data;
    }

    /** Opens {@code part} for writing, empty, created with mode 0600 (a leftover of an earlier run is replaced). */
    private static FileChannel createPrivate(Path part) throws IOException {
        return createPrivate(part, null);
    }

    /** As above, holding {@code directory} (if not null) while the file is made. */
    private static FileChannel createPrivate(Path part, java.util.concurrent.locks.Lock directory) throws IOException {
        if (directory != null) {
            directory.lock();
        }
        try {
            return createPrivateUnlocked(part);
        } finally {
            if (directory != null) {
                directory.unlock();
            }
        }
    }

    private static FileChannel createPrivateUnlocked(Path part) throws IOException {
        Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            return FileChannel.open(part, options, SecureFiles.privateFileAttributes(part.getParent()));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // a leftover of an interrupted run: deleted only now, so the common case costs one system call
            Files.deleteIfExists(part);
            return FileChannel.open(part, options, SecureFiles.privateFileAttributes(part.getParent()));
        }
    }

    private static void createSparse(Path part, long size) {
        try (FileChannel channel = createPrivate(part)) {
            if (size > 0) {
                channel.write(ByteBuffer.allocate(1), size - 1);
            }
        } catch (IOException e) {
            throw SecureFiles.ioFailure("create " + part, e);
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort: a leftover part file is never taken for a complete one
        }
    }

    static CorcException mismatch(String bucket, String key, String expected, String actual, String meaning) {
        return new CorcException(
                        ErrorCategory.INTERNAL,
                        "checksum mismatch for key '" + key + "' in bucket '" + bucket + "': expected " + expected
                                + ", got " + actual + " (" + meaning + ")")
                .withHint("nothing was kept under the final name; re-run the transfer, and if it persists the"
                        + " object is corrupt at the store");
    }

    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
