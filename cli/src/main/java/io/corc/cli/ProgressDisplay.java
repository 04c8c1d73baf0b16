package io.corc.cli;

import io.corc.api.ProgressListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows progress of long operations on one terminal line of stderr, only when stderr is a terminal and only once
 * the operation has taken more than a second, so quick commands and scripts see nothing.
 */
final class ProgressDisplay implements ProgressListener {
    private static final long QUIET_NANOS = 1_000_000_000L;

    private final PrintStream err;
    private final boolean enabled;
    private final long quietNanos;
    private final long startNanos = System.nanoTime();
    private int lastLength;
    private boolean bytes;
    private long files = -1;

    ProgressDisplay(PrintStream err, boolean enabled) {
        this(err, enabled, QUIET_NANOS);
    }

    /** With {@code quietNanos}: how long an operation runs before its progress is shown. */
    ProgressDisplay(PrintStream err, boolean enabled, long quietNanos) {
        this.err = err;
        this.enabled = enabled;
        this.quietNanos = quietNanos;
    }

    /**
     * Shows the amounts as bytes with the transfer rate, and {@code fileCount} (unless negative) as the number of
     * files being transferred. Returns this display.
     */
    ProgressDisplay transfer(long fileCount) {
        this.bytes = true;
        this.files = fileCount;
        return this;
    }

    @Override
    public synchronized void onProgress(String step, long done, long total) {
        long elapsed = System.nanoTime() - startNanos;
        if (!enabled || elapsed < quietNanos) {
            return;
        }
        StringBuilder line = new StringBuilder(step);
        if (total > 0) {
            int width = 20;
            int filled = (int) Math.min(width, done * width / total);
            line.append(" [")
                    .append("#".repeat(filled))
                    .append(" ".repeat(width - filled))
                    .append("] ")
                    .append(amount(done))
                    .append('/')
                    .append(amount(total));
        } else if (done > 0) {
            line.append(' ').append(amount(done));
        }
        if (bytes) {
            if (files >= 0) {
                line.append(", ").append(files).append(files == 1 ? " file" : " files");
            }
            if (elapsed > 0) {
                line.append(", ").append(size((long) (done * 1e9 / elapsed))).append("/s");
            }
        }
        String text = line.toString();
        err.print('\r' + text + " ".repeat(Math.max(0, lastLength - text.length())));
        err.flush();
        lastLength = text.length();
    }

    private String amount(long value) {
        return bytes ? size(value) : Long.toString(value);
    }

    /** A byte count as people read it: {@code 512 B}, {@code 1.5 KiB}, {@code 3.0 GiB}. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** Clears the progress line, if one was drawn. */
    synchronized void finish() {
        if (lastLength > 0) {
            err.print('\r' + " ".repeat(lastLength) + '\r');
            err.flush();
            lastLength = 0;
        }
    }
}
