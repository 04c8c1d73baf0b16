package io.corc.api;

import java.nio.file.Path;
import java.util.List;

/**
 * Object storage for job inputs and outputs (S3 and compatibles, a local directory). Keys use {@code /} as
 * separator. Every transfer verifies the content with a checksum, not only the size, and fails with
 * {@link ErrorCategory#INTERNAL} naming the key on a mismatch; a failed transfer never leaves a partial object or
 * file under the final name.
 */
public interface Storage {

    String name();

    Features features();

    /** Checks credentials and reachability; never throws for that. */
    CheckResult check();

    /** Creates the bucket if missing. Idempotent. */
    void ensureBucket(String bucket);

    /** Uploads one file to {@code key}, replacing what is there. */
    void put(String bucket, String key, Path file);

    /**
     * Downloads {@code key} to {@code target}, creating parent directories.
     *
     * @throws CorcException {@link ErrorCategory#NOT_FOUND} when the key does not exist
     */
    void get(String bucket, String key, Path target);

    /** Objects whose key starts with {@code prefix}, sorted by key. Empty for a missing bucket or prefix. */
    List<StoredObject> list(String bucket, String prefix);

    /** Deletes every object under {@code prefix}. Idempotent. Returns how many were deleted. */
    int delete(String bucket, String prefix);

    /**
     * Uploads the tree under {@code localDir} to keys {@code prefix + relative path}. Files whose content is
     * already there are skipped, so an interrupted upload can be re-run.
     */
    TransferReport upload(Path localDir, String bucket, String prefix, ProgressListener progress);

    /**
     * Downloads every object under {@code prefix} into {@code localDir} (key minus prefix as relative path). Files
     * already present with the same content are skipped. Where {@link TreeManifest}s govern the prefix, only what
     * they list is fetched; sub-trees without one are reported in {@link TransferReport#incomplete()}, and listed
     * files the store no longer holds in {@link TransferReport#missing()}.
     */
    TransferReport download(String bucket, String prefix, Path localDir, ProgressListener progress);

    /**
     * The credentials a job runner on another machine needs to reach this storage as the current user, as files of
     * a secrets directory (for S3: {@code aws_access_key_id}, {@code aws_secret_access_key} and maybe
     * {@code aws_session_token}, the layout {@code corc jobio --storage-secrets-dir} reads); empty when none are
     * needed. Secret: callers pass them to the scheduler only, never to logs, specs or state.
     */
    default java.util.Map<String, String> runnerSecrets() {
        return java.util.Map.of();
    }

    /**
     * Settings a job runner on another machine needs that this machine found in its own environment rather than in
     * corc's configuration (for S3: the region from the AWS profile), by key of the backend's configuration
     * section. Not secret; configured settings win over these. Empty when there are none.
     */
    default java.util.Map<String, String> runnerSettings() {
        return java.util.Map.of();
    }

    /**
     * Where {@code key} lives, in the form users know for this backend ({@code s3://bucket/key}, a local path), for
     * messages such as "results are in ...". Does not check that the key exists.
     */
    default String locate(String bucket, String key) {
        return name() + "://" + bucket + "/" + key;
    }
}
