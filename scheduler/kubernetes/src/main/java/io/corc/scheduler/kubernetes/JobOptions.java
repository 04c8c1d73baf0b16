package io.corc.scheduler.kubernetes;

import io.corc.api.CorcException;
import io.corc.api.JobSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A job's Kubernetes settings: the scheduler's configuration with the spec's {@code kubernetes.*} options on top
 * ({@code corc job run --scheduler-option kubernetes.namespace=sim}).
 *
 * <p>Options: {@code context} (kubeconfig context; read by the scheduler), {@code namespace}, {@code service_account}, {@code backoff_limit}, {@code image_pull_policy},
 * {@code node_selector} ({@code key=value,key=value}, added to the configured ones) and {@code tolerations}
 * ({@code key[=value]:effect,...}, added to the configured ones).
 */
record JobOptions(
        String namespace,
        String serviceAccount,
        int backoffLimit,
        String imagePullPolicy,
        Map<String, String> nodeSelector,
        List<Toleration> tolerations) {

    static final String PREFIX = "kubernetes.";

    /** A toleration as {@code key[=value]:effect}; operator Exists without a value, Equal with one. */
    record Toleration(String key, String value, String effect) {
        static Toleration parse(String text) {
            int colon = text.lastIndexOf(':');
            String keyValue = colon < 0 ? text : text.substring(0, colon);
            String effect = colon < 0 ? null : text.substring(colon + 1).strip();
            int equals = keyValue.indexOf('=');
            String key = (equals < 0 ? keyValue : keyValue.substring(0, equals)).strip();
            String value = equals < 0 ? null : keyValue.substring(equals + 1).strip();
            if (key.isEmpty()
                    || (effect != null
                            && !List.of("NoSchedule", "PreferNoSchedule", "NoExecute")
                                    .contains(effect))) {
                throw CorcException.invalidInput("toleration '" + text + "' is not key[=value]:effect")
                        .withHint("effect is NoSchedule, PreferNoSchedule or NoExecute, e.g. gpu=true:NoSchedule");
            }
            return new Toleration(key, value, effect);
        }
    }

    static JobOptions of(JobSpec spec, KubernetesSettings settings, String defaultNamespace) {
        Map<String, String> options = spec.options();
        Map<String, String> nodeSelector = new LinkedHashMap<>(settings.nodeSelector());
        nodeSelector.putAll(pairs(options.get(PREFIX + "node_selector"), "node_selector"));
        List<Toleration> tolerations = new ArrayList<>();
        settings.tolerations().forEach(t -> tolerations.add(Toleration.parse(t)));
        for (String item : list(options.get(PREFIX + "tolerations"))) {
            tolerations.add(Toleration.parse(item));
        }
        return new JobOptions(
                options.getOrDefault(PREFIX + "namespace", defaultNamespace),
                options.getOrDefault(PREFIX + "service_account", settings.serviceAccount()),
                integer(options.get(PREFIX + "backoff_limit"), settings.backoffLimit()),
                options.getOrDefault(PREFIX + "image_pull_policy", settings.imagePullPolicy()),
                nodeSelector,
                tolerations);
    }

    private static List<String> list(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        return List.of(text.split(",")).stream()
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    private static Map<String, String> pairs(String text, String what) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String item : list(text)) {
            int equals = item.indexOf('=');
            if (equals <= 0) {
                throw CorcException.invalidInput(PREFIX + what + " entry '" + item + "' is not key=value")
                        .withHint("e.g. --scheduler-option " + PREFIX + what + "=gpu=a100,zone=a");
            }
            pairs.put(
                    item.substring(0, equals).strip(),
                    item.substring(equals + 1).strip());
        }
        return pairs;
    }

    private static int integer(String text, int defaultValue) {
        if (text == null || text.isBlank()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(text.strip());
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw CorcException.invalidInput(
                PREFIX + "backoff_limit must be a whole number, 0 or more, got '" + text + "'");
    }
}
