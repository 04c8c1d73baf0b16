package io.corc.storage.s3;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** Turns SDK exceptions into one clear {@link CorcException} naming the endpoint, bucket and what to do. */
final class S3Errors {
    private S3Errors() {}

    /**
     * @param what what was being done, e.g. "upload key 'a/b' to bucket 'x'"
     * @param bucket the bucket, for messages about it
     */
    static CorcException translate(SdkException e, S3Settings settings, String what, String bucket) {
        String endpoint = settings.describeEndpoint();
        if (e instanceof AwsServiceException service) {
            int status = service.statusCode();
            String code = service.awsErrorDetails() == null
                    ? ""
                    : service.awsErrorDetails().errorCode();
            code = code == null ? "" : code;
            String detail = " (" + status + (code.isEmpty() ? "" : " " + code) + ")";
            CorcException translated =
                    switch (code) {
                        case "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken" ->
                            new CorcException(
                                            ErrorCategory.AUTHENTICATION,
                                            endpoint + " rejected the credentials" + detail + " while trying to "
                                                    + what)
                                    .withHint(credentialsHint(settings));
                        case "AccessDenied", "AllAccessDisabled" ->
                            new CorcException(
                                            ErrorCategory.AUTHENTICATION,
                                            "access denied" + detail + " to bucket '" + bucket + "' at " + endpoint
                                                    + " while trying to " + what)
                                    .withHint("these credentials may not do this; use a bucket they may write to, or"
                                            + " grant them access to '" + bucket + "'");
                        case "NoSuchBucket" ->
                            CorcException.notFound("bucket '" + bucket + "' does not exist at " + endpoint)
                                    .withHint("check corc.storage.s3.bucket_name / --storage-bucket; corc creates the"
                                            + " bucket when it stages inputs");
                        case "NoSuchKey" -> CorcException.notFound(what + ": no such key in bucket '" + bucket + "'");
                        case "BucketAlreadyExists" ->
                            new CorcException(
                                            ErrorCategory.CONFLICT,
                                            "bucket name '" + bucket + "' is taken by another account at " + endpoint)
                                    .withHint("bucket names are global on AWS; choose another bucket_name");
                        case "SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded" ->
                            new CorcException(
                                            ErrorCategory.THROTTLED,
                                            endpoint + " kept throttling requests" + detail + " after "
                                                    + settings.maxAttempts() + " attempts while trying to " + what)
                                    .withHint("retry later, or lower corc.storage.s3.max_concurrent_requests (now "
                                            + settings.concurrency() + ")");
                        case "BadDigest", "InvalidDigest" ->
                            new CorcException(
                                            ErrorCategory.INTERNAL,
                                            "checksum mismatch: " + endpoint + " received different bytes than were"
                                                    + " sent" + detail + " while trying to " + what)
                                    .withHint("nothing was stored; re-run the transfer (it resumes), and if it"
                                            + " persists something between here and the store alters the data");
                        case "QuotaExceeded", "TooManyBuckets" ->
                            new CorcException(ErrorCategory.CAPACITY, endpoint + " refused: quota exceeded" + detail)
                                    .withHint("delete unused buckets or objects, or ask for a higher quota");
                        default -> byStatus(status, detail, endpoint, what, bucket, settings);
                    };
            return translated.withContext("s3", what).withCause(e);
        }
        Throwable root = rootCause(e);
        if (root instanceof UnknownHostException
                || root instanceof ConnectException
                || root instanceof NoRouteToHostException
                || root instanceof SocketTimeoutException) {
            return new CorcException(
                            ErrorCategory.UNAVAILABLE,
                            "cannot reach " + endpoint + " (" + unreachable(root) + ") while trying to " + what)
                    .withHint("check corc.storage.endpoint / --storage-endpoint and that the server is running"
                            + " (--verbose shows the network error)")
                    .withContext("s3", what)
                    .withCause(e);
        }
        if (e instanceof SdkClientException && String.valueOf(e.getMessage()).contains("credentials")) {
            return new CorcException(ErrorCategory.AUTHENTICATION, "no S3 credentials found for " + endpoint)
                    .withHint(credentialsHint(settings))
                    .withContext("s3", what)
                    .withCause(e);
        }
        return new CorcException(
                        ErrorCategory.UNAVAILABLE, "S3 request failed while trying to " + what + ": " + e.getMessage())
                .withHint("run with --verbose for details; check the endpoint and network")
                .withContext("s3", what)
                .withCause(e);
    }

    private static CorcException byStatus(
            int status, String detail, String endpoint, String what, String bucket, S3Settings settings) {
        if (status == 401 || status == 403) {
            return new CorcException(
                            ErrorCategory.AUTHENTICATION,
                            endpoint + " refused access" + detail + " while trying to " + what
                                    + ": the credentials are wrong or may not use bucket '" + bucket + "'")
                    .withHint(credentialsHint(settings));
        }
        if (status == 404) {
            return CorcException.notFound(what + ": not found" + detail + " at " + endpoint);
        }
        if (status == 503 || status == 429) {
            return new CorcException(
                            ErrorCategory.THROTTLED,
                            endpoint + " kept answering" + detail + " after " + settings.maxAttempts()
                                    + " attempts while trying to " + what)
                    .withHint("retry later, or lower corc.storage.s3.max_concurrent_requests");
        }
        if (status >= 500) {
            return new CorcException(
                            ErrorCategory.UNAVAILABLE,
                            endpoint + " failed" + detail + " after " + settings.maxAttempts()
                                    + " attempts while trying to " + what)
                    .withHint("the store has a problem; retry later, re-running resumes the transfer");
        }
        if (status == 400 && settings.endpoint() == null) {
            return CorcException.invalidInput(endpoint + " refused the request" + detail + " to " + what)
                    .withHint("check corc.storage.s3.region matches the bucket's region");
        }
        return CorcException.invalidInput(endpoint + " refused the request" + detail + " to " + what)
                .withHint("run with --verbose for the store's full answer");
    }

    static String credentialsHint(S3Settings settings) {
        return "S3 credentials come from " + (settings.secretsDir() == null ? "" : settings.secretsDir() + ", ")
                + "profile '" + settings.profile() + "' in " + settings.credentialsFile()
                + " (corc.storage.s3.name / credentials_file), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
    }

    /** Why a connection failed, in plain words rather than the name of the JDK's or HttpClient's exception. */
    static String unreachable(Throwable root) {
        String message = String.valueOf(root.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (root instanceof UnknownHostException) {
            return "unknown host";
        }
        if (root instanceof NoRouteToHostException || message.contains("no route")) {
            return "no route to host";
        }
        if (root instanceof SocketTimeoutException || message.contains("timed out")) {
            return "connection timed out";
        }
        if (message.contains("refused")) {
            return "connection refused";
        }
        return "connection failed";
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
