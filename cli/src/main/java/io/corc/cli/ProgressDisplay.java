package io.corc.cli;

import io.corc.api.ProgressListener;
import java.io.PrintStream;

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

    ProgressDisplay(PrintStream err, boolean enabled) {
        this(err, enabled, QUIET_NANOS);
    }

    /** With {@code quietNanos}: how long an operation runs before its progress is shown. */
    ProgressDisplay(PrintStream err, boolean enabled, long quietNanos) {
        this.err = err;
        this.enabled = enabled;
        this.quietNanos = quietNanos;
    }

    @Override
    public synchronized void onProgress(String step, long done, long total) {
        if (!enabled || System.nanoTime() - startNanos < quietNanos) {
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
                    .append(done)
                    .append('/')
                    .append(total);
        } else if (done > 0) {
            line.append(' ').append(done);
        }
        String text = line.toString();
        err.print('\r' + text + " ".repeat(Math.max(0, lastLength - text.length())));
        err.flush();
        lastLength = text.length();
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
