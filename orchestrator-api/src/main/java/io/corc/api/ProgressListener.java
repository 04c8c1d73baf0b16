package io.corc.api;

/**
 * Receives progress of a long operation. Implementations must be thread-safe and fast; they must not throw.
 * {@code total} is -1 when unknown.
 */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (step, done, total) -> {};

    /**
     * @param step what is happening now, e.g. "waiting for SSH", "uploading input"
     * @param done units done so far (bytes, files, tasks; the step says which)
     * @param total units in all, or -1 when unknown
     */
    void onProgress(String step, long done, long total);
}
