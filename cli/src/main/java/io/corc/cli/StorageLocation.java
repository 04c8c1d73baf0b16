package io.corc.cli;

import io.corc.api.CorcException;
import io.corc.core.Corc;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A place in storage, as the {@code storage} commands take it (README, "Storage"):
 *
 * <ul>
 *   <li>{@code SCHEME://BUCKET[/KEY]}: a key in a bucket of the configured backend. {@code SCHEME} is the backend's
 *       name ({@code s3}, {@code local}), which must be the configured one, or {@code storage}, whichever backend is
 *       configured.
 *   <li>{@code corc://[KEY]}: a key in the configured bucket ({@code bucket_name} of the backend's section).
 *   <li>anything else is a path of this machine.
 * </ul>
 *
 * A KEY names one object, or, as a directory would, every object below {@code KEY/}.
 *
 * @param bucket the bucket
 * @param key the key or prefix, possibly empty (the whole bucket)
 * @param uri the canonical form, {@code <backend>://<bucket>/<key>}, for messages and output
 */
record StorageLocation(String bucket, String key, String uri) {
    private static final Pattern REMOTE = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://(.*)", Pattern.DOTALL);

    /** Whether {@code text} is written as a storage location rather than a local path. */
    static boolean isRemote(String text) {
        return REMOTE.matcher(text).matches();
    }

    /** Parses a location written as {@link #isRemote remote}, against the configured backend and bucket. */
    static StorageLocation parse(String text, Corc corc) {
        Matcher matcher = REMOTE.matcher(text);
        if (!matcher.matches()) {
            throw CorcException.invalidInput("'" + text + "' is not a storage location")
                    .withHint("write corc://KEY, or SCHEME://BUCKET/KEY with the backend's name as SCHEME");
        }
        String scheme = matcher.group(1).toLowerCase(Locale.ROOT);
        String rest = matcher.group(2);
        String backend = corc.storage().name();
        if (scheme.equals("corc")) {
            String bucket = corc.defaultBucket();
            if (bucket == null) {
                throw CorcException.invalidInput("corc:// names the configured bucket, but corc.storage." + backend
                                + ".bucket_name is" + " not set")
                        .withHint("pass --storage-bucket NAME, or write " + backend + "://BUCKET/" + rest);
            }
            return of(backend, bucket, rest);
        }
        if (!scheme.equals("storage") && !scheme.equals(backend)) {
            boolean known = scheme.equals("s3")
                    || corc.plugins().storages().stream().anyMatch(f -> f.name().equals(scheme));
            if (known) {
                throw CorcException.invalidInput(scheme + ":// names the " + scheme
                                + " storage backend, but corc is configured for " + backend)
                        .withHint("pass --storage-backend " + scheme + " (or set corc.storage.backend: " + scheme
                                + "), or write storage://BUCKET/KEY for the configured backend");
            }
            throw CorcException.invalidInput("unknown storage scheme '" + scheme + "://' in '" + text + "'")
                    .withHint("write " + backend + "://BUCKET/KEY, storage://BUCKET/KEY or corc://KEY; anything"
                            + " else is a local path");
        }
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        if (bucket.isEmpty()) {
            throw CorcException.invalidInput("no bucket in '" + text + "'")
                    .withHint("write " + scheme + "://BUCKET/KEY, or corc://KEY for the configured bucket");
        }
        return of(backend, bucket, slash < 0 ? "" : rest.substring(slash + 1));
    }

    private static StorageLocation of(String backend, String bucket, String key) {
        return new StorageLocation(bucket, key, backend + "://" + bucket + "/" + key);
    }

    /** The key as the prefix of a tree: empty, or ending in {@code /}. */
    String treePrefix() {
        return key.isEmpty() || key.endsWith("/") ? key : key + "/";
    }

    /** Whether {@code objectKey} is this location: the object itself, or an object below it. */
    boolean covers(String objectKey) {
        return isObjectKey(objectKey) || objectKey.startsWith(treePrefix());
    }

    /** Whether {@code objectKey} is exactly the object this location names (never for a prefix ending in /). */
    boolean isObjectKey(String objectKey) {
        return !key.isEmpty() && !key.endsWith("/") && objectKey.equals(key);
    }

    /** The last name of the key, or the bucket's for the whole bucket: what a downloaded copy is called. */
    String name() {
        String trimmed = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
        String name = trimmed.substring(trimmed.lastIndexOf('/') + 1);
        if (name.isEmpty()) {
            return bucket;
        }
        if (name.equals(".") || name.equals("..")) {
            throw CorcException.invalidInput("'" + uri + "' has no name to download it as")
                    .withHint("give the local DEST path");
        }
        return name;
    }

    /** The bucket itself, for hints such as "corc storage ls ... lists what is there". */
    String bucketUri() {
        return uri.substring(0, uri.length() - key.length());
    }
}
