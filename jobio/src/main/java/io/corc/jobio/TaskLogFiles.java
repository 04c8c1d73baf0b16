package io.corc.jobio;

import io.corc.api.SecureFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A command's {@code stdout.log} and {@code stderr.log}. They are created with mode 0600 before the command starts
 * (a redirect would create them with the mode the umask leaves), and the runner holds each open while the command
 * runs: when the command deleted or replaced a log file, {@link #close} sets the command's file aside as
 * {@code <name>.task} and writes the runner's log back from the open copy.
 */
final class TaskLogFiles implements AutoCloseable {
    private final List<LogFile> files;

    private record LogFile(Path path, FileChannel copy, Object fileKey) {}

    private TaskLogFiles(List<LogFile> files) {
        this.files = files;
    }

    /** Creates empty {@code stdout.log} and {@code stderr.log} in {@code dir}, replacing older ones. */
    static TaskLogFiles create(Path dir) throws IOException {
        List<LogFile> files = new ArrayList<>();
        try {
            for (String name : List.of(ReservedNames.STDOUT, ReservedNames.STDERR)) {
                Path path = dir.resolve(name);
                Files.deleteIfExists(path);
                Files.createFile(path, SecureFiles.privateFileAttributes(dir));
                files.add(new LogFile(path, FileChannel.open(path, StandardOpenOption.READ), fileKey(path)));
            }
            return new TaskLogFiles(List.copyOf(files));
        } catch (IOException | RuntimeException e) {
            new TaskLogFiles(files).closeCopies();
            throw e;
        }
    }

    Path stdout() {
        return files.get(0).path();
    }

    Path stderr() {
        return files.get(1).path();
    }

    /** Puts back each log file the command deleted or replaced; call once the command has exited. */
    @Override
    public void close() throws IOException {
        try {
            for (LogFile file : files) {
                if (file.fileKey() != null && !Objects.equals(file.fileKey(), fileKey(file.path()))) {
                    ReservedNames.setAside(file.path());
                    restore(file);
                }
            }
        } finally {
            closeCopies();
        }
    }

    private static void restore(LogFile file) throws IOException {
        Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try (FileChannel out = FileChannel.open(
                file.path(),
                options,
                SecureFiles.privateFileAttributes(file.path().getParent()))) {
            long size = file.copy().size();
            long done = 0;
            while (done < size) {
                long sent = file.copy().transferTo(done, size - done, out);
                if (sent <= 0) {
                    break;
                }
                done += sent;
            }
        }
    }

    private void closeCopies() throws IOException {
        for (LogFile file : files) {
            file.copy().close();
        }
    }

    private static Object fileKey(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
