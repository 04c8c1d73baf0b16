package io.corc.storage.s3;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.profiles.ProfileFileSupplier;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;
import software.amazon.awssdk.services.s3.S3Client;

/** Builds the SDK client from {@link S3Settings}: credentials the AWS way, region, endpoint, retries, HTTP pool. */
final class S3Clients {
    static final String ACCESS_KEY_FILE = "aws_access_key_id";
    static final String SECRET_KEY_FILE = "aws_secret_access_key";
    static final String SESSION_TOKEN_FILE = "aws_session_token";

    private S3Clients() {}

    static S3Client create(S3Settings settings, AwsCredentialsProvider credentials, Region region) {
        return S3Client.builder()
                .httpClient(Apache5HttpClient.builder()
                        .maxConnections(settings.concurrency() + 4)
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofMinutes(2))
                        .build())
                .credentialsProvider(credentials)
                .region(region)
                .applyMutation(b -> {
                    if (settings.endpoint() != null) {
                        b.endpointOverride(settings.endpoint());
                    }
                })
                .forcePathStyle(settings.pathStyle())
                // bodies are in memory with their MD5 known: sign them whole (as the AWS CLI does) rather than as
                // aws-chunked streams with a signature per chunk, which costs both sides CPU for nothing
                .serviceConfiguration(c -> c.chunkedEncodingEnabled(false))
                .putAuthScheme(new ContentMd5Signing())
                // corc verifies every byte with its own MD5/ETag checks; the SDK's default CRC headers (2.30+) are
                // refused by several S3-compatible stores, so they are only sent where an operation requires them
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // standard retries: exponential backoff with jitter on throttling (503 SlowDown) and 5xx
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(settings.maxAttempts())
                        .build()))
                .build();
    }

    /**
     * The lean path for single small objects (see {@link DirectRequests}), for S3-compatible endpoints addressed
     * path-style; {@code null} for AWS itself and virtual-host addressing, which keep the SDK for everything.
     */
    static DirectRequests direct(S3Settings settings, AwsCredentialsProvider credentials, Region region) {
        if (settings.endpoint() == null || !settings.pathStyle()) {
            return null;
        }
        return new DirectRequests(
                settings.endpoint(), region.id(), credentials, settings.maxAttempts(), java.time.Clock.systemUTC());
    }

    /**
     * First a mounted secrets directory, then the named profile of the configured files, then the SDK's default
     * chain (environment, system properties, web identity, SSO, container and instance roles).
     */
    static AwsCredentialsProvider credentials(S3Settings settings) {
        List<AwsCredentialsProvider> chain = new ArrayList<>();
        if (settings.secretsDir() != null) {
            chain.add(StaticCredentialsProvider.create(fromSecretsDir(settings.secretsDir())));
        }
        ProfileFile profiles = profileFile(settings);
        if (profiles != null) {
            chain.add(ProfileCredentialsProvider.builder()
                    .profileFile(profiles)
                    .profileName(settings.profile())
                    .build());
        }
        chain.add(DefaultCredentialsProvider.builder().build());
        return AwsCredentialsProviderChain.builder()
                .credentialsProviders(chain)
                .reuseLastProviderEnabled(true)
                .build();
    }

    private static ProfileFile profileFile(S3Settings settings) {
        boolean config = Files.isRegularFile(settings.configFile());
        boolean credentials = Files.isRegularFile(settings.credentialsFile());
        if (!config && !credentials) {
            return null;
        }
        ProfileFile.Aggregator aggregator = ProfileFile.aggregator();
        if (credentials) {
            aggregator.addFile(ProfileFile.builder()
                    .content(settings.credentialsFile())
                    .type(ProfileFile.Type.CREDENTIALS)
                    .build());
        }
        if (config) {
            aggregator.addFile(ProfileFile.builder()
                    .content(settings.configFile())
                    .type(ProfileFile.Type.CONFIGURATION)
                    .build());
        }
        return aggregator.build();
    }

    static software.amazon.awssdk.auth.credentials.AwsCredentials fromSecretsDir(Path dir) {
        String access = readSecret(dir, ACCESS_KEY_FILE, true);
        String secret = readSecret(dir, SECRET_KEY_FILE, true);
        String token = readSecret(dir, SESSION_TOKEN_FILE, false);
        return token == null
                ? AwsBasicCredentials.create(access, secret)
                : AwsSessionCredentials.create(access, secret, token);
    }

    private static String readSecret(Path dir, String name, boolean required) {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            if (!required) {
                return null;
            }
            throw new CorcException(ErrorCategory.AUTHENTICATION, "the secrets directory " + dir + " has no " + name)
                    .withHint("mount a secret with the keys " + ACCESS_KEY_FILE + " and " + SECRET_KEY_FILE);
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new CorcException(ErrorCategory.AUTHENTICATION, "cannot read " + file + ": " + e.getMessage())
                    .withCause(e);
        }
    }

    /**
     * The configured region, else the profile's or the environment's; an S3-compatible endpoint without one signs
     * for {@code us-east-1}, which such stores accept.
     */
    static Region region(S3Settings settings) {
        if (settings.region() != null) {
            return Region.of(settings.region());
        }
        ProfileFile profiles = profileFile(settings);
        List<software.amazon.awssdk.regions.providers.AwsRegionProvider> providers = new ArrayList<>();
        providers.add(new SystemSettingsRegionProvider());
        if (profiles != null) {
            providers.add(
                    new AwsProfileRegionProvider(ProfileFileSupplier.fixedProfileFile(profiles), settings.profile()));
        }
        try {
            return new AwsRegionProviderChain(
                            providers.toArray(new software.amazon.awssdk.regions.providers.AwsRegionProvider[0]))
                    .getRegion();
        } catch (RuntimeException e) {
            if (settings.endpoint() != null) {
                return Region.US_EAST_1;
            }
            throw CorcException.invalidInput("no AWS region is set for S3 storage")
                    .withHint("set corc.storage.s3.region, AWS_REGION, or region in profile '" + settings.profile()
                            + "' of " + settings.configFile());
        }
    }
}
