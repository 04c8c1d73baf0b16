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
 */
public record TransferReport(long files, long bytes, long skipped, double seconds, List<String> incomplete) {
    public TransferReport {
        incomplete = incomplete == null ? List.of() : List.copyOf(incomplete);
    }

    public TransferReport(long files, long bytes, long skipped, double seconds) {
        this(files, bytes, skipped, seconds, List.of());
    }

    /** This report with the prefixes of incomplete uploads added. */
    public TransferReport withIncomplete(List<String> prefixes) {
        return new TransferReport(files, bytes, skipped, seconds, prefixes);
    }
}
