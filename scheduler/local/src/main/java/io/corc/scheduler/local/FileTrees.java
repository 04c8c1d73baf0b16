package io.corc.scheduler.local;

import io.corc.api.SecureFiles;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;

/** Creates private directory paths and deletes directory trees; symbolic links are removed, never followed. */
final class FileTrees {
    /** How often a delete starts over when a concurrent writer added a file to a directory being deleted. */
    private static final int DELETE_ATTEMPTS = 20;

    private FileTrees() {}

    /** Creates {@code dir} and each missing parent with mode 0700 (directories that exist are left as they are). */
    static Path privateDirectories(Path dir) {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path next = dir.toAbsolutePath(); next != null && !Files.isDirectory(next); next = next.getParent()) {
            missing.push(next);
        }
        missing.forEach(SecureFiles::privateDirectory);
        return dir;
    }

    /**
     * Deletes {@code root} and everything under it. A missing root is not an error, nor are files that another
     * process deletes meanwhile; files another process adds meanwhile are deleted too.
     */
    static void delete(Path root) {
        for (int attempt = 1; ; attempt++) {
            try {
                deleteOnce(root);
                return;
            } catch (DirectoryNotEmptyException e) {
                if (attempt == DELETE_ATTEMPTS) {
                    throw SecureFiles.ioFailure("delete " + root, e);
                }
            }
        }
    }

    private static void deleteOnce(Path root) throws DirectoryNotEmptyException {
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
        } catch (DirectoryNotEmptyException e) {
            throw e;
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
