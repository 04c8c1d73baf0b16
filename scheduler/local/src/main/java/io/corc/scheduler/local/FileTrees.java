package io.corc.scheduler.local;

import io.corc.api.SecureFiles;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Deletes directory trees; symbolic links are removed, never followed. */
final class FileTrees {
    private FileTrees() {}

    /** Deletes {@code root} and everything under it; a missing root is not an error. */
    static void delete(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            throw SecureFiles.ioFailure("delete " + root, e);
        }
    }

    /** Like {@link #delete}, for clean-up after another failure: a failure to delete is added, not thrown. */
    static void deleteQuietly(Path root) {
        try {
            delete(root);
        } catch (RuntimeException e) {
            // best effort: the caller reports the original failure, which matters more
        }
    }
}
