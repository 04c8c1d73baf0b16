package io.corc.storage.local;

import io.corc.api.SecureFiles;
import io.corc.api.StoredObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/** Lists the objects of a bucket directory and tidies it after deletes. */
final class ObjectListing {

    private ObjectListing() {}

    /** Objects whose key starts with {@code prefix}, sorted by key; unfinished transfers are left out. */
    static List<StoredObject> list(
            ObjectPaths paths, String bucket, String prefix, BiFunction<String, String, String> checksums) {
        Path bucketDir = paths.bucketDir(bucket);
        Path start = bucketDir;
        int slash = prefix.lastIndexOf('/');
        if (slash > 0) {
            start = bucketDir.resolve(ObjectPaths.checkRelative(prefix.substring(0, slash), "prefix"));
        }
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        List<StoredObject> objects = new ArrayList<>();
        try (Stream<Path> files = Files.walk(start)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                String key = keyOf(bucketDir, file);
                if (attributes.isRegularFile()
                        && !file.getFileName().toString().endsWith(ObjectPaths.PART_SUFFIX)
                        && key.startsWith(prefix)) {
                    objects.add(new StoredObject(
                            key,
                            attributes.size(),
                            checksums.apply(bucket, key),
                            attributes.lastModifiedTime().toInstant()));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            throw SecureFiles.ioFailure("list bucket '" + bucket + "'", cause);
        }
        objects.sort(Comparator.comparing(StoredObject::key));
        return List.copyOf(objects);
    }

    /** Removes the empty directories below {@code dir}, deepest first, keeping {@code dir} itself. */
    static void pruneEmptyDirectories(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            List<Path> directories = paths.filter(Files::isDirectory)
                    .filter(p -> !p.equals(dir))
                    .sorted(Comparator.comparingInt(Path::getNameCount).reversed())
                    .toList();
            for (Path directory : directories) {
                try (Stream<Path> entries = Files.list(directory)) {
                    if (entries.findAny().isEmpty()) {
                        Files.deleteIfExists(directory);
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // an empty directory left behind is harmless: it holds no object
        }
    }

    private static String keyOf(Path bucketDir, Path file) {
        StringBuilder key = new StringBuilder();
        for (Path name : bucketDir.relativize(file)) {
            if (key.length() > 0) {
                key.append('/');
            }
            key.append(name);
        }
        return key.toString();
    }
}
