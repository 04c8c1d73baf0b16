package io.corc.storage.s3;

import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.scheme.AwsV4AuthScheme;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.scheme.AuthScheme;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;

/**
 * SigV4 for plain-HTTP endpoints (a store on loopback or a private network) without hashing every body with
 * SHA-256. The SDK signs the payload's SHA-256 whenever the scheme is {@code http}; corc's uploads carry a {@code
 * Content-MD5} or an {@code x-amz-checksum-crc32c}, which is a signed header and which the store checks against the
 * body, so the body is already bound to the signature. Such requests are therefore signed as {@code
 * UNSIGNED-PAYLOAD}, as over HTTPS;
 * this saves a SHA-256 pass over every byte on both the client and the server. The scheme is not part of the
 * signature, only the host header is, so signing the request as if it were HTTPS (same host and port) gives the
 * signature the store computes. Everything else is signed exactly as the SDK does.
 */
final class ContentMd5Signing implements AuthScheme<AwsCredentialsIdentity> {
    private final AwsV4AuthScheme standard = AwsV4AuthScheme.create();
    private final AwsV4HttpSigner delegate = standard.signer();

    @Override
    public String schemeId() {
        return AwsV4AuthScheme.SCHEME_ID;
    }

    @Override
    public IdentityProvider<AwsCredentialsIdentity> identityProvider(IdentityProviders providers) {
        return standard.identityProvider(providers);
    }

    @Override
    public HttpSigner<AwsCredentialsIdentity> signer() {
        return new HttpSigner<>() {
            @Override
            public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> request) {
                SdkHttpRequest http = request.request();
                if (!"http".equals(http.protocol())
                        || (http.firstMatchingHeader("Content-MD5").isEmpty()
                                && http.firstMatchingHeader("x-amz-checksum-crc32c")
                                        .isEmpty())) {
                    return delegate.sign(request);
                }
                int port = http.port();
                SdkHttpRequest asHttps = http.toBuilder()
                        .protocol("https")
                        .port(port == 80 ? 443 : port) // keeps the host header, which is signed, the same
                        .build();
                SignedRequest signed = delegate.sign(request.toBuilder()
                        .request(asHttps)
                        .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                        .build());
                return signed.toBuilder()
                        .request(signed.request().toBuilder()
                                .protocol("http")
                                .port(port)
                                .build())
                        .build();
            }

            @Override
            public CompletableFuture<AsyncSignedRequest> signAsync(
                    AsyncSignRequest<? extends AwsCredentialsIdentity> request) {
                return delegate.signAsync(request); // corc uses the sync client only
            }
        };
    }
}
