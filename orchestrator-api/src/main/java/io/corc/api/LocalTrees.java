package io.corc.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The local side of tree transfers, shared by storage plug-ins: which files a directory holds, their names as keys,
 * and the reverse, a key's relative name as a path that cannot leave the target directory.
 */
public final class LocalTrees {
    /** Suffix of a file being transferred; such files are never uploaded and never visible under the final name. */
    public static final String PART_SUFFIX = ".corc-part";

    private static final int MAX_KEY_LENGTH = 1024;

    private LocalTrees() {}

    /** Regular files under {@code dir}, sorted, without unfinished transfers. */
    public static List<Path> files(Path dir) {
        return walk(dir, Files::isRegularFile);
    }

    /**
     * The files of a tree upload: {@link #files}, refusing a file named like the commit marker, which the upload
     * writes itself.
     *
     * @throws CorcException {@link ErrorCategory#INVALID_INPUT} naming the file
     */
    public static List<Path> filesToUpload(Path dir) {
        List<Path> files = files(dir);
        for (Path file : files) {
            if (file.getFileName().toString().equals(TreeManifest.FILE_NAME)) {
                throw CorcException.invalidInput(file + " has a name corc reserves for its commit marker")
                        .withHint("rename the file; " + TreeManifest.FILE_NAME + " marks a complete upload");
            }
        }
        return files;
    }

    /** The manifest entries of the empty directories under {@code dir}, so that a download re-creates them. */
    public static List<TreeManifest.Entry> emptyDirectoryEntries(Path dir) {
        return emptyDirectories(dir).stream()
                .map(empty -> new TreeManifest.Entry(relativeName(dir, empty) + "/", 0, "-"))
                .toList();
    }

    /** Directories under {@code dir} (not {@code dir} itself) that contain nothing, sorted. */
    public static List<Path> emptyDirectories(Path dir) {
        return walk(dir, p -> !p.equals(dir) && Files.isDirectory(p) && isEmpty(p));
    }

    private static List<Path> walk(Path dir, java.util.function.Predicate<Path> filter) {
        if (!Files.isDirectory(dir)) {
            throw CorcException.notFound(dir + " is not a directory");
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(filter)
                    .filter(p -> !p.getFileName().toString().endsWith(PART_SUFFIX))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw SecureFiles.ioFailure("list " + dir, e);
        } catch (UncheckedIOException e) {
            throw SecureFiles.ioFailure("list " + dir, e.getCause());
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code file} relative to {@code base}, with {@code /} separators. */
    public static String relativeName(Path base, Path file) {
        StringBuilder name = new StringBuilder();
        for (Path part : base.relativize(file)) {
            name.append(name.length() > 0 ? "/" : "").append(part);
        }
        return name.toString();
    }

    /**
     * The path of a key's relative name below {@code root}, refusing names that would leave it ({@code ..},
     * absolute) or that no file system can hold.
     *
     * @throws CorcException {@link ErrorCategory#INVALID_INPUT} naming the key
     */
    public static Path resolveInside(Path root, String relative, String key) {
        if (relative.isEmpty() || relative.length() > MAX_KEY_LENGTH) {
            throw unsafe(key, "has an empty or too long name");
        }
        if (relative.startsWith("/") || relative.contains("\\") || relative.indexOf('\0') >= 0) {
            throw unsafe(key, "is not a relative path with / as separator");
        }
        for (String name : relative.split("/", -1)) {
            if (name.isEmpty() || name.equals(".") || name.equals("..")) {
                throw unsafe(key, "has empty, '.' or '..' path elements");
            }
            if (name.endsWith(PART_SUFFIX)) {
                throw unsafe(key, "ends in " + PART_SUFFIX + ", which marks unfinished transfers");
            }
        }
        return root.resolve(relative);
    }

    /** Where a file is written before it is verified and renamed to {@code target}. */
    public static Path partFile(Path target) {
        return target.resolveSibling("." + target.getFileName() + PART_SUFFIX);
    }

    private static CorcException unsafe(String key, String problem) {
        return CorcException.invalidInput("key '" + key + "' " + problem + ", so it cannot be stored as a local file")
                .withHint("rename the object, or download the keys one by one to names you choose");
    }
}
