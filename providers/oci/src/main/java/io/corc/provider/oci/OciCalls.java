package io.corc.provider.oci;

import com.oracle.bmc.ClientConfiguration;
import com.oracle.bmc.auth.BasicAuthenticationDetailsProvider;
import com.oracle.bmc.containerengine.ContainerEngineClient;
import com.oracle.bmc.core.ComputeClient;
import com.oracle.bmc.core.VirtualNetworkClient;
import com.oracle.bmc.identity.IdentityClient;
import com.oracle.bmc.model.BmcException;
import com.oracle.bmc.retrier.RetryConfiguration;
import com.oracle.bmc.util.CircuitBreakerUtils;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;
import java.util.function.Function;

/**
 * The OCI clients of one region and the one place their calls go through: the SDK's own retries and circuit breaker
 * are off, because this class retries 429, 5xx (but "Out of host capacity", which OCI answers with a 500) and
 * time-outs itself with exponential back-off and full jitter, and turns every failure into a {@link CorcException}
 * with a category. Creates carry an explicit {@code opc-retry-token}, so a retried create never makes a second object.
 */
final class OciCalls implements AutoCloseable {
    private final ComputeClient compute;
    private final VirtualNetworkClient network;
    private final IdentityClient identity;
    private final ContainerEngineClient containerEngine;
    private final int maxAttempts;
    private final Random jitter;
    private final Duration baseDelay;
    private final String region;

    OciCalls(
            BasicAuthenticationDetailsProvider auth,
            String region,
            OciSettings settings,
            Random jitter,
            Duration baseDelay) {
        this.region = region;
        this.maxAttempts = settings.maxAttempts();
        this.jitter = jitter;
        this.baseDelay = baseDelay;
        ClientConfiguration configuration = ClientConfiguration.builder()
                .retryConfiguration(RetryConfiguration.NO_RETRY_CONFIGURATION)
                .circuitBreakerConfiguration(CircuitBreakerUtils.getNoCircuitBreakerConfiguration())
                .connectionTimeoutMillis(10_000)
                .readTimeoutMillis(
                        (int) Math.min(Integer.MAX_VALUE, settings.readTimeout().toMillis()))
                .build();
        compute = ComputeClient.builder().configuration(configuration).build(auth);
        network = VirtualNetworkClient.builder().configuration(configuration).build(auth);
        identity = IdentityClient.builder().configuration(configuration).build(auth);
        containerEngine =
                ContainerEngineClient.builder().configuration(configuration).build(auth);
        containerEngine.setRegion(region);
        compute.setRegion(region);
        network.setRegion(region);
        identity.setRegion(region);
        if (!settings.endpoint().isBlank()) {
            compute.setEndpoint(settings.endpoint());
            network.setEndpoint(settings.endpoint());
            identity.setEndpoint(settings.endpoint());
            containerEngine.setEndpoint(settings.endpoint());
        }
    }

    String region() {
        return region;
    }

    <T> T compute(String operation, Function<ComputeClient, T> call) {
        return call(operation, () -> call.apply(compute));
    }

    <T> T network(String operation, Function<VirtualNetworkClient, T> call) {
        return call(operation, () -> call.apply(network));
    }

    <T> T identity(String operation, Function<IdentityClient, T> call) {
        return call(operation, () -> call.apply(identity));
    }

    <T> T containerEngine(String operation, Function<ContainerEngineClient, T> call) {
        return call(operation, () -> call.apply(containerEngine));
    }

    private <T> T call(String operation, java.util.function.Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (BmcException e) {
                CorcException failure = translate(operation, e);
                if (!failure.category().isTransient() || attempt >= maxAttempts) {
                    throw failure;
                }
                sleep(attempt);
            } catch (CorcException e) {
                throw e;
            } catch (RuntimeException e) {
                // Jersey's processing exceptions (connection reset, read time-out) arrive unwrapped at times; anything
                // else is a bug and is not retried.
                if (!e.getClass().getName().endsWith("ProcessingException")
                        && !(e instanceof java.io.UncheckedIOException)) {
                    throw e;
                }
                if (attempt >= maxAttempts) {
                    throw new CorcException(
                            ErrorCategory.UNAVAILABLE,
                            operation + " failed: " + e.getMessage(),
                            null,
                            null,
                            "check the network and try again",
                            e);
                }
                sleep(attempt);
            }
        }
    }

    private void sleep(int attempt) {
        long cap = baseDelay.toMillis() * (1L << Math.min(attempt, 10));
        long millis = Math.min(cap, 20_000);
        try {
            Thread.sleep(millis <= 0 ? 0 : (long) (jitter.nextDouble() * millis) + 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CorcException(ErrorCategory.CANCELLED, "interrupted while retrying");
        }
    }

    /** Whether OCI refused for lack of capacity, quota or limits: placement may try another AD or shape. */
    static boolean isCapacity(BmcException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        String code = String.valueOf(e.getServiceCode());
        return message.contains("out of host capacity")
                || message.contains("out of capacity")
                || code.equals("LimitExceeded")
                || code.equals("QuotaExceeded")
                || code.equals("OutOfCapacity");
    }

    static CorcException translate(String operation, BmcException e) {
        int status = e.getStatusCode();
        String code = String.valueOf(e.getServiceCode());
        String message = operation + ": " + (e.getStatusCode() > 0 ? status + " " + code + ": " : "")
                + firstLine(e.getOriginalMessage() != null ? e.getOriginalMessage() : e.getMessage());
        ErrorCategory category;
        String hint;
        if (isCapacity(e)) {
            category = ErrorCategory.CAPACITY;
            hint = "try another availability domain (--zone) or shape, or ask for a higher service limit";
        } else if (e.isTimeout() || status <= 0) {
            category = ErrorCategory.UNAVAILABLE;
            hint = "OCI did not answer in time; try again";
        } else if (status == 429) {
            category = ErrorCategory.THROTTLED;
            hint = "OCI is throttling requests; try again in a minute";
        } else if (status >= 500) {
            category = ErrorCategory.UNAVAILABLE;
            hint = "OCI answered with a server error; try again";
        } else if (status == 401) {
            category = ErrorCategory.AUTHENTICATION;
            hint = "check the user, fingerprint and key_file of your OCI profile ('corc check' says which)";
        } else if (status == 404) {
            category = ErrorCategory.NOT_FOUND;
            hint = "the object does not exist, or your OCI user may not see it (policies of the compartment)";
        } else if (status == 409 || status == 412) {
            category = ErrorCategory.CONFLICT;
            hint = "the object is busy or changed; try again";
        } else {
            category = ErrorCategory.INVALID_INPUT;
            hint = "check the value OCI names in the message";
        }
        return new CorcException(category, message, null, null, hint, e);
    }

    static boolean isNotFound(CorcException e) {
        return e.category() == ErrorCategory.NOT_FOUND;
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    @Override
    public void close() {
        compute.close();
        network.close();
        identity.close();
        containerEngine.close();
    }
}
