package io.corc.provider.ec2;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.retries.api.BackoffStrategy;

class Ec2ErrorsAndRetriesTest {

    private static AwsServiceException ec2Error(int status, String code) {
        return AwsServiceException.builder()
                .statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder()
                        .errorCode(code)
                        .errorMessage(code + " happened")
                        .build())
                .build();
    }

    @ParameterizedTest
    @CsvSource({
        "401, AuthFailure, AUTHENTICATION, false",
        "403, UnauthorizedOperation, AUTHENTICATION, false",
        "500, InsufficientInstanceCapacity, CAPACITY, false",
        "400, VcpuLimitExceeded, CAPACITY, false",
        "400, Unsupported, CAPACITY, false",
        "503, RequestLimitExceeded, THROTTLED, true",
        "500, InternalError, UNAVAILABLE, true",
        "503, Unavailable, UNAVAILABLE, true",
        "400, InvalidInstanceID.NotFound, NOT_FOUND, false",
        "400, DependencyViolation, CONFLICT, false",
        "400, InvalidParameterValue, INVALID_INPUT, false",
        "400, InvalidAMIID.Malformed, INVALID_INPUT, false"
    })
    void ec2CodesMapToOneCategoryWithAHintAndOnlyTransientOnesAreRetried(
            int status, String code, ErrorCategory category, boolean retried) {
        AwsServiceException error = ec2Error(status, code);

        CorcException corc = Ec2Errors.translate(error, "RunInstances", "us-east-1");

        assertThat(corc.category()).isEqualTo(category);
        assertThat(corc.getMessage()).contains("RunInstances", code);
        assertThat(corc.hint()).isPresent();
        assertThat(corc.plugin()).contains("ec2");
        assertThat(corc.getCause()).isSameAs(error);
        assertThat(Ec2ClientFactory.retryable(error)).isEqualTo(retried);
    }

    @Test
    void readTimeoutsAreRetriedAndEndAsUnavailable() {
        SdkClientException timeout = SdkClientException.builder()
                .message("Unable to execute HTTP request: Read timed out")
                .cause(new SocketTimeoutException("Read timed out"))
                .build();

        assertThat(Ec2ClientFactory.retryable(timeout)).isTrue();
        assertThat(Ec2Errors.translate(timeout, "DescribeInstances", "eu-west-1")
                        .category())
                .isEqualTo(ErrorCategory.UNAVAILABLE);
    }

    @Test
    void backOffIsExponentialWithFullJitterCappedAndReproducibleFromTheSeed() {
        BackoffStrategy a = Ec2ClientFactory.fullJitter(new Random(7), Duration.ofMillis(200), Duration.ofSeconds(20));
        BackoffStrategy b = Ec2ClientFactory.fullJitter(new Random(7), Duration.ofMillis(200), Duration.ofSeconds(20));

        for (int attempt = 1; attempt <= 12; attempt++) {
            Duration delay = a.computeDelay(attempt);
            long ceiling = Math.min(20_000, 200L << (attempt - 1));
            assertThat(delay.toMillis()).as("attempt " + attempt).isBetween(0L, ceiling);
            assertThat(b.computeDelay(attempt)).isEqualTo(delay);
        }
    }
}
