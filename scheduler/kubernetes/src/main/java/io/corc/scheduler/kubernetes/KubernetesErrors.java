package io.corc.scheduler.kubernetes;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.util.Locale;

/** Turns fabric8's exceptions into corc's error categories, with the cluster, namespace and a hint. */
final class KubernetesErrors {
    private KubernetesErrors() {}

    /**
     * @param operation what corc was doing, e.g. "create job job-1"
     * @param where the API server and namespace, for the message
     */
    static CorcException translate(RuntimeException e, String operation, String where) {
        if (e instanceof CorcException corc) {
            return corc;
        }
        if (!(e instanceof KubernetesClientException k)) {
            return CorcException.internal("kubernetes: " + operation + " failed: " + e.getMessage(), e);
        }
        String reason = k.getStatus() != null && k.getStatus().getMessage() != null
                ? k.getStatus().getMessage()
                : k.getMessage();
        int code = k.getCode();
        String prefix = "kubernetes: cannot " + operation + " (" + where + ")";
        CorcException translated;
        if (code <= 0) { // no HTTP answer at all
            translated = new CorcException(ErrorCategory.UNAVAILABLE, prefix + ": " + networkReason(k))
                    .withHint("check that the cluster is up and your kubeconfig's server address is right"
                            + " (kubectl cluster-info)");
        } else if (code == 401) {
            translated = new CorcException(
                            ErrorCategory.AUTHENTICATION, prefix + ": the cluster rejected the" + " credentials")
                    .withHint("refresh the kubeconfig (e.g. oci ce cluster create-kubeconfig, aws eks"
                            + " update-kubeconfig) or pick another context with --context");
        } else if (code == 403
                && reason != null
                && reason.toLowerCase(Locale.ROOT).contains("exceeded quota")) {
            translated = new CorcException(ErrorCategory.CAPACITY, prefix + ": " + reason)
                    .withHint("ask for less (--cores, --memory, --num-parallel) or raise the namespace's quota");
        } else if (code == 403) {
            translated = new CorcException(ErrorCategory.AUTHENTICATION, prefix + ": forbidden: " + reason)
                    .withHint("your account needs RBAC rights on jobs, pods, pods/log and secrets in the namespace");
        } else if (code == 404) {
            translated = CorcException.notFound(prefix + ": not found: " + reason)
                    .withHint("check the namespace (corc.schedulers.kubernetes.namespace) exists: kubectl get ns");
        } else if (code == 409) {
            translated = new CorcException(ErrorCategory.CONFLICT, prefix + ": " + reason);
        } else if (code == 400 || code == 422) {
            translated = CorcException.invalidInput(prefix + ": the cluster refused the object: " + reason);
        } else if (code == 429) {
            translated =
                    new CorcException(ErrorCategory.THROTTLED, prefix + ": the API server is throttling: " + reason);
        } else {
            translated = new CorcException(ErrorCategory.UNAVAILABLE, prefix + ": HTTP " + code + ": " + reason);
        }
        return translated.withCause(e);
    }

    private static String networkReason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return "TLS failed (" + t.getMessage() + "); is the kubeconfig's certificate-authority the"
                        + " cluster's?";
            }
            if (t instanceof ConnectException) {
                return "connection refused";
            }
            if (t instanceof UnknownHostException) {
                return "unknown host " + t.getMessage();
            }
            if (t instanceof HttpTimeoutException) {
                return "timed out";
            }
            if (t instanceof IOException && t.getCause() == null && t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return e.getMessage();
    }
}
