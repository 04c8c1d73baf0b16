package io.corc.scheduler.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;

/**
 * Where the scheduler gets its clients: from a kubeconfig file and context, or the usual places when both are
 * {@code null}. Clients are cached and shared; the scheduler never closes them.
 */
@FunctionalInterface
interface ClientSource {
    KubernetesClient client(Path kubeconfig, String context);
}
