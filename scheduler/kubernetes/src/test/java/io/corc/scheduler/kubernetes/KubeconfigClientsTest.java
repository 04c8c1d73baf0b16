package io.corc.scheduler.kubernetes;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.PluginConfig;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The HTTP stack of the scheduler's clients is the one {@code http_client} names, and both talk to a cluster. */
@EnableKubernetesMockClient(crud = true)
class KubeconfigClientsTest {
    static KubernetesClient client;

    @TempDir
    Path work;

    @ParameterizedTest
    @CsvSource({"'', Vertx", "vertx, Vertx", "jdk, Jdk"})
    void theNamedStackReadsAndWritesTheClusterOfTheKubeconfig(String setting, String classPrefix) throws Exception {
        Map<String, Object> config = setting.isEmpty() ? Map.of() : Map.of("http_client", setting);
        KubeconfigClients clients = KubeconfigClients.of(new PluginConfig("corc.schedulers.kubernetes", config));

        KubernetesClient fromKubeconfig = clients.client(kubeconfig(), null);
        String name = "cm-" + classPrefix.toLowerCase() + "-" + setting.length();
        fromKubeconfig
                .configMaps()
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .addToData("k", "v")
                        .build())
                .create();

        assertThat(fromKubeconfig.getHttpClient().getClass().getSimpleName()).startsWith(classPrefix);
        assertThat(client.configMaps().withName(name).get().getData()).containsEntry("k", "v");
    }

    @Test
    void anUnknownStackIsAnInputErrorNamingTheSetting() {
        PluginConfig config = new PluginConfig("corc.schedulers.kubernetes", Map.of("http_client", "okhttp"));

        assertThatThrownBy(() -> KubeconfigClients.of(config)).isInstanceOfSatisfying(CorcException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
            assertThat(e.getMessage()).contains("corc.schedulers.kubernetes.http_client", "okhttp");
        });
    }

    @Test
    void aFailingRequestIsRepeatedAsOftenAsRequestRetriesSays() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread answering = new Thread(() -> answer503(server, requests), "503-server");
            answering.setDaemon(true);
            answering.start();
            KubeconfigClients clients = KubeconfigClients.of(
                    new PluginConfig("corc.schedulers.kubernetes", Map.of("request_retries", 2, "http_client", "jdk")));
            KubernetesClient unavailable =
                    clients.client(kubeconfig("http://127.0.0.1:" + server.getLocalPort()), null);

            assertThatThrownBy(() -> unavailable.configMaps().list()).isInstanceOf(KubernetesClientException.class);
            assertThat(requests).hasValue(3);
        }
    }

    /** Answers every request with 503 Service Unavailable, counting them. */
    private static void answer503(ServerSocket server, AtomicInteger requests) {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
                String line;
                while ((line = in.readLine()) != null && !line.isEmpty()) {
                    // the request head; a GET has no body
                }
                requests.incrementAndGet();
                socket.getOutputStream()
                        .write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                                .getBytes(UTF_8));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private Path kubeconfig() throws Exception {
        return kubeconfig(client.getMasterUrl().toString());
    }

    private Path kubeconfig(String server) throws Exception {
        return Files.writeString(
                work.resolve("kubeconfig"),
                String.join(
                        "\n",
                        "apiVersion: v1",
                        "kind: Config",
                        "clusters:",
                        "- name: mock",
                        "  cluster:",
                        "    server: " + server,
                        "    insecure-skip-tls-verify: true",
                        "contexts:",
                        "- name: mock",
                        "  context: {cluster: mock, user: tester, namespace: " + client.getNamespace() + "}",
                        "current-context: mock",
                        "users:",
                        "- name: tester",
                        "  user: {token: not-a-real-token}",
                        ""));
    }
}
