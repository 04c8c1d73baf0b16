package io.corc.storage.local;

import static java.util.Objects.requireNonNull;

import io.corc.api.CheckResult;
import io.corc.api.CorcException;
import io.corc.api.Feature;
import io.corc.api.Features;
import io.corc.api.ProgressListener;
import io.corc.api.SecureFiles;
import io.corc.api.Storage;
import io.corc.api.StoredObject;
import io.corc.api.TransferReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Object storage in a directory of this machine: bucket {@code b} is the directory {@code <root>/b}, key {@code k}
 * the file {@code <root>/b/k}. Each object's SHA-256 is recorded when it is stored and checked whenever it is read.
 * Buckets are created on first write. Directories are 0700 and files 0600.
 */
public final class LocalStorage implements Storage {
    static final String NAME = "local";

    private final ObjectPaths paths;

    public LocalStorage(Path root) {
        this.paths = new ObjectPaths(requireNonNull(root, "root is null"));
    }

    /** The directory holding the buckets. */
    public Path root() {
        return paths.root();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Features features() {
        return Features.of(Feature.CHECKSUMS);
    }

    @Override
    public CheckResult check() {
        Path existing = paths.root();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing != null && Files.isDirectory(existing) && Files.isWritable(existing)) {
            return CheckResult.ok(NAME, "objects under " + paths.root());
        }
        return CheckResult.failed(NAME, paths.root() + " is not a writable directory (checked " + existing + ")");
    }

    @Override
    public void ensureBucket(String bucket) {
        ObjectPaths.directories(paths.root(), paths.bucketDir(bucket));
    }

    @Override
    public void put(String bucket, String key, Path file) {
        requireNonNull(file, "file is null");
        Path target = paths.object(bucket, key);
        Path checksum = paths.checksum(bucket, key);
        ObjectPaths.directories(paths.root(), target.getParent());
        ObjectPaths.directories(paths.root(), checksum.getParent());
        VerifiedCopy copy;
        try {
            copy = VerifiedCopy.stage(file, target, null, describe(bucket, key));
        } catch (CorcException e) {
            throw e.withContext(NAME, "put");
        }
        try {
            // the checksum is written first: a crash before the rename shows up as a mismatch, never as a wrong file
            long size = Files.size(copy.temp());
            SecureFiles.writeAtomically(checksum, (copy.sha256() + " " + size + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw SecureFiles.ioFailure("record the checksum of " + describe(bucket, key), e);
        }
        copy.commit();
    }

    @Override
    public void get(String bucket, String key, Path target) {
        requireNonNull(target, "target is null");
        Path source = paths.object(bucket, key);
        if (!Files.isRegularFile(source)) {
            throw CorcException.notFound(describe(bucket, key) + " does not exist")
                    .withContext(NAME, "get");
        }
        Path absolute = target.toAbsolutePath();
        SecureFiles.privateDirectory(absolute.getParent());
        String expected = storedChecksum(bucket, key);
        try {
            VerifiedCopy.stage(source, absolute, expected, describe(bucket, key))
                    .commit();
        } catch (CorcException e) {
            throw e.withContext(NAME, "get");
        }
    }

    @Override
    public List<StoredObject> list(String bucket, String prefix) {
        return ObjectListing.list(paths, bucket, prefix == null ? "" : prefix, this::storedChecksum);
    }

    @Override
    public int delete(String bucket, String prefix) {
        List<StoredObject> objects = list(bucket, prefix);
        try {
            for (StoredObject object : objects) {
                Files.deleteIfExists(paths.object(bucket, object.key()));
                Files.deleteIfExists(paths.checksum(bucket, object.key()));
            }
        } catch (IOException e) {
            throw SecureFiles.ioFailure("delete objects under '" + prefix + "' in bucket '" + bucket + "'", e);
        }
        ObjectListing.pruneEmptyDirectories(paths.bucketDir(bucket));
        ObjectListing.pruneEmptyDirectories(paths.checksumDir(bucket));
        return objects.size();
    }

    @Override
    public TransferReport upload(Path localDir, String bucket, String prefix, ProgressListener progress) {
        return new TreeTransfer(this, progress).upload(localDir, bucket, prefix == null ? "" : prefix);
    }

    @Override
    public TransferReport download(String bucket, String prefix, Path localDir, ProgressListener progress) {
        return new TreeTransfer(this, progress).download(bucket, prefix == null ? "" : prefix, localDir);
    }

    /** The file (or, for a prefix ending in {@code /}, the directory) that holds {@code key}. */
    @Override
    public String locate(String bucket, String key) {
        return paths.root() + "/" + bucket + "/" + (key == null ? "" : key);
    }

    /** The checksum recorded for an object, or {@code null} when it was stored without corc. */
    String storedChecksum(String bucket, String key) {
        try {
            String content = Files.readString(paths.checksum(bucket, key), StandardCharsets.UTF_8)
                    .strip();
            int space = content.indexOf(' ');
            return space < 0 ? content : content.substring(0, space);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw SecureFiles.ioFailure("read the checksum of " + describe(bucket, key), e);
        }
    }

    static String describe(String bucket, String key) {
        return "key '" + key + "' in bucket '" + bucket + "'";
    }
}
