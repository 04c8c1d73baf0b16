package io.corc.broker.control;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.broker.BrokerService;
import io.corc.broker.BrokerStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The broker's control API: JSON over HTTP on 127.0.0.1 for the CLI and embedders, every request authorised by a
 * bearer token that is written, fresh for each start, to a 0600 file in a 0700 directory. Another address is
 * refused unless {@link Builder#allowNonLoopback} is set (then the token is all that guards it, in clear text:
 * put TLS in front). Routes (docs/broker.md): {@code GET /v1/status|peers|offers|leases|accounting}, {@code POST
 * /v1/leases} (request), {@code POST /v1/leases/ID/renew} ({@code {"ttl_seconds": N}}), {@code POST
 * /v1/leases/ID/release}, {@code POST /v1/shutdown}, {@code GET /metrics} (Prometheus text). Errors are {@code
 * {"status": "error", "error": {category, message, hint}}} with the status code of {@link ControlErrors}.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ControlServer.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 64 * 1024;

    private final BrokerService service;
    private final HttpServer server;
    private final ExecutorService executor;
    private final byte[] tokenDigest;
    private final boolean allowNonLoopback;
    private final Runnable onShutdown;
    private final Path stateDir;
    private final Path tokenFile;
    private final long pid;
    private volatile boolean closed;

    private ControlServer(Builder builder, HttpServer server, ExecutorService executor, String token) {
        this.service = builder.service;
        this.server = server;
        this.executor = executor;
        this.tokenDigest = sha256(token);
        this.allowNonLoopback = builder.allowNonLoopback;
        this.onShutdown = builder.onShutdown;
        this.stateDir = builder.stateDir;
        this.tokenFile = builder.tokenFile;
        this.pid = ProcessHandle.current().pid();
    }

    public static Builder builder(BrokerService service) {
        return new Builder(service);
    }

    /** The TCP port it listens on (the one chosen when 0 was asked). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The address it listens on. */
    public InetAddress address() {
        return server.getAddress().getAddress();
    }

    /** Stops answering and removes the control file and the token file. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        executor.shutdownNow();
        ControlFiles.removeControl(stateDir, pid);
        ControlFiles.deleteQuietly(tokenFile);
    }

    private void handle(HttpExchange exchange) {
        try {
            if (!allowNonLoopback && !exchange.getRemoteAddress().getAddress().isLoopbackAddress()) {
                fail(exchange, 403, new CorcException(ErrorCategory.AUTHENTICATION, "only local clients are served"));
                return;
            }
            if (!authorised(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"corc-broker\"");
                fail(
                        exchange,
                        401,
                        new CorcException(
                                        ErrorCategory.AUTHENTICATION,
                                        "missing or wrong bearer token for the broker's control API")
                                .withHint("send 'Authorization: Bearer' with the token in the file named by"
                                        + " control.json in the broker's state directory"));
                return;
            }
            route(exchange);
        } catch (CorcException e) {
            respondError(exchange, e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "control API: " + exchange.getRequestURI().getPath() + " failed", e);
            respondError(
                    exchange,
                    CorcException.internal(String.valueOf(e), e)
                            .withHint("this is a bug in corc's broker; its log has the stack trace"));
        } finally {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        String[] parts = path.replaceAll("/+$", "").split("/");
        if (path.equals("/metrics")) {
            requireMethod(method, "GET");
            respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", service.metrics());
            return;
        }
        if (parts.length < 3 || !parts[1].equals("v1")) {
            throw CorcException.notFound("no such control API path: " + path)
                    .withHint("paths: /v1/status, /v1/peers, /v1/offers, /v1/leases, /v1/accounting, /metrics");
        }
        switch (parts[2]) {
            case "status" -> {
                requireMethod(method, "GET");
                json(exchange, 200, "broker", ControlCodec.status(service.status()));
            }
            case "peers" -> {
                requireMethod(method, "GET");
                json(
                        exchange,
                        200,
                        "peers",
                        service.peers().stream().map(ControlCodec::peer).toList());
            }
            case "offers" -> {
                requireMethod(method, "GET");
                json(
                        exchange,
                        200,
                        "offers",
                        service.offers().stream().map(ControlCodec::offer).toList());
            }
            case "accounting" -> {
                requireMethod(method, "GET");
                json(
                        exchange,
                        200,
                        "members",
                        service.accounting().stream().map(ControlCodec::usage).toList());
            }
            case "leases" -> leases(exchange, method, parts);
            case "shutdown" -> {
                requireMethod(method, "POST");
                json(exchange, 202, "shutdown", true);
                Thread stopper = new Thread(onShutdown, "corc-broker-shutdown");
                stopper.setDaemon(false);
                stopper.start();
            }
            default -> throw CorcException.notFound("no such control API path: " + path);
        }
    }

    private void leases(HttpExchange exchange, String method, String[] parts) {
        if (parts.length == 3) {
            if (method.equals("GET")) {
                json(
                        exchange,
                        200,
                        "leases",
                        service.leases().stream().map(ControlCodec::lease).toList());
            } else {
                requireMethod(method, "POST");
                var request = ControlCodec.request(body(exchange));
                json(exchange, 201, "lease", ControlCodec.lease(service.request(request)));
            }
            return;
        }
        requireMethod(method, "POST");
        if (parts.length != 5) {
            throw CorcException.notFound(
                    "no such control API path: " + exchange.getRequestURI().getPath());
        }
        String leaseId = parts[3];
        switch (parts[4]) {
            case "renew" -> {
                Object ttl = body(exchange).get("ttl_seconds");
                if (!(ttl instanceof Number seconds) || seconds.longValue() <= 0) {
                    throw CorcException.invalidInput("renew needs a positive ttl_seconds");
                }
                json(
                        exchange,
                        200,
                        "lease",
                        ControlCodec.lease(service.renew(leaseId, Duration.ofSeconds(seconds.longValue()))));
            }
            case "release" -> json(exchange, 200, "lease", ControlCodec.lease(service.release(leaseId)));
            default -> throw CorcException.notFound("no such lease action: " + parts[4]);
        }
    }

    private static void requireMethod(String method, String wanted) {
        if (!method.equals(wanted)) {
            throw CorcException.invalidInput("method " + method + " not allowed here; use " + wanted);
        }
    }

    private static Map<?, ?> body(HttpExchange exchange) {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw CorcException.invalidInput("request body larger than " + MAX_BODY + " bytes");
            }
            if (bytes.length == 0) {
                return Map.of();
            }
            return JSON.readValue(bytes, Map.class);
        } catch (JsonProcessingException e) {
            throw CorcException.invalidInput("request body is not a JSON object: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CorcException(ErrorCategory.UNAVAILABLE, "could not read the request: " + e.getMessage());
        }
    }

    private boolean authorised(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        // Digests of equal length compared in constant time: neither the token nor its length leaks by timing.
        return MessageDigest.isEqual(tokenDigest, sha256(header.substring(7).strip()));
    }

    private static void json(HttpExchange exchange, int code, String key, Object value) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("status", "success");
        document.put(key, value);
        try {
            respond(exchange, code, "application/json", JSON.writeValueAsString(document));
        } catch (JsonProcessingException e) {
            throw CorcException.internal("could not write JSON", e);
        }
    }

    private static void respondError(HttpExchange exchange, CorcException error) {
        fail(exchange, ControlErrors.httpStatus(error.category()), error);
    }

    private static void fail(HttpExchange exchange, int code, CorcException error) {
        try {
            respond(exchange, code, "application/json", JSON.writeValueAsString(ControlErrors.body(error)));
        } catch (JsonProcessingException e) {
            respond(exchange, code, "text/plain", error.getMessage());
        }
    }

    private static void respond(HttpExchange exchange, int code, String type, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "control API: client went away", e);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** How to start a control server. */
    public static final class Builder {
        private final BrokerService service;
        private Path stateDir;
        private Path tokenFile;
        private String host = "127.0.0.1";
        private int port;
        private boolean allowNonLoopback;
        private Runnable onShutdown = () -> {};

        private Builder(BrokerService service) {
            this.service = requireNonNull(service, "service is null");
        }

        /** Where {@value ControlFiles#CONTROL_FILE} goes (required). */
        public Builder stateDir(Path value) {
            this.stateDir = requireNonNull(value, "stateDir is null");
            return this;
        }

        /** Where the token goes (default: {@value ControlFiles#TOKEN_FILE} in the state directory). */
        public Builder tokenFile(Path value) {
            this.tokenFile = value;
            return this;
        }

        /** Address to bind (default 127.0.0.1); anything but loopback needs {@link #allowNonLoopback}. */
        public Builder host(String value) {
            this.host = value == null || value.isBlank() ? "127.0.0.1" : value;
            return this;
        }

        /** TCP port (default 0: any free one). */
        public Builder port(int value) {
            this.port = value;
            return this;
        }

        /**
         * Allows a non-loopback bind address. The API then answers any host that has the token, over plain HTTP;
         * only for a network that is already private and encrypted (docs/broker.md).
         */
        public Builder allowNonLoopback(boolean value) {
            this.allowNonLoopback = value;
            return this;
        }

        /** What {@code POST /v1/shutdown} runs, on a thread of its own, after answering. */
        public Builder onShutdown(Runnable value) {
            this.onShutdown = requireNonNull(value, "onShutdown is null");
            return this;
        }

        /**
         * Writes a new token (0600, directory 0700), binds, starts answering and writes {@value
         * ControlFiles#CONTROL_FILE}.
         */
        public ControlServer start() {
            requireNonNull(stateDir, "stateDir is null");
            if (tokenFile == null) {
                tokenFile = stateDir.resolve(ControlFiles.TOKEN_FILE);
            }
            InetAddress address;
            try {
                address = InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                throw CorcException.invalidInput("unknown control API address '" + host + "'");
            }
            if (!address.isLoopbackAddress() && !allowNonLoopback) {
                throw CorcException.invalidInput("the control API binds to loopback only, not " + host)
                        .withHint("use 127.0.0.1 (the default); another address needs control.allow_non_loopback:"
                                + " true and a private network (docs/broker.md)");
            }
            String token = ControlFiles.newToken();
            ControlFiles.writeToken(tokenFile, token);
            HttpServer server;
            try {
                server = HttpServer.create(new InetSocketAddress(address, port), 16);
            } catch (IOException e) {
                throw new CorcException(
                                ErrorCategory.CONFLICT,
                                "cannot listen on " + host + ":" + port + " for the control API: " + e.getMessage())
                        .withHint("choose another control port in broker.yaml, or 0 for any free one")
                        .withCause(e);
            }
            AtomicInteger threads = new AtomicInteger();
            ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
                Thread thread = new Thread(r, "corc-broker-control-" + threads.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(executor);
            ControlServer control = new ControlServer(this, server, executor, token);
            server.createContext("/", control::handle);
            server.start();
            BrokerStatus status = statusOrNull();
            ControlFiles.writeControl(
                    stateDir,
                    new ControlFiles.ControlInfo(
                            address.getHostAddress(),
                            control.port(),
                            control.pid,
                            tokenFile,
                            status == null ? null : status.organisation(),
                            status == null ? null : status.grid(),
                            Instant.now()));
            return control;
        }

        private BrokerStatus statusOrNull() {
            try {
                return service.status();
            } catch (RuntimeException e) {
                return null;
            }
        }
    }
}
