package io.corc.scheduler.kubernetes;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Clients built as kubectl would: the given kubeconfig file, else {@code $KUBECONFIG}, else
 * {@code ~/.kube/config}, else the pod's service account when running inside a cluster.
 */
final class KubeconfigClients implements ClientSource {
    private final Map<String, KubernetesClient> clients = new ConcurrentHashMap<>();

    @Override
    public KubernetesClient client(Path kubeconfig, String context) {
        String key = kubeconfig + "|" + context;
        return clients.computeIfAbsent(key, k -> new KubernetesClientBuilder()
                .withConfig(config(kubeconfig, context))
                .build());
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
