package io.corc.storage.s3;

import static java.util.Objects.requireNonNull;

import io.corc.api.CheckResult;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Feature;
import io.corc.api.Features;
import io.corc.api.LocalTrees;
import io.corc.api.ProgressListener;
import io.corc.api.SecureFiles;
import io.corc.api.Storage;
import io.corc.api.StoredObject;
import io.corc.api.TransferReport;
import io.corc.api.TreeManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Storage on AWS S3 or any S3-compatible store (MinIO, Ceph, OCI Object Storage's S3 endpoint, s3proxy). Keys are
 * the staging layout of {@link io.corc.api.Staging}; a tree upload ends with a {@link TreeManifest} as its commit
 * marker. At most {@code max_concurrent_requests} requests are in flight, small files and parts of large ones alike.
 */
public final class S3Storage implements Storage {
    static final String NAME = "s3";
    private static final int DELETE_BATCH = 1000;

    private final java.util.function.Supplier<S3Client> s3;
    private final DirectRequests direct;
    private final S3Settings settings;
    private final S3Objects objects;
    private final String defaultBucket;
    private final software.amazon.awssdk.auth.credentials.AwsCredentialsProvider credentials;

    /** @param direct the lean path for small objects, or {@code null} to use the SDK for everything */
    S3Storage(
            java.util.function.Supplier<S3Client> s3,
            DirectRequests direct,
            S3Settings settings,
            String defaultBucket,
            software.amazon.awssdk.auth.credentials.AwsCredentialsProvider credentials) {
        this.s3 = requireNonNull(s3, "s3 is null");
        this.direct = direct;
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.defaultBucket = defaultBucket;
        this.objects = new S3Objects(s3, direct, settings, pool(settings.concurrency()));
    }

    private static ExecutorService pool(int threads) {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "corc-s3-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
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
        try {
            if (defaultBucket != null) {
                s3.get().headBucket(b -> b.bucket(defaultBucket));
                return CheckResult.ok(NAME, "bucket '" + defaultBucket + "' at " + settings.describeEndpoint());
            }
            int buckets = s3.get().listBuckets().buckets().size();
            return CheckResult.ok(NAME, settings.describeEndpoint() + " answers (" + buckets + " buckets)");
        } catch (NoSuchBucketException e) {
            return CheckResult.ok(
                    NAME, settings.describeEndpoint() + " answers; bucket '" + defaultBucket + "' will be created");
        } catch (SdkException e) {
            if (e instanceof S3Exception s && s.statusCode() == 404) {
                return CheckResult.ok(
                        NAME, settings.describeEndpoint() + " answers; bucket '" + defaultBucket + "' will be created");
            }
            CorcException error = S3Errors.translate(e, settings, "check access", String.valueOf(defaultBucket));
            return CheckResult.failed(
                    NAME, error.getMessage() + error.hint().map(h -> "; " + h).orElse(""));
        } catch (CorcException e) {
            return CheckResult.failed(NAME, e.getMessage());
        }
    }

    @Override
    public void ensureBucket(String bucket) {
        try {
            s3.get().headBucket(b -> b.bucket(bucket));
            return;
        } catch (SdkException e) {
            if (e instanceof S3Exception s && s.statusCode() == 403) {
                // a HEAD answer has no body to say why: ask again with a request whose error names the cause
                objects.call(
                        () -> s3.get().listObjectsV2(b -> b.bucket(bucket).maxKeys(1)),
                        "check bucket '" + bucket + "'",
                        bucket);
                return;
            }
            if (!(e instanceof S3Exception s && s.statusCode() == 404)) {
                throw S3Errors.translate(e, settings, "check bucket '" + bucket + "'", bucket);
            }
        }
        try {
            s3.get().createBucket(b -> {
                b.bucket(bucket);
                String region = region();
                // AWS wants the region spelled out except for us-east-1; S3-compatible stores often refuse one
                if (settings.endpoint() == null && region != null && !region.equals("us-east-1")) {
                    b.createBucketConfiguration(c -> c.locationConstraint(region));
                }
            });
        } catch (SdkException e) {
            if (e instanceof S3Exception s
                    && s.awsErrorDetails() != null
                    && "BucketAlreadyOwnedByYou".equals(s.awsErrorDetails().errorCode())) {
                return;
            }
            CorcException error = S3Errors.translate(e, settings, "create bucket '" + bucket + "'", bucket);
            if (error.category() == ErrorCategory.AUTHENTICATION) {
                error = error.withHint("these credentials may not create buckets; create '" + bucket
                        + "' beforehand, or set corc.storage.s3.bucket_name to a bucket they may write to");
            }
            throw error;
        }
    }

    @Override
    public void put(String bucket, String key, Path file) {
        requireNonNull(file, "file is null");
        long size = size(file);
        TransferProgress progress = new TransferProgress(ProgressListener.NONE, "uploading", size, 1);
        await(List.of(objects.upload(bucket, key, file, size, progress)), "upload " + file, progress);
    }

    @Override
    public void get(String bucket, String key, Path target) {
        requireNonNull(target, "target is null");
        var head = objects.call(
                () -> {
                    try {
                        return s3.get().headObject(b -> b.bucket(bucket).key(key));
                    } catch (S3Exception e) {
                        if (e.statusCode() == 404) {
                            throw CorcException.notFound("key '" + key + "' does not exist in bucket '" + bucket
                                    + "' at " + settings.describeEndpoint());
                        }
                        throw e;
                    }
                },
                "read key '" + key + "'",
                bucket);
        Path absolute = target.toAbsolutePath();
        SecureFiles.privateDirectory(absolute.getParent());
        TransferProgress progress = new TransferProgress(ProgressListener.NONE, "downloading", head.contentLength(), 1);
        await(
                List.of(objects.download(
                        bucket, key, head.contentLength(), Etags.normalise(head.eTag()), absolute, progress)),
                "download key '" + key + "'",
                progress);
    }

    @Override
    public List<StoredObject> list(String bucket, String prefix) {
        return listRemote(bucket, prefix).stream()
                .map(o -> new StoredObject(o.key(), o.size(), null, o.lastModified()))
                .toList();
    }

    /** Every object under {@code prefix}, sorted by key (S3 lists in key order); empty for a missing bucket. */
    private List<S3Object> listRemote(String bucket, String prefix) {
        String base = prefix == null ? "" : prefix;
        try {
            // one level with a delimiter, then each sub-directory in parallel: a listing is a chain of pages, and
            // for large trees the store's time per page, not the network, is what a transfer waits for
            List<S3Object> all = new ArrayList<>();
            List<String> directories = new ArrayList<>();
            listPages(bucket, base, "/", (objects, prefixes) -> {
                all.addAll(objects);
                directories.addAll(prefixes);
            });
            List<CompletableFuture<List<S3Object>>> below = new ArrayList<>();
            for (String directory : directories) {
                below.add(CompletableFuture.supplyAsync(
                        () -> {
                            List<S3Object> found = new ArrayList<>();
                            listPages(bucket, directory, null, (objects, prefixes) -> found.addAll(objects));
                            return found;
                        },
                        objects.pool()));
            }
            for (CompletableFuture<List<S3Object>> future : below) {
                all.addAll(future.join());
            }
            all.sort(java.util.Comparator.comparing(S3Object::key));
            return all;
        } catch (CompletionException e) {
            throw e.getCause() instanceof SdkException sdk ? listFailure(sdk, bucket, base) : e;
        } catch (NoSuchBucketException e) {
            return List.of();
        } catch (SdkException e) {
            throw listFailure(e, bucket, base);
        }
    }

    /**
     * Every page of a listing, through the direct path where there is one (no SDK client built, and a lean reader
     * of the answer), else the SDK's paginator.
     */
    private void listPages(
            String bucket,
            String prefix,
            String delimiter,
            java.util.function.BiConsumer<List<S3Object>, List<String>> page) {
        if (direct == null) {
            s3.get()
                    .listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix).delimiter(delimiter))
                    .forEach(p -> page.accept(
                            p.contents(),
                            p.commonPrefixes().stream()
                                    .map(software.amazon.awssdk.services.s3.model.CommonPrefix::prefix)
                                    .toList()));
            return;
        }
        String token = null;
        do {
            DirectRequests.ListPage answer;
            try {
                answer = direct.list(bucket, prefix, delimiter, token);
            } catch (S3Exception e) {
                if (e.statusCode() == 404
                        && e.awsErrorDetails() != null
                        && "NoSuchBucket".equals(e.awsErrorDetails().errorCode())) {
                    throw NoSuchBucketException.builder()
                            .statusCode(404)
                            .awsErrorDetails(e.awsErrorDetails())
                            .message(e.getMessage())
                            .build();
                }
                throw e;
            }
            page.accept(answer.objects(), answer.commonPrefixes());
            token = answer.nextToken();
        } while (token != null);
    }

    private CorcException listFailure(SdkException e, String bucket, String prefix) {
        return S3Errors.translate(e, settings, "list '" + prefix + "' in bucket '" + bucket + "'", bucket);
    }

    @Override
    public int delete(String bucket, String prefix) {
        List<S3Object> found = listRemote(bucket, prefix);
        for (int from = 0; from < found.size(); from += DELETE_BATCH) {
            List<ObjectIdentifier> batch = found.subList(from, Math.min(found.size(), from + DELETE_BATCH)).stream()
                    .map(o -> ObjectIdentifier.builder().key(o.key()).build())
                    .toList();
            var answer = objects.call(
                    () -> s3.get().deleteObjects(b -> b.bucket(bucket)
                            .delete(d -> d.objects(batch).quiet(true))),
                    "delete objects under '" + prefix + "'",
                    bucket);
            if (!answer.errors().isEmpty()) {
                var first = answer.errors().get(0);
                throw new CorcException(
                                ErrorCategory.UNAVAILABLE,
                                answer.errors().size() + " object(s) under '" + prefix + "' in bucket '" + bucket
                                        + "' could not be deleted, e.g. '" + first.key() + "': " + first.code() + " "
                                        + first.message())
                        .withHint("re-run the delete; it is idempotent");
            }
        }
        // unfinished multipart uploads hold storage too
        for (var upload : objects.pendingUploads(bucket, prefix == null ? "" : prefix)) {
            try {
                s3.get()
                        .abortMultipartUpload(
                                b -> b.bucket(bucket).key(upload.key()).uploadId(upload.uploadId()));
            } catch (SdkException ignored) {
                // already gone, or the store cannot abort: nothing more to do
            }
        }
        return found.size();
    }

    // ---- trees ----------------------------------------------------------------------------------------------------

    @Override
    public TransferReport upload(Path localDir, String bucket, String prefix, ProgressListener progress) {
        requireNonNull(localDir, "localDir is null");
        long start = System.nanoTime();
        String base = prefix == null ? "" : prefix;
        List<Path> files = LocalTrees.filesToUpload(localDir);
        Map<String, S3Object> remote = new HashMap<>();
        listRemote(bucket, base).forEach(o -> remote.put(o.key(), o));
        String manifestKey = TreeManifest.markerKey(base);
        if (remote.containsKey(manifestKey)) {
            // from now until the new marker is written, readers see an incomplete upload
            objects.call(
                    () -> s3.get().deleteObject(b -> b.bucket(bucket).key(manifestKey)), "replace the marker", bucket);
        }
        long total = 0;
        Map<Path, Long> sizes = new HashMap<>();
        for (Path file : files) {
            long size = size(file);
            sizes.put(file, size);
            total += size;
        }
        TransferProgress counter =
                new TransferProgress(progress, "uploading to " + locate(bucket, base), total, files.size());
        AtomicLong moved = new AtomicLong();
        AtomicLong movedBytes = new AtomicLong();
        // started in turns from each directory (see acrossDirectories); the manifest keeps the files' own order
        Map<Path, CompletableFuture<TreeManifest.Entry>> started = new HashMap<>();
        for (Path file : acrossDirectories(files, f -> LocalTrees.relativeName(localDir, f))) {
            String relative = LocalTrees.relativeName(localDir, file);
            String key = base + relative;
            long size = sizes.get(file);
            S3Object existing = remote.get(key);
            CompletableFuture<String> etag;
            if (existing != null && existing.size() == size) {
                String remoteEtag = Etags.normalise(existing.eTag());
                etag = CompletableFuture.supplyAsync(
                                () -> objects.localChecksum(file, size, remoteEtag, 0), objects.pool())
                        .thenCompose(local -> {
                            if (remoteEtag.equals(local)) {
                                counter.addBytes(size);
                                return CompletableFuture.completedFuture(remoteEtag + "," + objects.crc32c(file));
                            }
                            return transfer(bucket, key, file, size, counter, moved, movedBytes);
                        });
            } else {
                etag = transfer(bucket, key, file, size, counter, moved, movedBytes);
            }
            started.put(file, etag.thenApply(e -> {
                counter.fileDone();
                return new TreeManifest.Entry(relative, size, e);
            }));
        }
        List<CompletableFuture<TreeManifest.Entry>> entries =
                files.stream().map(started::get).toList();
        List<TreeManifest.Entry> done = await(entries, "upload " + localDir, counter);
        List<TreeManifest.Entry> all = new ArrayList<>(done);
        all.addAll(LocalTrees.emptyDirectoryEntries(localDir));
        byte[] manifest = new TreeManifest(all).encode().getBytes(StandardCharsets.UTF_8);
        objects.call(
                () -> s3.get().putObject(b -> b.bucket(bucket).key(manifestKey), RequestBody.fromBytes(manifest)),
                "write the commit marker " + manifestKey,
                bucket);
        counter.report();
        return new TransferReport(
                moved.get(), movedBytes.get(), files.size() - moved.get(), (System.nanoTime() - start) / 1e9);
    }

    private CompletableFuture<String> transfer(
            String bucket,
            String key,
            Path file,
            long size,
            TransferProgress counter,
            AtomicLong moved,
            AtomicLong movedBytes) {
        return objects.upload(bucket, key, file, size, counter).thenApply(etag -> {
            moved.incrementAndGet();
            movedBytes.addAndGet(size);
            return etag;
        });
    }

    @Override
    public TransferReport download(String bucket, String prefix, Path localDir, ProgressListener progress) {
        requireNonNull(localDir, "localDir is null");
        long start = System.nanoTime();
        String base = prefix == null ? "" : prefix;
        List<S3Object> listing = listRemote(bucket, base);
        Map<String, String> etags = new HashMap<>();
        listing.forEach(o -> etags.put(o.key(), Etags.normalise(o.eTag())));
        TreeManifest.Selection selection = TreeManifest.select(
                listing.stream()
                        .map(o -> new StoredObject(o.key(), o.size(), null, o.lastModified()))
                        .toList(),
                base,
                key -> readManifest(bucket, key));
        boolean rootExisted = Files.isDirectory(localDir);
        Path root = SecureFiles.privateDirectory(localDir.toAbsolutePath());
        long total =
                selection.fetch().stream().mapToLong(s -> s.object().size()).sum();
        TransferProgress counter = new TransferProgress(
                progress,
                "downloading from " + locate(bucket, base),
                total,
                selection.fetch().size());
        AtomicLong moved = new AtomicLong();
        AtomicLong movedBytes = new AtomicLong();
        List<CompletableFuture<Void>> work = new ArrayList<>();
        PrivateDirectories directories = new PrivateDirectories(root, !rootExisted);
        for (TreeManifest.Selected selected : acrossDirectories(selection.fetch())) {
            StoredObject object = selected.object();
            String relative = object.key().substring(base.length());
            if (relative.endsWith("/") && object.size() == 0) {
                SecureFiles.privateDirectory(root.resolve(relative)); // a "folder" placeholder object
                continue;
            }
            Path target = LocalTrees.resolveInside(root, relative, object.key());
            // a corc upload recorded the file's CRC32C, computed from the source: cheap to check, end to end;
            // otherwise the object's ETag as it is now (the uploader checked it against its own MD5s)
            String expected = selected.expected() != null
                    ? recordedCrc32c(selected.expected().checksum(), etags.get(object.key()))
                    : etags.get(object.key());
            if (selected.expected() != null && selected.expected().size() != object.size()) {
                throw CorcException.notFound(
                                "key '" + object.key() + "' has " + object.size() + " bytes but its commit marker says "
                                        + selected.expected().size())
                        .withHint("the tree was changed while it was uploaded; upload it again");
            }
            work.add(CompletableFuture.runAsync(() -> directories.create(target.getParent()), objects.pool())
                    .thenCompose(ignored -> {
                        // in a directory this download created there is nothing to compare: no look per file
                        if (!directories.createdNow(target.getParent())
                                && Files.isRegularFile(target)
                                && size(target) == object.size()) {
                            String local = objects.localChecksum(target, object.size(), expected, 0);
                            if (local != null && local.equals(expected)) {
                                counter.addBytes(object.size());
                                return CompletableFuture.completedFuture(null);
                            }
                        }
                        if (object.size() < settings.multipartThreshold()) {
                            // small: fetched in this task, no hand-off to another thread
                            objects.downloadSmall(
                                    bucket,
                                    object.key(),
                                    object.size(),
                                    expected,
                                    target,
                                    directories.lock(target.getParent()),
                                    counter);
                            moved.incrementAndGet();
                            movedBytes.addAndGet(object.size());
                            return CompletableFuture.completedFuture(null);
                        }
                        return objects.download(bucket, object.key(), object.size(), expected, target, counter)
                                .thenRun(() -> {
                                    moved.incrementAndGet();
                                    movedBytes.addAndGet(object.size());
                                });
                    })
                    .thenRun(counter::fileDone));
        }
        await(work, "download " + locate(bucket, base), counter);
        for (String directory : selection.directories()) {
            String relative = directory.substring(base.length(), directory.length() - 1);
            SecureFiles.privateDirectory(LocalTrees.resolveInside(root, relative, directory));
        }
        counter.report();
        long files = work.size();
        // files a manifest lists but the store lost since the upload: the tree did not arrive whole; the caller says so
        return new TransferReport(moved.get(), movedBytes.get(), files - moved.get(), (System.nanoTime() - start) / 1e9)
                .withIncomplete(selection.incomplete())
                .withMissing(selection.missing());
    }

    /**
     * The objects in turns from each directory (the first of each, then the second of each, ...) rather than in key
     * order, which is directory after directory: a file system creates the files of one directory one at a time
     * (ext4 holds the directory's lock, and scans for a free inode under it), so concurrent downloads into one
     * directory wait for each other while those into different directories proceed side by side.
     */
    static List<TreeManifest.Selected> acrossDirectories(List<TreeManifest.Selected> objects) {
        return acrossDirectories(objects, selected -> selected.object().key());
    }

    /**
     * As above for any items named by a {@code /}-separated path. An upload is ordered so too: a store that keeps
     * objects as files (s3proxy, MinIO on a file system) creates them the same way.
     */
    static <T> List<T> acrossDirectories(List<T> objects, java.util.function.Function<T, String> path) {
        Map<String, java.util.ArrayDeque<T>> byDirectory = new java.util.LinkedHashMap<>();
        for (T item : objects) {
            String key = path.apply(item);
            String directory = key.substring(0, key.lastIndexOf('/') + 1);
            byDirectory
                    .computeIfAbsent(directory, d -> new java.util.ArrayDeque<>())
                    .add(item);
        }
        if (byDirectory.size() < 2) {
            return objects;
        }
        List<T> ordered = new ArrayList<>(objects.size());
        List<java.util.ArrayDeque<T>> queues = new ArrayList<>(byDirectory.values());
        while (!queues.isEmpty()) {
            // one pass takes the next object of every directory in order and drops the directories now done
            queues.removeIf(queue -> {
                ordered.add(queue.poll());
                return queue.isEmpty();
            });
        }
        return ordered;
    }

    /**
     * The {@code crc32c:<hex>} a manifest checksum ({@code <etag>,crc32c:<hex>}) records, if the object still has
     * the ETag it had then; else the current ETag.
     */
    private static String recordedCrc32c(String manifestChecksum, String currentEtag) {
        int comma = manifestChecksum.indexOf(',');
        if (comma > 0 && manifestChecksum.substring(0, comma).equals(currentEtag)) {
            String crc = manifestChecksum.substring(comma + 1);
            return Etags.isCrc32c(crc) ? crc : currentEtag;
        }
        return currentEtag;
    }

    private TreeManifest readManifest(String bucket, String key) {
        try {
            byte[] bytes;
            if (direct != null) {
                try (java.io.InputStream in = direct.get(bucket, key).body()) {
                    bytes = in.readAllBytes();
                } catch (S3Exception e) {
                    if (e.statusCode() == 404) {
                        return new TreeManifest(List.of()); // as below
                    }
                    throw e;
                } catch (IOException e) {
                    throw software.amazon.awssdk.core.exception.SdkClientException.builder()
                            .message("reading " + key + " broke off: " + e)
                            .cause(e)
                            .build();
                }
            } else {
                bytes = s3.get()
                        .getObjectAsBytes(b -> b.bucket(bucket).key(key))
                        .asByteArray();
            }
            return TreeManifest.parse(new String(bytes, StandardCharsets.UTF_8), locate(bucket, key));
        } catch (NoSuchKeyException e) {
            return new TreeManifest(List.of()); // deleted since the listing: a re-upload has begun
        } catch (SdkException e) {
            throw S3Errors.translate(e, settings, "read the commit marker " + key, bucket);
        }
    }

    /** The resolved credentials as the files of a runner's secrets directory (S3Clients reads them back). */
    @Override
    public Map<String, String> runnerSecrets() {
        software.amazon.awssdk.auth.credentials.AwsCredentials resolved;
        try {
            resolved = credentials.resolveCredentials();
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            throw S3Errors.translate(e, settings, "resolve the credentials for job runners", null);
        }
        Map<String, String> files = new java.util.TreeMap<>();
        files.put(S3Clients.ACCESS_KEY_FILE, resolved.accessKeyId());
        files.put(S3Clients.SECRET_KEY_FILE, resolved.secretAccessKey());
        if (resolved instanceof software.amazon.awssdk.auth.credentials.AwsSessionCredentials session) {
            files.put(S3Clients.SESSION_TOKEN_FILE, session.sessionToken());
        }
        return files;
    }

    @Override
    public Map<String, String> runnerSettings() {
        return Map.of("region", region());
    }

    /** The region the client signs for: configured, else from the profile or environment (S3Clients#region). */
    private String region() {
        return s3.get().serviceClientConfiguration().region().id();
    }

    @Override
    public String locate(String bucket, String key) {
        return "s3://" + bucket + "/" + (key == null ? "" : key);
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /**
     * Waits for every future; on the first failure the remaining transfers are abandoned (those running finish their
     * request) and the failure is thrown with how much completed, since a re-run only moves the rest.
     */
    private <T> List<T> await(List<CompletableFuture<T>> futures, String what, TransferProgress progress) {
        List<T> results = new ArrayList<>();
        int done = 0;
        try {
            for (CompletableFuture<T> future : futures) {
                results.add(future.get());
                done++;
            }
            return results;
        } catch (InterruptedException e) {
            progress.abandon();
            Thread.currentThread().interrupt();
            throw new CorcException(
                            ErrorCategory.CANCELLED,
                            what + " was interrupted after " + done + " of " + futures.size() + " file(s)")
                    .withHint("re-run it: files already transferred are skipped");
        } catch (ExecutionException e) {
            progress.abandon();
            Throwable cause = S3Objects.unwrap(e.getCause());
            if (cause instanceof CorcException corc) {
                throw futures.size() > 1
                        ? corc.withHint(join(
                                corc.hint().orElse(null), "re-run to resume: files already transferred are skipped"))
                        : corc;
            }
            if (cause instanceof SdkException sdk) {
                throw S3Errors.translate(sdk, settings, what, "");
            }
            throw CorcException.internal(what + " failed: " + cause, cause);
        }
    }

    private static String join(String first, String second) {
        return first == null ? second : first + "; " + second;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw SecureFiles.ioFailure("read the size of " + file, e);
        }
    }

    /**
     * Creates each directory of a download once (0700), however many files it receives, and remembers which ones did
     * not exist before: files in those cannot be there already, so a resuming download need not look for them.
     */
    private static final class PrivateDirectories {
        private final Map<Path, Boolean> created = new java.util.concurrent.ConcurrentHashMap<>();
        private final Map<Path, java.util.concurrent.locks.Lock> locks = new java.util.concurrent.ConcurrentHashMap<>();

        PrivateDirectories(Path root, boolean createdNow) {
            created.put(root, createdNow);
        }

        void create(Path dir) {
            if (!created.containsKey(dir)) {
                synchronized (this) {
                    if (created.containsKey(dir)) {
                        return;
                    }
                    if (dir.getParent() != null && !created.containsKey(dir.getParent())) {
                        create(dir.getParent());
                    }
                    boolean existed = Files.isDirectory(dir);
                    SecureFiles.privateDirectory(dir);
                    created.put(dir, !existed);
                }
            }
        }

        /**
         * The lock under which files are created in and renamed into {@code dir}: ext4 holds the directory's lock for
         * each, and many threads spinning for it in the kernel cost a tenth of the CPU of a download of many small
         * files; waiting here parks them instead.
         */
        java.util.concurrent.locks.Lock lock(Path dir) {
            return locks.computeIfAbsent(dir, d -> new java.util.concurrent.locks.ReentrantLock());
        }

        /** Whether this download made {@code dir} (so it held nothing before). */
        boolean createdNow(Path dir) {
            return Boolean.TRUE.equals(created.get(dir));
        }
    }
}
