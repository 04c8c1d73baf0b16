package io.corc.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** corc's lean signer must produce exactly the signature the AWS SDK's SigV4 signer produces. */
class DirectRequestsTest {
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-22T09:30:00Z"), ZoneOffset.UTC);
    private final AwsBasicCredentials credentials = AwsBasicCredentials.create("AKIDEXAMPLE", "secret/key+value");

    @Test
    void putIsSignedAsTheSdkSignsItWithAnUnsignedPayload() {
        byte[] body = "content".getBytes(StandardCharsets.UTF_8);
        String md5 = Base64.getEncoder().encodeToString(Etags.md5().digest(body));
        String key = "job-1/input/dir with space/Ångström+ü~漢.txt";

        DirectRequests.Signed ours =
                direct("http://127.0.0.1:9000").request("PUT", "bucket", key, java.util.Map.of("content-md5", md5));

        SdkHttpRequest sdkRequest = SdkHttpRequest.builder()
                .method(SdkHttpMethod.PUT)
                .uri(URI.create("https://127.0.0.1:9000/bucket/" + DirectRequests.encodePath(key)))
                .putHeader("Content-MD5", md5)
                .build();
        SignedRequest signed = sdkSigned(sdkRequest, true);

        assertThat(ours.uri().getRawPath()).isEqualTo(sdkRequest.encodedPath());
        assertThat(ours.headers().get("authorization"))
                .isEqualTo(signed.request().firstMatchingHeader("Authorization").orElseThrow());
        assertThat(ours.headers().get("x-amz-content-sha256")).isEqualTo("UNSIGNED-PAYLOAD");
    }

    @Test
    void aPartBoundByItsCrc32cIsSignedAsTheSdkSignsItWithAnUnsignedPayload() {
        String crc = "4waSgw==";
        java.util.Map<String, String> query = java.util.Map.of("partNumber", "7", "uploadId", "a/b+c=");

        DirectRequests.Signed ours = direct("http://127.0.0.1:9000")
                .request("PUT", "bucket", "job-1/big.bin", query, java.util.Map.of("x-amz-checksum-crc32c", crc));

        SdkHttpRequest.Builder sdkRequest = SdkHttpRequest.builder()
                .method(SdkHttpMethod.PUT)
                .uri(URI.create("https://127.0.0.1:9000/bucket/job-1/big.bin"))
                .putHeader("x-amz-checksum-crc32c", crc);
        query.forEach(sdkRequest::putRawQueryParameter);
        SignedRequest signed = sdkSigned(sdkRequest.build(), true);

        assertThat(ours.uri().getRawQuery()).isEqualTo("partNumber=7&uploadId=a%2Fb%2Bc%3D");
        assertThat(ours.headers().get("authorization"))
                .isEqualTo(signed.request().firstMatchingHeader("Authorization").orElseThrow());
    }

    @Test
    void getIsSignedWithTheEmptyBodyHash() {
        DirectRequests.Signed ours = direct("http://localhost:9000").request("GET", "b", "a/b.txt", null);

        SignedRequest signed = sdkSigned(
                SdkHttpRequest.builder()
                        .method(SdkHttpMethod.GET)
                        .uri(URI.create("http://localhost:9000/b/a/b.txt"))
                        .build(),
                false);

        assertThat(ours.headers().get("authorization"))
                .isEqualTo(signed.request().firstMatchingHeader("Authorization").orElseThrow());
    }

    @Test
    void aListingIsSignedWithItsQueryAsTheSdkSignsIt() {
        java.util.Map<String, String> query = new java.util.TreeMap<>();
        query.put("list-type", "2");
        query.put("encoding-type", "url");
        query.put("prefix", "job 1/ü+x/");
        query.put("delimiter", "/");
        query.put("continuation-token", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");

        DirectRequests.Signed ours = direct("http://127.0.0.1:9000").request("GET", "bucket", null, query, null);

        SdkHttpRequest.Builder sdkRequest =
                SdkHttpRequest.builder().method(SdkHttpMethod.GET).uri(URI.create("http://127.0.0.1:9000/bucket"));
        query.forEach(sdkRequest::putRawQueryParameter);
        SignedRequest signed = sdkSigned(sdkRequest.build(), false);

        assertThat(ours.uri().getRawQuery()).isEqualTo(DirectRequests.canonicalQuery(query));
        assertThat(ours.uri().getRawPath()).isEqualTo("/bucket");
        assertThat(ours.headers().get("authorization"))
                .isEqualTo(signed.request().firstMatchingHeader("Authorization").orElseThrow());
    }

    private DirectRequests direct(String endpoint) {
        return new DirectRequests(
                URI.create(endpoint), "eu-north-1", StaticCredentialsProvider.create(credentials), 1, clock);
    }

    private AwsCredentialsIdentity identity() {
        return AwsCredentialsIdentity.create(credentials.accessKeyId(), credentials.secretAccessKey());
    }

    /** The SDK's own SigV4 signature of {@code request} for S3 in eu-north-1, with an unsigned payload or not. */
    private SignedRequest sdkSigned(SdkHttpRequest request, boolean unsignedPayload) {
        return AwsV4HttpSigner.create().sign(r -> r.identity(identity())
                .request(request)
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "eu-north-1")
                .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, !unsignedPayload)
                .putProperty(HttpSigner.SIGNING_CLOCK, clock));
    }
}
