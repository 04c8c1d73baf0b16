package io.corc.api;

import static java.util.Objects.requireNonNull;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The commit marker of a tree upload: the object {@code <prefix>.corc-manifest}, written after every file of the
 * tree is stored, listing each file's relative path, size and checksum as the uploader computed them from the
 * source. Its presence means the upload under that prefix completed; a reader that finds files but no manifest is
 * looking at an upload in progress or interrupted. An upload removes the old manifest before it changes anything,
 * so a re-upload is never mistaken for a complete one.
 *
 * <p>Empty directories are entries whose path ends in {@code /}, with size 0 and checksum {@code -}, so a tree
 * comes back with them. The checksum is the backend's own (a hex SHA-256 for local storage, the S3 ETag for S3); the format is lines of
 * text, {@code corc-manifest 1} then one {@code <size> <checksum> <url-encoded path>} per file, so any tool can read
 * it.
 */
public record TreeManifest(List<Entry> entries) {
    public static final String FILE_NAME = ".corc-manifest";
    private static final String HEADER = "corc-manifest 1";

    /** One file: path relative to the tree's prefix, with {@code /} separators. */
    public record Entry(String path, long size, String checksum) {
        public Entry {
            requireNonNull(path, "path is null");
            requireNonNull(checksum, "checksum is null");
        }
    }

    public TreeManifest {
        entries = List.copyOf(entries);
    }

    /** The key of the commit marker of the tree stored under {@code prefix}. */
    public static String markerKey(String prefix) {
        return (prefix == null ? "" : prefix) + FILE_NAME;
    }

    public static boolean isManifestKey(String key) {
        return key.equals(FILE_NAME) || key.endsWith("/" + FILE_NAME);
    }

    public Map<String, Entry> byPath() {
        Map<String, Entry> map = new LinkedHashMap<>();
        entries.forEach(e -> map.put(e.path(), e));
        return map;
    }

    public String encode() {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (Entry entry : entries) {
            text.append(entry.size())
                    .append(' ')
                    .append(entry.checksum())
                    .append(' ')
                    .append(URLEncoder.encode(entry.path(), StandardCharsets.UTF_8))
                    .append('\n');
        }
        return text.toString();
    }

    /**
     * @param where names the manifest in the error, e.g. its key
     * @throws CorcException {@link ErrorCategory#INTERNAL} when the text is not a manifest
     */
    public static TreeManifest parse(String text, String where) {
        String[] lines = text.split("\n");
        if (lines.length == 0 || !lines[0].strip().equals(HEADER)) {
            throw CorcException.internal(where + " is not a corc manifest (first line is not '" + HEADER + "')", null);
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String[] fields = lines[i].strip().split(" ");
            try {
                if (fields.length != 3) {
                    throw new IllegalArgumentException("expected 3 fields");
                }
                entries.add(new Entry(
                        URLDecoder.decode(fields[2], StandardCharsets.UTF_8), Long.parseLong(fields[0]), fields[1]));
            } catch (IllegalArgumentException e) {
                throw CorcException.internal(where + " line " + (i + 1) + " is malformed: " + e.getMessage(), e);
            }
        }
        return new TreeManifest(entries);
    }

    /**
     * What a download of {@code prefix} should fetch, given the listing under it. Objects under a prefix that holds
     * a manifest are governed by the nearest such manifest: those it lists are fetched with the manifest's checksum
     * expected; those it does not list are leftovers of an earlier upload and are ignored. Objects stored after the
     * manifest (a single file put into the tree, one replaced) are fetched as they are now, and files the manifest
     * lists that were deleted since are simply absent. Where some manifest exists below {@code prefix} but an object
     * has none above it, that object's directory is an upload that did not complete: it is not fetched and its
     * prefix is reported. When there is no manifest at all, everything is fetched (trees stored by other tools).
     *
     * @param read reads the manifest stored at a key
     */
    public static Selection select(List<StoredObject> listing, String prefix, Function<String, TreeManifest> read) {
        Map<String, Map<String, Entry>> manifests = new TreeMap<>();
        Map<String, Instant> committedAt = new HashMap<>();
        for (StoredObject object : listing) {
            if (isManifestKey(object.key())) {
                String treePrefix = object.key().substring(0, object.key().length() - FILE_NAME.length());
                manifests.put(treePrefix, read.apply(object.key()).byPath());
                committedAt.put(treePrefix, object.lastModified());
            }
        }
        List<Selected> selected = new ArrayList<>();
        List<String> incomplete = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        for (StoredObject object : listing) {
            if (isManifestKey(object.key())) {
                continue;
            }
            String governing = null;
            for (String treePrefix : manifests.keySet()) {
                if (object.key().startsWith(treePrefix)
                        && (governing == null || treePrefix.length() > governing.length())) {
                    governing = treePrefix;
                }
            }
            if (governing != null) {
                Entry entry = manifests.get(governing).get(object.key().substring(governing.length()));
                Instant commit = committedAt.get(governing);
                // store clocks have whole seconds: "after" the commit is a later second, "not before" the same one
                boolean storedSince = commit != null
                        && object.lastModified() != null
                        && object.lastModified().getEpochSecond() > commit.getEpochSecond();
                boolean notBefore = commit == null
                        || object.lastModified() == null
                        || object.lastModified().getEpochSecond() >= commit.getEpochSecond();
                if (entry != null) {
                    selected.add(new Selected(object, storedSince ? null : entry));
                } else if (notBefore) {
                    selected.add(new Selected(object, null));
                } else {
                    ignored.add(object.key());
                }
            } else if (manifests.isEmpty()) {
                selected.add(new Selected(object, null));
            } else {
                String directory = incompleteTreeOf(object.key(), prefix);
                if (!incomplete.contains(directory)) {
                    incomplete.add(directory);
                }
            }
        }
        Set<String> fetched = new HashSet<>();
        selected.forEach(s -> fetched.add(s.object().key()));
        List<String> missing = new ArrayList<>();
        List<String> directories = new ArrayList<>();
        manifests.forEach((treePrefix, entries) -> entries.keySet().forEach(path -> {
            if (path.endsWith("/")) {
                directories.add(treePrefix + path);
            } else if (!fetched.contains(treePrefix + path)) {
                missing.add(treePrefix + path);
            }
        }));
        return new Selection(selected, incomplete, ignored, missing, directories);
    }

    /**
     * The sub-trees one level below {@code prefix} (a job's task outputs, say) that hold objects but no commit marker
     * of their own (or one at {@code prefix} itself), in listing order; objects directly under {@code prefix}
     * count as the tree {@code prefix}. For trees that must each be committed, unlike {@link #select}, which takes a
     * listing without any manifest for a tree another tool stored and fetches it whole.
     */
    public static List<String> uncommittedTrees(List<StoredObject> listing, String prefix) {
        String base = prefix == null ? "" : prefix;
        Set<String> committed = new HashSet<>();
        for (StoredObject object : listing) {
            if (isManifestKey(object.key())) {
                committed.add(object.key().substring(0, object.key().length() - FILE_NAME.length()));
            }
        }
        List<String> uncommitted = new ArrayList<>();
        for (StoredObject object : listing) {
            if (isManifestKey(object.key()) || !object.key().startsWith(base)) {
                continue;
            }
            String tree = incompleteTreeOf(object.key(), base);
            if (!committed.contains(tree) && !committed.contains(base) && !uncommitted.contains(tree)) {
                uncommitted.add(tree);
            }
        }
        return uncommitted;
    }

    /** The first directory level below {@code prefix} holding {@code key}: a task's output, say. */
    private static String incompleteTreeOf(String key, String prefix) {
        int slash = key.indexOf('/', prefix.length());
        return slash < 0 ? prefix : key.substring(0, slash + 1);
    }

    /** An object to fetch, with its manifest entry ({@code null} when no manifest governs it). */
    public record Selected(StoredObject object, Entry expected) {}

    /**
     * @param fetch the objects to download
     * @param incomplete prefixes whose upload has not completed; not fetched
     * @param ignored keys under a manifest that the manifest does not list (left over from an earlier upload)
     * @param missing keys a manifest lists that are not in storage (deleted since the upload)
     * @param directories keys (ending in {@code /}) of empty directories the manifests record
     */
    public record Selection(
            List<Selected> fetch,
            List<String> incomplete,
            List<String> ignored,
            List<String> missing,
            List<String> directories) {}
}
