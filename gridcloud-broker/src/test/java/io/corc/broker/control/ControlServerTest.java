package io.corc.broker.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.broker.Lease;
import io.corc.broker.LeaseRequest;
import io.corc.broker.LeaseState;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlServerTest {
    @TempDir
    Path dir;

    private InMemoryBroker broker;
    private ControlServer server;
    private final CountDownLatch shutdown = new CountDownLatch(1);
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        broker = new InMemoryBroker(2);
        server = ControlServer.builder(broker)
                .stateDir(dir.resolve("broker"))
                .onShutdown(shutdown::countDown)
                .start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void writesAPrivateTokenAndAControlFileWithoutTheToken() throws Exception {
        Path state = dir.resolve("broker");
        Path token = state.resolve(ControlFiles.TOKEN_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state)))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token)))
                .isEqualTo("rw-------");
        String control = Files.readString(state.resolve(ControlFiles.CONTROL_FILE));
        assertThat(control)
                .contains("\"port\" : " + server.port())
                .contains("\"pid\" : " + ProcessHandle.current().pid())
                .doesNotContain(ControlFiles.readToken(token));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("control.json"))))
                .isEqualTo("rw-------");
        assertThat(server.address().isLoopbackAddress()).isTrue();
    }

    @Test
    void withoutATokenOrWithAWrongOneItAnswers401AndTheBrokerIsNotCalled() throws Exception {
        URI leases = URI.create("http://127.0.0.1:" + server.port() + "/v1/leases");
        String body = "{\"min_cores\": 1, \"ttl_seconds\": 60}";
        HttpResponse<String> none = http.send(
                HttpRequest.newBuilder(leases)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> wrong = http.send(
                HttpRequest.newBuilder(leases)
                        .header("Authorization", "Bearer not-the-token")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> basic = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                        .header("Authorization", "Basic " + token())
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(List.of(none.statusCode(), wrong.statusCode(), basic.statusCode()))
                .containsOnly(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"corc-broker\"");
        assertThat(wrong.body()).contains("\"category\":\"authentication\"").doesNotContain(token());
        assertThat(broker.requests).isEmpty();
        assertThatThrownBy(() -> ControlClient.of(URI.create("http://127.0.0.1:" + server.port()), "wrong")
                        .status())
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.AUTHENTICATION));
    }

    @Test
    void theClientFoundThroughTheStateDirectoryRunsEveryCall() {
        ControlClient client = ControlClient.connect(dir.resolve("broker"));
        assertThat(client.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(client.status().organisation()).isEqualTo("org-a");
        assertThat(client.peers()).singleElement().satisfies(p -> assertThat(p.self())
                .isTrue());
        assertThat(client.offers().get(0).classes().get(0).maxLease()).isEqualTo(Duration.ofHours(4));

        Lease lease = client.request(new LeaseRequest(
                2, 4, 0, null, Duration.ofHours(1), "ssh-ed25519 AAAA test", "alice", Map.of("region", "local")));
        assertThat(lease.state()).isEqualTo(LeaseState.ACTIVE);
        assertThat(lease.endpoint().port()).isEqualTo(2222);
        assertThat(broker.requests.get(0))
                .isEqualTo(new LeaseRequest(
                        2,
                        4,
                        0,
                        null,
                        Duration.ofHours(1),
                        "ssh-ed25519 AAAA test",
                        "alice",
                        Map.of("region", "local")));
        assertThat(client.leases()).containsExactly(lease);

        Lease renewed = client.renew(lease.id(), Duration.ofMinutes(30));
        assertThat(renewed.expires()).isEqualTo(lease.expires().plus(Duration.ofMinutes(30)));
        assertThat(client.release(lease.id()).state()).isEqualTo(LeaseState.RELEASED);
        assertThat(client.accounting()).singleElement().satisfies(u -> assertThat(u.coreHours())
                .isEqualTo(1.5));
        assertThat(client.metrics()).contains("corc_broker_requests_total 1");
    }

    @Test
    void errorsKeepTheirCategoryMessageAndHintAcrossTheApi() throws Exception {
        ControlClient client = ControlClient.connect(dir.resolve("broker"));
        LeaseRequest tooBig = new LeaseRequest(64, 0, 0, null, Duration.ofHours(1), null, "alice", Map.of());
        assertThatThrownBy(() -> client.request(tooBig)).isInstanceOfSatisfying(CorcException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
            assertThat(e.getMessage()).isEqualTo("no class of org-a fits 64 cores");
            assertThat(e.hint()).hasValue("ask for fewer cores");
        });
        assertThatThrownBy(() -> client.release("lease-404"))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND));
        LeaseRequest small = new LeaseRequest(1, 0, 0, null, Duration.ofHours(1), null, "alice", Map.of());
        client.request(small);
        client.request(small);
        assertThatThrownBy(() -> client.request(small)).isInstanceOfSatisfying(CorcException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY);
            assertThat(e.hint()).hasValue("try again later or ask for less");
        });

        HttpResponse<String> capacity = authorised("POST", "/v1/leases", "{\"min_cores\":1,\"ttl_seconds\":60}");
        assertThat(capacity.statusCode()).isEqualTo(507);
        assertThat(authorised("POST", "/v1/leases", "{\"min_cores\":1}").statusCode())
                .as("no TTL: LeaseRequest refuses it")
                .isEqualTo(400);
        assertThat(authorised("POST", "/v1/leases", "not json").statusCode()).isEqualTo(400);
        assertThat(authorised("DELETE", "/v1/status", "").statusCode()).isEqualTo(400);
        assertThat(authorised("GET", "/v1/nothing", "").statusCode()).isEqualTo(404);
        assertThat(authorised("POST", "/v1/leases/lease-1/renew", "{\"ttl_seconds\": -5}")
                        .statusCode())
                .isEqualTo(400);
    }

    @Test
    void theHttpStatusAloneMapsBackToTheCategory() {
        for (ErrorCategory category : ErrorCategory.values()) {
            int status = ControlErrors.httpStatus(category);
            assertThat(ControlErrors.fromAnswer(status, null, "status").category())
                    .as(category + " as " + status)
                    .isEqualTo(category);
        }
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        HttpResponse<String> metrics = authorised("GET", "/metrics", "");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(metrics.body()).startsWith("# TYPE corc_broker_requests_total counter");
    }

    @Test
    void shutdownIsAnsweredThenRun() throws Exception {
        ControlClient.connect(dir.resolve("broker")).shutdown();
        assertThat(shutdown.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void refusesANonLoopbackAddressUnlessAllowed() throws Exception {
        String external = nonLoopbackAddress();
        assertThatThrownBy(() -> ControlServer.builder(broker)
                        .stateDir(dir.resolve("other"))
                        .host(external == null ? "192.0.2.1" : external)
                        .start())
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.getMessage()).contains("loopback only");
                });
        assertThat(dir.resolve("other").resolve(ControlFiles.TOKEN_FILE)).doesNotExist();
        if (external != null) {
            try (ControlServer open = ControlServer.builder(broker)
                    .stateDir(dir.resolve("open"))
                    .host(external)
                    .allowNonLoopback(true)
                    .start()) {
                assertThat(open.address().getHostAddress()).isEqualTo(external);
            }
        }
    }

    @Test
    void closeRemovesTheControlAndTokenFiles() {
        server.close();
        assertThat(dir.resolve("broker").resolve(ControlFiles.CONTROL_FILE)).doesNotExist();
        assertThat(dir.resolve("broker").resolve(ControlFiles.TOKEN_FILE)).doesNotExist();
        assertThatThrownBy(() -> ControlClient.connect(dir.resolve("broker")))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE);
                    assertThat(e.hint()).hasValue("start one with 'corc broker start --daemon'");
                });
    }

    private HttpResponse<String> authorised(String method, String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .header("Authorization", "Bearer " + token())
                        .method(method, HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String token() {
        return ControlFiles.readToken(dir.resolve("broker").resolve(ControlFiles.TOKEN_FILE));
    }

    /** An address of this machine that is not loopback, or null when it has none. */
    private static String nonLoopbackAddress() throws Exception {
        for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress address : java.util.Collections.list(nic.getInetAddresses())) {
                if (!address.isLoopbackAddress() && address instanceof java.net.Inet4Address && nic.isUp()) {
                    return address.getHostAddress();
                }
            }
        }
        return null;
    }
}
