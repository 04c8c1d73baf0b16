package io.corc.core.state;

import io.corc.api.SecureFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Moves an unreadable record file aside to {@code <name>.corrupt-<timestamp>} and tells the listener. */
final class Quarantine {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    private final CorruptRecordListener listener;

    Quarantine(CorruptRecordListener listener) {
        this.listener = listener;
    }

    /** Call with the store's lock held. */
    void moveAside(Path file, String reason) {
        String base = file.getFileName() + ".corrupt-" + STAMP.format(Instant.now());
        for (int attempt = 0; ; attempt++) {
            Path target = file.resolveSibling(attempt == 0 ? base : base + "-" + attempt);
            try {
                Files.move(file, target);
                listener.movedAside(file, target, reason);
                return;
            } catch (FileAlreadyExistsException e) {
                // two files went bad within a millisecond: try the next suffix
            } catch (NoSuchFileException e) {
                return; // deleted meanwhile: nothing left to keep
            } catch (IOException e) {
                throw SecureFiles.ioFailure("move the unreadable state file " + file + " aside", e);
            }
        }
    }
}
