package io.corc.core.state;

import java.lang.System.Logger.Level;
import java.nio.file.Path;

/**
 * Told when the state store finds a file that is not a valid record and moves it aside (to
 * {@code <name>.corrupt-<timestamp>}) instead of dropping it. The reason never contains the file's content.
 */
@FunctionalInterface
public interface CorruptRecordListener {

    /**
     * @param file the record file that could not be read
     * @param movedTo where it is now, for a person to inspect or restore
     * @param reason why it was rejected, e.g. {@code not valid JSON (line 1, column 7)}
     */
    void movedAside(Path file, Path movedTo, String reason);

    /** The default: a warning through {@link System.Logger} {@code io.corc.core.state}. */
    static CorruptRecordListener logging() {
        System.Logger logger = System.getLogger("io.corc.core.state");
        return (file, movedTo, reason) -> logger.log(
                Level.WARNING,
                "state file {0} is not a valid record ({1}); moved it aside to {2}",
                file,
                reason,
                movedTo);
    }
}
