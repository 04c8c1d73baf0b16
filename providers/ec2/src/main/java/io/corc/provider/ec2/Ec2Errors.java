package io.corc.provider.ec2;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import java.io.IOException;
import java.net.UnknownHostException;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** Turns EC2's error codes and the SDK's client failures into one {@link CorcException} with a category and hint. */
final class Ec2Errors {
    /** Codes after which the next zone or the next fitting type may still succeed. */
    static final Set<String> CAPACITY_CODES = Set.of(
            "InsufficientInstanceCapacity",
            "InsufficientCapacity",
            "InsufficientHostCapacity",
            "InsufficientReservedInstanceCapacity",
            "Unsupported",
            "UnsupportedOperation",
            "InstanceLimitExceeded",
            "VcpuLimitExceeded",
            "MaxSpotInstanceCountExceeded",
            "SpotMaxPriceTooLow",
            "InsufficientFreeAddressesInSubnet");

    private static final Set<String> AUTH_CODES = Set.of(
            "AuthFailure",
            "UnauthorizedOperation",
            "InvalidClientTokenId",
            "SignatureDoesNotMatch",
            "OptInRequired",
            "Blocked",
            "PendingVerification",
            "ExpiredToken",
            "RequestExpired");

    private Ec2Errors() {}

    /** The EC2 error code of {@code e}, or an empty string. */
    static String code(Throwable e) {
        if (e instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
            String code = aws.awsErrorDetails().errorCode();
            return code == null ? "" : code;
        }
        return "";
    }

    static boolean isCapacity(Throwable e) {
        String code = code(e);
        return CAPACITY_CODES.contains(code)
                || (code.endsWith("LimitExceeded") && !code.equals("RequestLimitExceeded"));
    }

    /** A quota of the account in the region (not capacity of one zone). */
    static boolean isQuota(Throwable e) {
        String code = code(e);
        return code.endsWith("LimitExceeded") && !code.equals("RequestLimitExceeded");
    }

    static boolean isNotFound(Throwable e) {
        String code = code(e);
        return code.endsWith(".NotFound") || code.endsWith("NotFound");
    }

    static CorcException translate(SdkException e, String operation, String region) {
        if (e instanceof AwsServiceException aws) {
            String code = code(aws);
            String message = aws.awsErrorDetails() == null
                    ? aws.getMessage()
                    : aws.awsErrorDetails().errorMessage();
            String text = operation + " failed: " + code + ": " + message;
            CorcException corc;
            if (AUTH_CODES.contains(code) || aws.statusCode() == 401 || aws.statusCode() == 403) {
                corc = new CorcException(ErrorCategory.AUTHENTICATION, text)
                        .withHint("check the AWS credentials of providers.ec2.profile (corc check shows which"
                                + " profile and region are used) and that they may call ec2:" + action(operation));
            } else if (isCapacity(aws)) {
                corc = new CorcException(ErrorCategory.CAPACITY, text)
                        .withHint(
                                code.endsWith("LimitExceeded")
                                        ? "ask AWS for a higher quota (Service Quotas, EC2) or stop instances you no longer need"
                                        : "try another instance type (--option instance_type=...), zone (--zone) or region");
            } else if (code.equals("RequestLimitExceeded") || code.equals("Throttling")) {
                corc = new CorcException(ErrorCategory.THROTTLED, text)
                        .withHint("EC2 throttled corc past its retries; wait a minute and run the command again");
            } else if (aws.statusCode() >= 500 || code.equals("InternalError") || code.equals("Unavailable")) {
                corc = new CorcException(ErrorCategory.UNAVAILABLE, text)
                        .withHint("EC2 in " + region + " answered with a server error past corc's retries; try again"
                                + " later");
            } else if (isNotFound(aws)) {
                corc = new CorcException(ErrorCategory.NOT_FOUND, text)
                        .withHint("the object is gone or in another region than " + region
                                + "; corc ec2 orchestration instance list shows what corc knows");
            } else if (code.equals("DependencyViolation")
                    || code.endsWith(".Duplicate")
                    || code.equals("IncorrectState")
                    || code.equals("IncorrectInstanceState")) {
                corc = new CorcException(ErrorCategory.CONFLICT, text)
                        .withHint("another change to the same object is under way; run the command again shortly");
            } else if (code.startsWith("Invalid") || code.equals("MissingParameter")) {
                corc = new CorcException(ErrorCategory.INVALID_INPUT, text)
                        .withHint("check the instance type, image and network settings of providers.ec2 and the flags");
            } else {
                corc = new CorcException(ErrorCategory.UNAVAILABLE, text)
                        .withHint("EC2 refused the call; run with --verbose for the full answer");
            }
            return corc.withContext(Ec2OrchestratorFactory.NAME, operation).withCause(e);
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (message.contains("Unable to load credentials") || message.contains("credentials")) {
            return new CorcException(
                            ErrorCategory.AUTHENTICATION,
                            operation
                                    + " failed: no AWS credentials found (environment, profile, container or instance metadata)")
                    .withHint("set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials"
                            + " named by providers.ec2.profile.name; corc check names what is missing")
                    .withContext(Ec2OrchestratorFactory.NAME, operation)
                    .withCause(e);
        }
        if (hasCause(e, UnknownHostException.class)) {
            return new CorcException(
                            ErrorCategory.UNAVAILABLE,
                            operation + " failed: cannot resolve the EC2 endpoint of region " + region)
                    .withHint("check the region name (providers.ec2.profile.region) and the network")
                    .withContext(Ec2OrchestratorFactory.NAME, operation)
                    .withCause(e);
        }
        ErrorCategory category = e instanceof SdkClientException && hasCause(e, IOException.class)
                ? ErrorCategory.UNAVAILABLE
                : ErrorCategory.INTERNAL;
        return new CorcException(category, operation + " failed: " + message)
                .withHint(
                        category == ErrorCategory.UNAVAILABLE
                                ? "EC2 in " + region
                                        + " did not answer past corc's retries; check the network and try again"
                                : null)
                .withContext(Ec2OrchestratorFactory.NAME, operation)
                .withCause(e);
    }

    static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String action(String operation) {
        int space = operation.indexOf(' ');
        return space < 0 ? operation : operation.substring(0, space);
    }
}
