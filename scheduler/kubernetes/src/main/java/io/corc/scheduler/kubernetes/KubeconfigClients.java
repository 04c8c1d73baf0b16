package io.corc.scheduler.kubernetes;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.PluginConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Clients built as kubectl would: the given kubeconfig file, else {@code $KUBECONFIG}, else
 * {@code ~/.kube/config}, else the pod's service account when running inside a cluster.
 */
final class KubeconfigClients implements ClientSource {
    /** The setting {@code corc.schedulers.kubernetes.http_client} that picks the HTTP stack. */
    static final String HTTP_CLIENT = "http_client";

    /**
     * The setting {@code corc.schedulers.kubernetes.request_retries}: how often a failed request (connection refused,
     * 429, 5xx) is repeated, after 0.1 s, then twice as long each time. fabric8's 10 make an unreachable cluster
     * look like a hang of ~20 s (in {@code corc check} too); 5 give up after ~3 s.
     */
    static final String REQUEST_RETRIES = "request_retries";

    private final Map<String, KubernetesClient> clients = new ConcurrentHashMap<>();
    private final Supplier<HttpClient.Factory> httpClients;
    private final int requestRetries;

    private KubeconfigClients(Supplier<HttpClient.Factory> httpClients, int requestRetries) {
        this.httpClients = httpClients;
        this.requestRetries = requestRetries;
    }

    /**
     * Clients on the HTTP stack {@code http_client} names: {@code vertx} (default; about 2 ms less client CPU per
     * submission than the JDK's, see bench/results/k8s-submit.md) or {@code jdk} (no Vert.x threads, a little less
     * start-up work for one-shot use). Named explicitly, never left to fabric8's ServiceLoader pick, as both are
     * on the class path.
     */
    static KubeconfigClients of(PluginConfig config) {
        int retries = config.integer(REQUEST_RETRIES, 5);
        if (retries < 0) {
            throw CorcException.invalidInput(
                    config.path() + "." + REQUEST_RETRIES + " must be 0 or more, got " + retries);
        }
        String name = config.string(HTTP_CLIENT, "vertx");
        return switch (name) {
            case "vertx" -> new KubeconfigClients(VertxHttpClientFactory::new, retries);
            case "jdk" -> new KubeconfigClients(JdkHttpClientFactory::new, retries);
            default ->
                throw CorcException.invalidInput(
                                config.path() + "." + HTTP_CLIENT + " must be vertx or jdk, got '" + name + "'")
                        .withHint("leave it out for vertx");
        };
    }

    @Override
    public KubernetesClient client(Path kubeconfig, String context) {
        String key = kubeconfig + "|" + context;
        return clients.computeIfAbsent(key, k -> {
            Config config = config(kubeconfig, context);
            config.setRequestRetryBackoffLimit(requestRetries);
            return new KubernetesClientBuilder()
                    .withConfig(config)
                    .withHttpClientFactory(httpClients.get())
                    .build();
        });
    }

    static Config config(Path kubeconfig, String context) {
        if (kubeconfig != null) {
            try {
                return Config.fromKubeconfig(context, Files.readString(kubeconfig), kubeconfig.toString());
            } catch (IOException e) {
                throw missing("cannot read the kubeconfig " + kubeconfig + ": " + e.getMessage());
            } catch (RuntimeException e) {
                throw invalid(kubeconfig.toString(), context, e);
            }
        }
        String fromEnvironment = System.getenv("KUBECONFIG");
        Path standard = Path.of(System.getProperty("user.home"), ".kube", "config");
        boolean inCluster = System.getenv("KUBERNETES_SERVICE_HOST") != null;
        if ((fromEnvironment == null || fromEnvironment.isBlank()) && !Files.exists(standard) && !inCluster) {
            throw new NotConfigured("no Kubernetes cluster is configured: no $KUBECONFIG, no " + standard
                    + ", and corc is not running inside a cluster");
        }
        try {
            Config config = Config.autoConfigure(context);
            if (context != null
                    && (config.getCurrentContext() == null
                            || !Objects.equals(config.getCurrentContext().getName(), context))) {
                throw CorcException.invalidInput("kubeconfig has no context '" + context + "'")
                        .withHint("list the contexts with: kubectl config get-contexts");
            }
            return config;
        } catch (CorcException e) {
            throw e;
        } catch (RuntimeException e) {
            throw invalid(fromEnvironment != null ? fromEnvironment : standard.toString(), context, e);
        }
    }

    /** No kubeconfig anywhere: the user has not set Kubernetes up, as opposed to a broken set-up. */
    static final class NotConfigured extends CorcException {
        NotConfigured(String message) {
            super(
                    ErrorCategory.AUTHENTICATION,
                    "kubernetes: " + message,
                    null,
                    null,
                    "point corc.schedulers.kubernetes.kubeconfig or $KUBECONFIG at your cluster's kubeconfig"
                            + " (kubectl uses the same file)",
                    null);
        }
    }

    private static CorcException missing(String message) {
        return new CorcException(ErrorCategory.AUTHENTICATION, "kubernetes: " + message)
                .withHint("point corc.schedulers.kubernetes.kubeconfig or $KUBECONFIG at your cluster's kubeconfig"
                        + " (kubectl uses the same file)");
    }

    private static CorcException invalid(String file, String context, RuntimeException e) {
        return CorcException.invalidInput("kubernetes: cannot use the kubeconfig " + file
                        + (context == null ? "" : " with context '" + context + "'") + ": " + e.getMessage())
                .withHint("check it with: kubectl config view")
                .withCause(e);
    }
}
