package io.corc.storage.local;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.ProgressListener;
import io.corc.api.SecureFiles;
import io.corc.api.StoredObject;
import io.corc.api.TransferReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Uploads and downloads whole trees, skipping files whose size and SHA-256 already match. */
final class TreeTransfer {
    private final LocalStorage storage;
    private final ProgressListener progress;
    private long files;
    private long bytes;
    private long skipped;
    private long done;

    TreeTransfer(LocalStorage storage, ProgressListener progress) {
        this.storage = storage;
        this.progress = progress == null ? ProgressListener.NONE : progress;
    }

    TransferReport upload(Path localDir, String bucket, String prefix) {
        requireNonNull(localDir, "localDir is null");
        long start = System.nanoTime();
        List<Path> local = regularFiles(localDir);
        long total = local.stream().mapToLong(TreeTransfer::size).sum();
        Map<String, StoredObject> stored =
                storage.list(bucket, prefix).stream().collect(Collectors.toMap(StoredObject::key, Function.identity()));
        String step = "uploading to " + bucket + "/" + prefix;
        progress.onProgress(step, 0, total);
        for (Path file : local) {
            String key = prefix + relativeName(localDir, file);
            StoredObject existing = stored.get(key);
            long size = size(file);
            if (existing != null && existing.size() == size && sha256(file).equals(existing.sha256())) {
                skipped++;
            } else {
                storage.put(bucket, key, file);
                files++;
                bytes += size;
            }
            done += size;
            progress.onProgress(step, done, total);
        }
        return new TransferReport(files, bytes, skipped, (System.nanoTime() - start) / 1e9);
    }

    TransferReport download(String bucket, String prefix, Path localDir) {
        requireNonNull(localDir, "localDir is null");
        long start = System.nanoTime();
        Path root = SecureFiles.privateDirectory(localDir.toAbsolutePath());
        List<StoredObject> objects = storage.list(bucket, prefix);
        long total = objects.stream().mapToLong(StoredObject::size).sum();
        String step = "downloading from " + bucket + "/" + prefix;
        progress.onProgress(step, 0, total);
        for (StoredObject object : objects) {
            String relative = object.key().substring(prefix.length());
            while (relative.startsWith("/")) {
                relative = relative.substring(1);
            }
            Path target = root.resolve(ObjectPaths.checkRelative(relative, "relative path"));
            if (Files.isRegularFile(target)
                    && size(target) == object.size()
                    && sha256(target).equals(object.sha256())) {
                skipped++;
            } else {
                ObjectPaths.directories(root, target.getParent());
                storage.get(bucket, object.key(), target);
                files++;
                bytes += object.size();
            }
            done += object.size();
            progress.onProgress(step, done, total);
        }
        return new TransferReport(files, bytes, skipped, (System.nanoTime() - start) / 1e9);
    }

    private static List<Path> regularFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw CorcException.notFound(dir + " is not a directory");
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().endsWith(ObjectPaths.PART_SUFFIX))
                    .sorted()
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw SecureFiles.ioFailure(
                    "list " + dir, e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
        }
    }

    private static String relativeName(Path base, Path file) {
        StringBuilder name = new StringBuilder();
        for (Path part : base.relativize(file)) {
            name.append(name.length() > 0 ? "/" : "").append(part);
        }
        return name.toString();
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw SecureFiles.ioFailure("read the size of " + file, e);
        }
    }

    private static String sha256(Path file) {
        try {
            return VerifiedCopy.sha256(file);
        } catch (IOException e) {
            throw SecureFiles.ioFailure("read " + file, e);
        }
    }
}
