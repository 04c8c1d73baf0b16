package io.corc.api;

import java.util.List;

/**
 * What a tree transfer moved.
 *
 * @param files files transferred
 * @param bytes bytes transferred
 * @param skipped files left alone because the destination already had the same content
 * @param seconds wall-clock duration
 * @param incomplete key prefixes left out of a download because their upload had not completed (no {@link
 *     TreeManifest}); empty for uploads
 * @param missing keys a download's {@link TreeManifest} lists that the store no longer holds (deleted since the
 *     upload), so the committed tree did not arrive whole; empty for uploads
 */
public record TransferReport(
        long files, long bytes, long skipped, double seconds, List<String> incomplete, List<String> missing) {
    public TransferReport {
        incomplete = incomplete == null ? List.of() : List.copyOf(incomplete);
        missing = missing == null ? List.of() : List.copyOf(missing);
    }

    public TransferReport(long files, long bytes, long skipped, double seconds, List<String> incomplete) {
        this(files, bytes, skipped, seconds, incomplete, List.of());
    }

    public TransferReport(long files, long bytes, long skipped, double seconds) {
        this(files, bytes, skipped, seconds, List.of(), List.of());
    }

    /** This report with the prefixes of incomplete uploads added; its missing keys kept. */
    public TransferReport withIncomplete(List<String> prefixes) {
        return new TransferReport(files, bytes, skipped, seconds, prefixes, missing);
    }

    /** This report with the keys its manifests list but the store no longer holds; its incomplete prefixes kept. */
    public TransferReport withMissing(List<String> keys) {
        return new TransferReport(files, bytes, skipped, seconds, incomplete, keys);
    }

    /** Whether the download brought everything it was meant to: nothing incomplete, nothing missing. */
    public boolean whole() {
        return incomplete.isEmpty() && missing.isEmpty();
    }
}
