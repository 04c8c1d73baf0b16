package io.corc.provider.local;

import io.corc.api.SecureFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Deletes a sandbox directory; symbolic links inside are removed, never followed. */
final class SandboxFiles {

    private SandboxFiles() {}

    static void deleteTree(Path directory) {
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            List<Path> deepestFirst = paths.sorted(
                            Comparator.comparingInt(Path::getNameCount).reversed())
                    .toList();
            for (Path path : deepestFirst) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw SecureFiles.ioFailure("delete " + directory, e);
        } catch (UncheckedIOException e) {
            throw SecureFiles.ioFailure("delete " + directory, e.getCause());
        }
    }
}
