package io.corc.api;

import static java.util.Objects.requireNonNull;

/**
 * Where a job's inputs and outputs live in storage. The layout is the same for every storage backend:
 *
 * <pre>
 *   &lt;bucket&gt;/&lt;jobId&gt;/&lt;inputPrefix&gt;/...                 inputs, shared by every task
 *   &lt;bucket&gt;/&lt;jobId&gt;/&lt;outputPrefix&gt;/&lt;taskIndex&gt;/...    outputs of one task, job.json included
 * </pre>
 *
 * @param storage storage plug-in name, e.g. {@code local}, {@code s3}
 * @param bucket bucket name
 * @param jobId the job's id, the first path element
 * @param inputPrefix corc's {@code bucket_input_prefix}, default {@code input}
 * @param outputPrefix corc's {@code bucket_output_prefix}, default {@code output}
 */
public record Staging(String storage, String bucket, String jobId, String inputPrefix, String outputPrefix) {
    /**
     * Keys of {@link JobSpec#options()} from which the job runner, in another process, rebuilds the storage: the
     * plug-in name, each scalar of its configuration section under the prefix, and corc's home. Core sets them at
     * submission; they are plain settings, never secrets (credentials reach runners by the scheduler's own means).
     */
    public static final String STORAGE_NAME_OPTION = "corc.storage.name";

    public static final String STORAGE_CONFIG_OPTION_PREFIX = "corc.storage.config.";
    public static final String HOME_OPTION = "corc.home";

    public Staging {
        requireNonNull(storage, "storage is null");
        requireNonNull(bucket, "bucket is null");
        requireNonNull(jobId, "jobId is null");
        inputPrefix = inputPrefix == null || inputPrefix.isBlank() ? "input" : trimSlashes(inputPrefix);
        outputPrefix = outputPrefix == null || outputPrefix.isBlank() ? "output" : trimSlashes(outputPrefix);
    }

    /** Key prefix of the inputs, ending in {@code /}. */
    public String inputKeyPrefix() {
        return jobId + "/" + inputPrefix + "/";
    }

    /** Key prefix of every task's outputs, ending in {@code /}. */
    public String outputKeyPrefix() {
        return jobId + "/" + outputPrefix + "/";
    }

    /** Key prefix of one task's outputs, ending in {@code /}. */
    public String outputKeyPrefix(int taskIndex) {
        return outputKeyPrefix() + taskIndex + "/";
    }

    private static String trimSlashes(String prefix) {
        String trimmed = prefix.strip();
        while (trimmed.startsWith("/")) {
            trimmed = trimmed.substring(1);
        }
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }
}
