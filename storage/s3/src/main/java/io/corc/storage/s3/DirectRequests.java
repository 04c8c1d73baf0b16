package io.corc.storage.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The hot requests of transfers on an S3-compatible endpoint with path-style addressing (PUTs of whole objects and
 * of parts, GETs whole or by range, listings), over the JDK's HTTP client with corc's own Signature V4. The SDK's
 * per-request work (interceptor chain, model marshalling, its signer, a copy of every body) costs a few milliseconds
 * of CPU per request, which for 10,000 files of 10 KiB is most of the time; a request here costs a fraction of that.
 * Everything else (starting and completing multipart uploads, buckets, credentials resolution) stays on the SDK.
 * Connections are the JDK's {@link HttpURLConnection} keep-alive pool, which keeps {@code http.maxConnections} idle
 * connections per host: corc raises the JDK's default of 5 to 64 unless it is set, so that every transfer thread
 * keeps its connection.
 *
 * <p>Requests are signed as the SDK signs them over HTTPS: headers {@code host}, {@code x-amz-date}, {@code
 * x-amz-content-sha256} ({@code UNSIGNED-PAYLOAD} for PUTs, whose signed {@code x-amz-checksum-crc32c} or {@code
 * Content-MD5} binds the body; the empty-body hash for GETs) and, for temporary credentials, {@code
 * x-amz-security-token}. Errors become the SDK's {@link S3Exception} with the store's error code, so one
 * translation serves both paths; throttling, 5xx, a body the store saw damaged ({@code BadDigest}) and I/O failures
 * are retried with exponential backoff and full jitter, {@code max_attempts} in all.
 */
final class DirectRequests {
    static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final Pattern ERROR_CODE = Pattern.compile("<Code>([^<]*)</Code>");
    private static final Pattern ERROR_MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");

    private final URI endpoint;
    private final String region;
    private final AwsCredentialsProvider credentials;
    private final int maxAttempts;
    private final Clock clock;
    private volatile SigningKey signingKey;

    private record SigningKey(String secret, String date, byte[] key) {}

    /**
     * An answer: status, the ETag header, the {@code x-amz-checksum-crc32c} header (a store that checked a request's
     * CRC32C echoes it; {@code null} otherwise), and the body (already read for errors; to be read for a GET).
     */
    record Answer(int status, String etag, String checksumCrc32c, long contentLength, InputStream body) {}

    /** A request body: the first {@code length} bytes of {@code data}, with the headers that bind it (signed). */
    record Body(byte[] data, int length, Map<String, String> checksumHeaders) {}

    static {
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", "64");
        }
    }

    DirectRequests(URI endpoint, String region, AwsCredentialsProvider credentials, int maxAttempts, Clock clock) {
        String base = endpoint.toString();
        this.endpoint = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.region = region;
        this.credentials = credentials;
        this.maxAttempts = maxAttempts;
        this.clock = clock;
    }

    /** PUT of a whole object. */
    Answer put(String bucket, String key, Body body) {
        return send("PUT", bucket, key, Map.of(), body, null);
    }

    /** UploadPart: part {@code number} of the multipart upload {@code uploadId}. */
    Answer putPart(String bucket, String key, String uploadId, int number, Body body) {
        return send(
                "PUT", bucket, key, Map.of("partNumber", Integer.toString(number), "uploadId", uploadId), body, null);
    }

    /** GET of a whole object; the caller reads and closes the body. */
    Answer get(String bucket, String key) {
        return send("GET", bucket, key, Map.of(), null, null);
    }

    /** GET of {@code length} bytes from {@code offset} ({@code Range}); the caller reads and closes the body. */
    Answer getRange(String bucket, String key, long offset, long length) {
        if (length <= 0) {
            return get(bucket, key);
        }
        return send("GET", bucket, key, Map.of(), null, "bytes=" + offset + "-" + (offset + length - 1));
    }

    /** One page of objects under {@code prefix}, as the SDK's ListObjectsV2 gives it. */
    record ListPage(List<S3Object> objects, List<String> commonPrefixes, String nextToken) {}

    /**
     * One page of ListObjectsV2 ({@code delimiter} and {@code token} may be {@code null}); keys come URL-encoded
     * ({@code encoding-type=url}, as the SDK asks for them) so that any key survives the XML, and are decoded here.
     */
    ListPage list(String bucket, String prefix, String delimiter, String token) {
        Map<String, String> query = new TreeMap<>();
        query.put("list-type", "2");
        query.put("encoding-type", "url");
        query.put("prefix", prefix == null ? "" : prefix);
        if (delimiter != null) {
            query.put("delimiter", delimiter);
        }
        if (token != null) {
            query.put("continuation-token", token);
        }
        Answer answer = send("GET", bucket, null, query, null, null);
        String xml;
        try (InputStream in = answer.body()) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw SdkClientException.builder()
                    .message("listing from " + endpoint + " broke off: " + e)
                    .cause(e)
                    .build();
        }
        return ListingXml.parse(xml);
    }

    /** @param range a {@code Range} header (not signed, as the SDK leaves it), or {@code null} */
    private Answer send(String method, String bucket, String key, Map<String, String> query, Body body, String range) {
        SdkException last = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            if (attempt > 1) {
                backoff(attempt);
            }
            try {
                Signed request = request(method, bucket, key, query, body == null ? null : body.checksumHeaders());
                HttpURLConnection connection =
                        (HttpURLConnection) request.uri().toURL().openConnection();
                connection.setRequestMethod(method);
                connection.setConnectTimeout(10_000);
                connection.setReadTimeout(120_000);
                connection.setUseCaches(false);
                request.headers().forEach((name, value) -> {
                    if (!name.equals("host")) { // set by the connection itself, the same value
                        connection.setRequestProperty(name, value);
                    }
                });
                if (range != null) {
                    connection.setRequestProperty("Range", range);
                }
                if (body != null) {
                    connection.setDoOutput(true);
                    connection.setFixedLengthStreamingMode(body.length());
                    try (OutputStream out = connection.getOutputStream()) {
                        out.write(body.data(), 0, body.length());
                    }
                }
                int status = connection.getResponseCode();
                if (range != null && status == 200) {
                    // the store sent the whole object: refuse it rather than write it at the range's offset
                    connection.getInputStream().close();
                    throw SdkClientException.create(endpoint + " ignored the Range header of a GET of key '" + key
                            + "' (answered 200, not 206 Partial Content)");
                }
                if (status / 100 == 2) {
                    return new Answer(
                            status,
                            connection.getHeaderField("ETag"),
                            connection.getHeaderField("x-amz-checksum-crc32c"),
                            connection.getContentLengthLong(),
                            connection.getInputStream());
                }
                String text;
                InputStream error = connection.getErrorStream();
                try (InputStream in = error == null ? InputStream.nullInputStream() : error) {
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                S3Exception refused = error(status, text, attempt);
                last = refused;
                if (!retryable(status, refused.awsErrorDetails().errorCode())) {
                    throw refused;
                }
            } catch (IOException e) {
                last = SdkClientException.builder()
                        .message("request to " + endpoint + " failed: " + e)
                        .cause(e)
                        .build();
            }
        }
        throw last;
    }

    /**
     * Throttling, the store's failures (not 501 Not Implemented, which is its answer to something it lacks), and a
     * body the store saw damaged on the way (sent again whole).
     */
    private static boolean retryable(int status, String code) {
        return status == 429 || (status >= 500 && status != 501) || "BadDigest".equals(code);
    }

    private void backoff(int attempt) {
        long cap = Math.min(20_000, 100L << Math.min(attempt - 2, 16));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(cap + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SdkClientException.builder().message("interrupted").cause(e).build();
        }
    }

    private static S3Exception error(int status, String body, int attempts) {
        Matcher code = ERROR_CODE.matcher(body);
        Matcher message = ERROR_MESSAGE.matcher(body);
        return (S3Exception) S3Exception.builder()
                .statusCode(status)
                .message(status + (attempts > 1 ? " after " + attempts + " attempts" : ""))
                .awsErrorDetails(AwsErrorDetails.builder()
                        .errorCode(code.find() ? code.group(1) : "")
                        .errorMessage(message.find() ? message.group(1) : body)
                        .build())
                .build();
    }

    /** A request ready to send: URI and headers, {@code authorization} included. */
    record Signed(URI uri, Map<String, String> headers) {}

    /**
     * A request without query parameters; {@code checksumHeaders} (lower-case names) bind a body, which is then sent
     * as {@code UNSIGNED-PAYLOAD}; {@code null} for a request without a body.
     */
    Signed request(String method, String bucket, String key, Map<String, String> checksumHeaders) {
        return request(method, bucket, key, Map.of(), checksumHeaders);
    }

    /** As above, with query parameters ({@code key} {@code null}: the bucket itself, as for a listing). */
    Signed request(
            String method, String bucket, String key, Map<String, String> query, Map<String, String> checksumHeaders) {
        String path = endpoint.getRawPath() + "/" + encode(bucket) + (key == null ? "" : "/" + encodePath(key));
        String canonicalQuery = canonicalQuery(query);
        URI uri = URI.create(endpoint.getScheme() + "://" + endpoint.getRawAuthority() + path
                + (canonicalQuery.isEmpty() ? "" : "?" + canonicalQuery));
        Map<String, String> headers = new TreeMap<>();
        headers.put("host", hostHeader(uri));
        headers.put(
                "x-amz-date", ZonedDateTime.now(clock.withZone(ZoneOffset.UTC)).format(AMZ_DATE));
        headers.put("x-amz-content-sha256", checksumHeaders == null ? EMPTY_SHA256 : UNSIGNED_PAYLOAD);
        if (checksumHeaders != null) {
            headers.putAll(checksumHeaders);
        }
        AwsCredentials identity = credentials.resolveCredentials();
        if (identity instanceof AwsSessionCredentials session) {
            headers.put("x-amz-security-token", session.sessionToken());
        }
        headers.put("authorization", authorization(method, path, canonicalQuery, headers, identity));
        return new Signed(uri, headers);
    }

    /** Parameters sorted by name, names and values percent-encoded as Signature V4 wants them. */
    static String canonicalQuery(Map<String, String> query) {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(query).forEach((name, value) -> {
            if (text.length() > 0) {
                text.append('&');
            }
            text.append(encode(name)).append('=').append(encode(value));
        });
        return text.toString();
    }

    /** The {@code Authorization} header of Signature V4 for S3 (path not double-encoded, no query). */
    String authorization(String method, String path, Map<String, String> sortedHeaders, AwsCredentials identity) {
        return authorization(method, path, "", sortedHeaders, identity);
    }

    private String authorization(
            String method,
            String path,
            String canonicalQuery,
            Map<String, String> sortedHeaders,
            AwsCredentials identity) {
        String amzDate = sortedHeaders.get("x-amz-date");
        String date = amzDate.substring(0, 8);
        StringBuilder canonicalHeaders = new StringBuilder();
        sortedHeaders.forEach((name, value) ->
                canonicalHeaders.append(name).append(':').append(value.strip()).append('\n'));
        String signedHeaders = String.join(";", sortedHeaders.keySet());
        String canonicalRequest = method + "\n" + path + "\n" + canonicalQuery + "\n" + canonicalHeaders + "\n"
                + signedHeaders + "\n" + sortedHeaders.get("x-amz-content-sha256");
        String scope = date + "/" + region + "/s3/aws4_request";
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex(sha256(canonicalRequest));
        String signature = hex(hmac(key(identity.secretAccessKey(), date), stringToSign));
        return "AWS4-HMAC-SHA256 Credential=" + identity.accessKeyId() + "/" + scope + ", SignedHeaders="
                + signedHeaders + ", Signature=" + signature;
    }

    private byte[] key(String secret, String date) {
        SigningKey cached = signingKey;
        if (cached != null && cached.date().equals(date) && cached.secret().equals(secret)) {
            return cached.key();
        }
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, "s3");
        key = hmac(key, "aws4_request");
        signingKey = new SigningKey(secret, date, key);
        return key;
    }

    private static String hostHeader(URI uri) {
        int port = uri.getPort();
        boolean standard = port == -1
                || (port == 80 && uri.getScheme().equals("http"))
                || (port == 443 && uri.getScheme().equals("https"));
        return standard ? uri.getHost() : uri.getHost() + ":" + port;
    }

    /** A key as a URI path: every byte but the unreserved characters and {@code /} percent-encoded. */
    static String encodePath(String key) {
        return String.join(
                "/",
                Arrays.stream(key.split("/", -1)).map(DirectRequests::encode).toList());
    }

    static String encode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_'
                    || c == '.'
                    || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
                out.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }

    private static byte[] sha256(String data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
