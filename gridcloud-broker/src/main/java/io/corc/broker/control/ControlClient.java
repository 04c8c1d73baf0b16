package io.corc.broker.control;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.broker.BrokerStatus;
import io.corc.broker.Lease;
import io.corc.broker.LeaseRequest;
import io.corc.broker.MemberOffer;
import io.corc.broker.MemberUsage;
import io.corc.broker.Peer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The CLI's (and an embedder's) side of the control API: finds the running broker through {@value
 * ControlFiles#CONTROL_FILE} in its state directory, authenticates with the token file it names, and turns error
 * answers back into the {@link CorcException} the broker raised, so the exit code is the one docs/exit-codes.md
 * gives for its category.
 */
public final class ControlClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A request waits until the owner has the resource up; a cloud instance takes minutes. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(15);

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final String token;
    private final long pid;
    private final HttpClient http;

    private ControlClient(URI base, String token, long pid) {
        this.base = requireNonNull(base, "base is null");
        this.token = requireNonNull(token, "token is null");
        this.pid = pid;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /**
     * The client of the broker whose state directory is {@code stateDir}.
     *
     * @throws CorcException {@code UNAVAILABLE} when no broker runs there (no control file)
     */
    public static ControlClient connect(Path stateDir) {
        return find(stateDir).orElseThrow(() -> new CorcException(
                        ErrorCategory.UNAVAILABLE, "no broker is running (no control file in " + stateDir + ")")
                .withContext("broker", null)
                .withHint("start one with 'corc broker start --daemon'"));
    }

    /** The client of the broker in {@code stateDir}, or empty when its control file is missing. */
    public static Optional<ControlClient> find(Path stateDir) {
        return ControlFiles.readControl(stateDir)
                .map(info -> new ControlClient(
                        URI.create("http://" + hostForUri(info.host()) + ":" + info.port()),
                        ControlFiles.readToken(info.tokenFile()),
                        info.pid()));
    }

    /** A client of the control API at {@code base} with {@code token} (tests, embedders with their own files). */
    public static ControlClient of(URI base, String token) {
        return new ControlClient(base, token, -1);
    }

    /** The broker's pid as its control file says, or -1. */
    public long pid() {
        return pid;
    }

    /** Where the API is, e.g. {@code http://127.0.0.1:43123}; never the token. */
    public URI base() {
        return base;
    }

    public BrokerStatus status() {
        return ControlCodec.status(map(get("/v1/status", "status"), "broker"));
    }

    public List<Peer> peers() {
        return list(get("/v1/peers", "peers"), "peers", ControlCodec::peer);
    }

    public List<MemberOffer> offers() {
        return list(get("/v1/offers", "offers"), "offers", ControlCodec::offer);
    }

    public List<Lease> leases() {
        return list(get("/v1/leases", "leases"), "leases", ControlCodec::lease);
    }

    public List<MemberUsage> accounting() {
        return list(get("/v1/accounting", "accounting"), "members", ControlCodec::usage);
    }

    /** Prometheus text. */
    public String metrics() {
        return send(builder("/metrics", CALL_TIMEOUT).GET(), "metrics").body();
    }

    /** Asks for a lease; waits up to {@link #REQUEST_TIMEOUT} while the owner starts the resource. */
    public Lease request(LeaseRequest request) {
        return ControlCodec.lease(
                map(post("/v1/leases", ControlCodec.request(request), REQUEST_TIMEOUT, "request"), "lease"));
    }

    public Lease renew(String leaseId, Duration extension) {
        return ControlCodec.lease(map(
                post(
                        "/v1/leases/" + segment(leaseId) + "/renew",
                        Map.of("ttl_seconds", extension.toSeconds()),
                        CALL_TIMEOUT,
                        "renew"),
                "lease"));
    }

    public Lease release(String leaseId) {
        return ControlCodec.lease(map(
                post("/v1/leases/" + segment(leaseId) + "/release", Map.of(), REQUEST_TIMEOUT, "release"), "lease"));
    }

    /** Asks the broker to leave its grid and exit; returns once it has accepted. */
    public void shutdown() {
        post("/v1/shutdown", Map.of(), CALL_TIMEOUT, "shutdown");
    }

    private Map<?, ?> get(String path, String operation) {
        return parse(send(builder(path, CALL_TIMEOUT).GET(), operation), operation);
    }

    private Map<?, ?> post(String path, Map<String, ?> body, Duration timeout, String operation) {
        try {
            HttpRequest.Builder request = builder(path, timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            return parse(send(request, operation), operation);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw CorcException.internal("could not write JSON", e);
        }
    }

    private HttpRequest.Builder builder(String path, Duration timeout) {
        return HttpRequest.newBuilder(base.resolve(path))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String operation) {
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw new CorcException(
                    ErrorCategory.UNAVAILABLE,
                    "the broker's control API at " + base + " does not answer",
                    "broker",
                    operation,
                    "the broker is not running (its control file is stale); 'corc broker status' tells,"
                            + " 'corc broker start --daemon' starts it",
                    e);
        } catch (HttpTimeoutException e) {
            throw new CorcException(
                    ErrorCategory.UNAVAILABLE,
                    "the broker did not answer " + operation + " in time",
                    "broker",
                    operation,
                    "see broker.log in the broker's state directory",
                    e);
        } catch (IOException e) {
            throw new CorcException(
                    ErrorCategory.UNAVAILABLE,
                    "could not reach the broker's control API at " + base + ": " + e.getMessage(),
                    "broker",
                    operation,
                    "'corc broker status' tells whether it runs",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CorcException(ErrorCategory.CANCELLED, operation + " interrupted");
        }
        if (response.statusCode() >= 300) {
            Map<?, ?> body = null;
            try {
                body = JSON.readValue(response.body(), Map.class);
            } catch (IOException | RuntimeException notJson) {
                // mapped from the status code alone
            }
            throw ControlErrors.fromAnswer(response.statusCode(), body, operation);
        }
        return response;
    }

    private static Map<?, ?> parse(HttpResponse<String> response, String operation) {
        try {
            return JSON.readValue(response.body(), Map.class);
        } catch (IOException e) {
            throw CorcException.internal("the broker answered " + operation + " with something other than JSON", e);
        }
    }

    private static Map<?, ?> map(Map<?, ?> document, String key) {
        if (document.get(key) instanceof Map<?, ?> value) {
            return value;
        }
        throw CorcException.internal("the broker's answer has no '" + key + "'", null);
    }

    private static <T> List<T> list(Map<?, ?> document, String key, Function<Map<?, ?>, T> decode) {
        if (document.get(key) instanceof List<?> values) {
            return values.stream().map(v -> decode.apply((Map<?, ?>) v)).toList();
        }
        throw CorcException.internal("the broker's answer has no '" + key + "'", null);
    }

    private static String segment(String leaseId) {
        if (leaseId == null || leaseId.isBlank()) {
            throw CorcException.invalidInput("a lease id is needed").withHint("'corc broker leases' lists them");
        }
        return URLEncoder.encode(leaseId, StandardCharsets.UTF_8);
    }

    private static String hostForUri(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
