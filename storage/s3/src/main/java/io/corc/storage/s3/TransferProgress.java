package io.corc.storage.s3;

import io.corc.api.ProgressListener;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts bytes and files of a tree transfer from many threads and tells the listener at most every 100 ms, with a
 * step text such as {@code uploading to s3://b/p (12/300 files)}; the byte counts are the listener's numbers.
 */
final class TransferProgress {
    private static final long INTERVAL_NANOS = 100_000_000L;

    private final ProgressListener listener;
    private final String action;
    private final long totalBytes;
    private final long totalFiles;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong files = new AtomicLong();
    private final AtomicLong lastReport = new AtomicLong(System.nanoTime() - INTERVAL_NANOS);
    private volatile boolean abandoned;

    TransferProgress(ProgressListener listener, String action, long totalBytes, long totalFiles) {
        this.listener = listener == null ? ProgressListener.NONE : listener;
        this.action = action;
        this.totalBytes = totalBytes;
        this.totalFiles = totalFiles;
    }

    /** After a failure: transfers not yet begun end at once instead of running. */
    void abandon() {
        abandoned = true;
    }

    /** Called as each request begins. */
    void checkNotAbandoned() {
        if (abandoned) {
            throw new java.util.concurrent.CancellationException("abandoned after another transfer failed");
        }
    }

    void addBytes(long count) {
        bytes.addAndGet(count);
        maybeReport();
    }

    void fileDone() {
        files.incrementAndGet();
        maybeReport();
    }

    private void maybeReport() {
        long now = System.nanoTime();
        long last = lastReport.get();
        if (now - last >= INTERVAL_NANOS && lastReport.compareAndSet(last, now)) {
            report();
        }
    }

    void report() {
        listener.onProgress(action + " (" + files.get() + "/" + totalFiles + " files)", bytes.get(), totalBytes);
    }
}
