package io.corc.storage.local;

import io.corc.api.CorcException;
import io.corc.api.SecureFiles;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Validates bucket names and keys and maps them to paths. A bucket is the directory {@code <root>/<bucket>}, an
 * object the file at its key below it; the SHA-256 of each object is kept in {@code <root>/.sha256/<bucket>/<key>},
 * outside the bucket, so it never shows up as a key.
 */
final class ObjectPaths {
    /** Suffix of the temporary files a transfer writes beside its target; never a key. */
    static final String PART_SUFFIX = io.corc.api.LocalTrees.PART_SUFFIX;

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final int MAX_KEY_LENGTH = 1024;

    private final Path root;

    ObjectPaths(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    Path bucketDir(String bucket) {
        if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw CorcException.invalidInput("invalid bucket name '" + bucket + "'")
                    .withHint("use 3 to 63 characters a-z, 0-9, '.' and '-', starting and ending with a letter or"
                            + " digit");
        }
        return root.resolve(bucket);
    }

    Path checksumDir(String bucket) {
        return root.resolve(".sha256").resolve(bucketDir(bucket).getFileName());
    }

    Path object(String bucket, String key) {
        return bucketDir(bucket).resolve(checkRelative(key, "key"));
    }

    Path checksum(String bucket, String key) {
        return checksumDir(bucket).resolve(checkRelative(key, "key"));
    }

    /**
     * Checks that {@code path} is a relative path of {@code /}-separated names, none empty, {@code .} or
     * {@code ..}, and returns it.
     */
    static String checkRelative(String path, String what) {
        if (path == null || path.isEmpty() || path.length() > MAX_KEY_LENGTH) {
            throw invalid(what, path, "must have 1 to " + MAX_KEY_LENGTH + " characters");
        }
        if (path.startsWith("/") || path.contains("\\") || path.indexOf('\0') >= 0) {
            throw invalid(what, path, "must be a relative path with / as separator");
        }
        for (String name : path.split("/", -1)) {
            if (name.isEmpty() || name.equals(".") || name.equals("..")) {
                throw invalid(what, path, "must not contain empty, '.' or '..' path elements");
            }
            if (name.endsWith(PART_SUFFIX)) {
                throw invalid(what, path, "must not end in " + PART_SUFFIX + ", which marks unfinished transfers");
            }
        }
        return path;
    }

    /** Creates {@code dir} and every directory between {@code base} and it with mode 0700. */
    static Path directories(Path base, Path dir) {
        Path current = SecureFiles.privateDirectory(base);
        for (Path name : base.relativize(dir)) {
            current = SecureFiles.privateDirectory(current.resolve(name.toString()));
        }
        return dir;
    }

    private static CorcException invalid(String what, String path, String rule) {
        return CorcException.invalidInput("invalid " + what + " '" + path + "': it " + rule);
    }
}
