package io.corc.storage.local;

import static java.util.Objects.requireNonNull;

import io.corc.api.LocalTrees;
import io.corc.api.ProgressListener;
import io.corc.api.SecureFiles;
import io.corc.api.StoredObject;
import io.corc.api.TransferReport;
import io.corc.api.TreeManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Uploads and downloads whole trees, skipping files whose size and SHA-256 already match. An upload ends with a
 * {@link TreeManifest} as its commit marker; a download fetches what the manifests list (see {@link
 * TreeManifest#select}).
 */
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
        List<Path> local = LocalTrees.filesToUpload(localDir);
        long total = local.stream().mapToLong(TreeTransfer::size).sum();
        Map<String, StoredObject> stored =
                storage.list(bucket, prefix).stream().collect(Collectors.toMap(StoredObject::key, Function.identity()));
        String manifestKey = TreeManifest.markerKey(prefix);
        if (stored.containsKey(manifestKey)) {
            storage.delete(bucket, manifestKey); // until the new marker is written, the upload reads as incomplete
        }
        String step = "uploading to " + bucket + "/" + prefix;
        progress.onProgress(step, 0, total);
        List<TreeManifest.Entry> entries = new ArrayList<>();
        for (Path file : local) {
            String relative = LocalTrees.relativeName(localDir, file);
            String key = prefix + relative;
            StoredObject existing = stored.get(key);
            long size = size(file);
            String sha256 = sha256(file);
            if (existing != null && existing.size() == size && sha256.equals(existing.sha256())) {
                skipped++;
            } else {
                storage.put(bucket, key, file);
                files++;
                bytes += size;
            }
            entries.add(new TreeManifest.Entry(relative, size, sha256));
            done += size;
            progress.onProgress(step, done, total);
        }
        entries.addAll(LocalTrees.emptyDirectoryEntries(localDir));
        writeManifest(bucket, manifestKey, new TreeManifest(entries));
        return new TransferReport(files, bytes, skipped, (System.nanoTime() - start) / 1e9);
    }

    private void writeManifest(String bucket, String key, TreeManifest manifest) {
        try {
            Path temp = Files.createTempFile("corc-manifest", ".txt");
            try {
                Files.writeString(temp, manifest.encode(), StandardCharsets.UTF_8);
                storage.put(bucket, key, temp);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw SecureFiles.ioFailure("write the commit marker " + key, e);
        }
    }

    TransferReport download(String bucket, String prefix, Path localDir) {
        requireNonNull(localDir, "localDir is null");
        long start = System.nanoTime();
        Path root = SecureFiles.privateDirectory(localDir.toAbsolutePath());
        TreeManifest.Selection selection =
                TreeManifest.select(storage.list(bucket, prefix), prefix, key -> readManifest(bucket, key));
        long total =
                selection.fetch().stream().mapToLong(s -> s.object().size()).sum();
        String step = "downloading from " + bucket + "/" + prefix;
        progress.onProgress(step, 0, total);
        for (TreeManifest.Selected selected : selection.fetch()) {
            StoredObject object = selected.object();
            Path target = LocalTrees.resolveInside(root, object.key().substring(prefix.length()), object.key());
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
        for (String directory : selection.directories()) {
            String relative = directory.substring(prefix.length(), directory.length() - 1);
            ObjectPaths.directories(root, LocalTrees.resolveInside(root, relative, directory));
        }
        // files a manifest lists but the store lost since the upload: the tree did not arrive whole; the caller says so
        return new TransferReport(files, bytes, skipped, (System.nanoTime() - start) / 1e9)
                .withIncomplete(selection.incomplete())
                .withMissing(selection.missing());
    }

    private TreeManifest readManifest(String bucket, String key) {
        try {
            Path temp = Files.createTempFile("corc-manifest", ".txt");
            try {
                storage.get(bucket, key, temp);
                return TreeManifest.parse(Files.readString(temp, StandardCharsets.UTF_8), storage.locate(bucket, key));
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw SecureFiles.ioFailure("read the commit marker " + key, e);
        }
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
