package io.corc.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * File helpers every plug-in uses for corc's own files: private directories (0700), private files (0600) and
 * atomic replacement (write a temporary file in the same directory, fsync, rename), so a reader never sees a torn
 * file and a crash mid-write leaves the old content. On file systems without POSIX permissions the permission
 * part is skipped.
 */
public final class SecureFiles {
    private static final Set<PosixFilePermission> DIR_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");

    private SecureFiles() {}

    /** Creates {@code dir} and missing parents; sets 0700 on {@code dir} itself. Returns {@code dir}. */
    public static Path privateDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
            setPermissions(dir, DIR_PERMISSIONS);
            return dir;
        } catch (FileAlreadyExistsException e) {
            throw new CorcException(ErrorCategory.CONFLICT, dir + " exists and is not a directory");
        } catch (IOException e) {
            throw ioFailure("create directory " + dir, e);
        }
    }

    /**
     * Atomically replaces {@code target} with {@code content}, mode 0600, after syncing it to disk; creates the
     * directory (0700) when missing.
     */
    public static void writeAtomically(Path target, byte[] content) {
        privateDirectory(target.toAbsolutePath().getParent());
        replaceInExistingDirectory(target, content);
    }

    /**
     * As {@link #writeAtomically}, but never creates the directory, so a directory another process deleted stays
     * deleted.
     *
     * @throws CorcException {@link ErrorCategory#NOT_FOUND} when the directory does not exist (or vanished during
     *     the write)
     */
    public static void replaceInExistingDirectory(Path target, byte[] content) {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp", privateFileAttributes(dir));
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            moveAtomically(temp, target);
            temp = null;
        } catch (java.nio.file.NoSuchFileException e) {
            throw CorcException.notFound(dir + " does not exist (any more)");
        } catch (IOException e) {
            throw ioFailure("write " + target, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort: a leftover .tmp file is harmless and ignored by readers
                }
            }
        }
    }

    /**
     * Attributes that create a file with mode 0600 from the start (a umask only removes bits), for
     * {@code Files.createFile} and friends; none where the file system of {@code dir} has no POSIX permissions.
     */
    public static FileAttribute<?>[] privateFileAttributes(Path dir) {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS)};
    }

    /** Renames {@code source} over {@code target} atomically (falls back to a plain replace where unsupported). */
    public static void moveAtomically(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Sets mode 0600 on an existing file. */
    public static void makePrivate(Path file) {
        try {
            setPermissions(file, Files.isDirectory(file) ? DIR_PERMISSIONS : FILE_PERMISSIONS);
        } catch (IOException e) {
            throw ioFailure("set permissions of " + file, e);
        }
    }

    /**
     * Sets the mode where the file system has POSIX permissions. The file system's views are checked first, since
     * asking for the file store reads the mount table on every call (too slow for thousands of files); a mount
     * without permissions (e.g. FAT) is recognised when the change fails.
     */
    private static void setPermissions(Path path, Set<PosixFilePermission> permissions) throws IOException {
        if (!path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        try {
            Files.setPosixFilePermissions(path, permissions);
        } catch (IOException | UnsupportedOperationException e) {
            if (Files.getFileStore(path).supportsFileAttributeView("posix")) {
                throw e;
            }
        }
    }

    /** Wraps an I/O failure on corc's own files as an {@link ErrorCategory#INTERNAL} error naming the action. */
    public static CorcException ioFailure(String action, IOException cause) {
        return new CorcException(
                ErrorCategory.INTERNAL,
                "could not " + action + ": " + cause.getMessage(),
                null,
                null,
                "check that the directory is writable and the disk is not full",
                new UncheckedIOException(cause));
    }
}
