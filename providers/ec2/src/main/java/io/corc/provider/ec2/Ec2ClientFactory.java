package io.corc.provider.ec2;

import java.io.IOException;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Builds the EC2 client: region, credentials chain, optional endpoint, and the retry policy. Throttling
 * (RequestLimitExceeded), 500/503 and I/O failures (time-outs, resets) are retried by the SDK's standard strategy
 * with exponential back-off and full jitter; the circuit breaker is off so a long run of throttling cannot starve a
 * stop of its retries. Every call is safe to retry: RunInstances carries a ClientToken, and the creating calls
 * without one (key pair, security group) adopt the object a lost answer created (see Ec2InstanceOrchestrator).
 */
final class Ec2ClientFactory {
    static final Duration BASE_DELAY = Duration.ofMillis(200);
    static final Duration MAX_DELAY = Duration.ofSeconds(20);

    private Ec2ClientFactory() {}

    static Ec2Client build(
            Ec2Settings settings,
            String region,
            AwsCredentialsProvider credentials,
            Random jitter,
            Duration baseDelay) {
        BackoffStrategy backoff = fullJitter(jitter, baseDelay, MAX_DELAY);
        // Built from the bare standard strategy without the client's default conditions: those retry every 500, and
        // EC2 answers InsufficientInstanceCapacity with a 500, which must go straight to the next zone or type.
        RetryStrategy retries = DefaultRetryStrategy.standardStrategyBuilder()
                .maxAttempts(settings.maxAttempts())
                .backoffStrategy(backoff)
                .throttlingBackoffStrategy(backoff)
                .circuitBreakerEnabled(false)
                .useClientDefaults(false)
                .retryOnException(Ec2ClientFactory::retryable)
                .treatAsThrottling(Ec2ClientFactory::throttling)
                .build();
        var builder = Ec2Client.builder()
                .region(Region.of(region))
                .credentialsProvider(credentials)
                .httpClientBuilder(Apache5HttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(settings.readTimeout()))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(retries)
                        .build());
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        return builder.build();
    }

    private static final Set<String> TRANSIENT_CODES = Set.of(
            "RequestLimitExceeded",
            "Throttling",
            "ThrottlingException",
            "RequestThrottled",
            "InternalError",
            "InternalFailure",
            "ServiceUnavailable",
            "Unavailable",
            "RequestTimeout",
            "RequestTimeoutException");

    /**
     * Throttling, server errors (500, 502, 503, 504) and I/O failures (time-outs, resets), except capacity and quota
     * errors: those are answers, and the next zone or type is the retry.
     */
    static boolean retryable(Throwable e) {
        if (e instanceof AwsServiceException aws) {
            if (Ec2Errors.isCapacity(aws)) {
                return false;
            }
            int status = aws.statusCode();
            return TRANSIENT_CODES.contains(Ec2Errors.code(aws))
                    || status == 500
                    || status == 502
                    || status == 503
                    || status == 504;
        }
        return e instanceof ApiCallAttemptTimeoutException || Ec2Errors.hasCause(e, IOException.class);
    }

    static boolean throttling(Throwable e) {
        String code = Ec2Errors.code(e);
        return code.equals("RequestLimitExceeded") || code.startsWith("Throttling") || code.equals("RequestThrottled");
    }

    /** Exponential back-off with full jitter drawn from {@code random} (seeded in tests). */
    static BackoffStrategy fullJitter(Random random, Duration base, Duration max) {
        return attempt -> {
            long ceiling = Math.min(max.toMillis(), base.toMillis() << Math.min(20, Math.max(0, attempt - 1)));
            long delay;
            synchronized (random) {
                delay = ceiling <= 0 ? 0 : random.nextLong(ceiling + 1);
            }
            return Duration.ofMillis(delay);
        };
    }
}
