package io.corc.storage.s3;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * The real store behind the real S3 server, with faults switched on by a test: corrupted bytes on GET, error
 * answers (e.g. 503 SlowDown) to the next n PUTs or part uploads, counters of what arrived.
 */
final class FaultyBlobStore extends ForwardingBlobStore {
    volatile Predicate<String> corruptGets = key -> false;
    volatile Predicate<String> failPutsOf = key -> false;
    volatile Predicate<Integer> failParts = part -> false;
    final AtomicInteger errorsToSend = new AtomicInteger();
    volatile int errorStatus = 503;
    volatile String errorCode = "SlowDown";
    final AtomicInteger puts = new AtomicInteger();
    final AtomicInteger parts = new AtomicInteger();
    final AtomicInteger gets = new AtomicInteger();
    /** For every PUT and part upload, which checksums bound its body: "md5", "crc32c", both or "none". */
    final List<String> bodyChecksums = new CopyOnWriteArrayList<>();

    FaultyBlobStore(BlobStore delegate) {
        super(delegate);
    }

    @Override
    public PutObjectResponse putBlob(PutObjectRequest request, InputStream input) {
        puts.incrementAndGet();
        bodyChecksums.add(request.key() + ": " + checksums(request.contentMD5(), request.checksumCRC32C()));
        maybeFail();
        if (failPutsOf.test(request.key())) {
            throw error(500, "InternalError");
        }
        return super.putBlob(request, input);
    }

    @Override
    public UploadPartResponse uploadMultipartPart(
            MultipartUpload upload, UploadPartRequest request, InputStream input) {
        parts.incrementAndGet();
        bodyChecksums.add(request.key() + ": " + checksums(request.contentMD5(), request.checksumCRC32C()));
        maybeFail();
        if (failParts.test(request.partNumber())) {
            throw error(500, "InternalError");
        }
        return super.uploadMultipartPart(upload, request, input);
    }

    @Override
    public ResponseInputStream<GetObjectResponse> getBlob(GetObjectRequest request) {
        gets.incrementAndGet();
        maybeFail();
        ResponseInputStream<GetObjectResponse> real = super.getBlob(request);
        if (!corruptGets.test(request.key())) {
            return real;
        }
        return new ResponseInputStream<>(real.response(), new FilterInputStream(real) {
            private boolean flipped;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0 && !flipped) {
                    flipped = true;
                    return b ^ 0x20;
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0 && !flipped) {
                    flipped = true;
                    buffer[offset] ^= 0x20;
                }
                return n;
            }
        });
    }

    private static String checksums(String md5, String crc32c) {
        if (md5 != null && crc32c != null) {
            return "md5+crc32c";
        }
        return md5 != null ? "md5" : crc32c != null ? "crc32c" : "none";
    }

    private void maybeFail() {
        if (errorsToSend.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw error(errorStatus, errorCode);
        }
    }

    private static S3Exception error(int status, String code) {
        return (S3Exception) S3Exception.builder()
                .statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder()
                        .errorCode(code)
                        .errorMessage("injected by the test")
                        .build())
                .build();
    }
}
