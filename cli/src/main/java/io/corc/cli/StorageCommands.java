package io.corc.cli;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.SecureFiles;
import io.corc.api.Storage;
import io.corc.api.StoredObject;
import io.corc.api.TransferReport;
import io.corc.api.TreeManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code corc storage ls|put|get|rm|sync} ({@code serve} is {@link StorageServeCommand}). */
final class StorageCommands {
    private StorageCommands() {}

    static final String DESCRIPTION = "List, upload, download, delete and sync objects in storage; serve S3 locally.";

    /** The group's help: the location grammar, shared by every subcommand. */
    static final String[] GRAMMAR = {
        DESCRIPTION,
        "",
        "Locations:",
        "  corc://KEY            KEY in the configured bucket (--storage-bucket sets it)",
        "  s3://BUCKET/KEY       KEY in BUCKET; s3 must be the configured backend",
        "                        (--storage-backend s3); local://BUCKET/KEY likewise",
        "  storage://BUCKET/KEY  KEY in BUCKET of whichever backend is configured",
        "  PATH                  anything else is a path of this machine",
        "A KEY is one object or, like a directory, every object below KEY/."
    };

    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            description = "List the objects at a location (default corc://, the configured bucket), with sizes.",
            footer = {
                "",
                "Examples:",
                "  corc storage ls",
                "  corc storage ls corc://data/ -o json",
                "  corc storage ls s3://my-bucket/results --storage-backend s3"
            })
    static final class Ls extends StorageCommand {
        @Parameters(arity = "0..1", paramLabel = "LOCATION", description = "Where to list (default corc://).")
        String location;

        Ls(CliContext context) {
            super(context);
        }

        @Override
        int run() {
            StorageLocation where = remote(location == null ? "corc://" : location, "LOCATION");
            List<StoredObject> objects = storage().list(where.bucket(), where.key()).stream()
                    .filter(o -> where.covers(o.key()))
                    .toList();
            if (objects.isEmpty() && !where.key().isEmpty()) {
                throw nothingAt(where);
            }
            long bytes = objects.stream().mapToLong(StoredObject::size).sum();
            context.emit(
                    Views.document(
                            "success",
                            "location",
                            where.uri(),
                            "bucket",
                            where.bucket(),
                            "prefix",
                            where.key(),
                            "count",
                            objects.size(),
                            "bytes",
                            bytes,
                            "objects",
                            objects.stream().map(Views::object).toList()),
                    out -> {
                        if (objects.isEmpty()) {
                            out.println("Nothing stored in " + where.uri());
                            return;
                        }
                        Table table = new Table("KEY", "SIZE", "MODIFIED");
                        objects.forEach(
                                o -> table.row(o.key(), ProgressDisplay.size(o.size()), Views.time(o.lastModified())));
                        table.print(out);
                        out.println(
                                objects.size() + " object(s), " + ProgressDisplay.size(bytes) + " in " + where.uri());
                    });
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "put",
            mixinStandardHelpOptions = true,
            customSynopsis = "corc storage put [OPTIONS] SOURCE... DEST",
            description = {
                "Upload files and directories to storage.",
                "",
                "A file becomes the object DEST, or DEST/<its name> when DEST ends in / or is a bucket, or when there"
                        + " are several SOURCEs. A directory's contents go below DEST/ (below DEST/<its name>/ when"
                        + " there are several SOURCEs); files whose content is already there are skipped, so"
                        + " re-running an interrupted upload resumes it."
            },
            footer = {
                "",
                "Examples:",
                "  corc storage put ./results corc://runs/42",
                "  corc storage put a.csv b.csv corc://inputs/",
                "  corc storage put ./data s3://my-bucket/data --storage-backend s3"
            })
    static final class Put extends StorageCommand {
        @Parameters(
                arity = "2..*",
                paramLabel = "SOURCE... DEST",
                hideParamSyntax = true,
                description = "Local files or directories, then the storage location to upload to.")
        List<String> arguments = new ArrayList<>();

        Put(CliContext context) {
            super(context);
        }

        @Override
        int run() {
            StorageLocation dest = remote(arguments.get(arguments.size() - 1), "DEST");
            List<Path> sources = new ArrayList<>();
            long fileCount = 0;
            for (String text : arguments.subList(0, arguments.size() - 1)) {
                Path source = local(text, "SOURCE");
                if (!Files.exists(source)) {
                    throw noSuchPath(source);
                }
                sources.add(source);
                fileCount += Files.isDirectory(source) ? files(source).size() : 1;
            }
            boolean several = sources.size() > 1;
            boolean into = several || dest.key().isEmpty() || dest.key().endsWith("/");
            Storage storage = storage();
            ProgressDisplay progress = context.progress().transfer(fileCount);
            TransferReport total = new TransferReport(0, 0, 0, 0);
            for (Path source : sources) {
                String name = source.getFileName().toString();
                if (Files.isDirectory(source)) {
                    String prefix = dest.treePrefix() + (several ? name + "/" : "");
                    total = plus(total, storage.upload(source, dest.bucket(), prefix, progress));
                } else {
                    long start = System.nanoTime();
                    storage.put(dest.bucket(), into ? dest.treePrefix() + name : dest.key(), source);
                    total = plus(total, new TransferReport(1, size(source), 0, (System.nanoTime() - start) / 1e9));
                }
            }
            progress.finish();
            TransferReport report = total;
            context.emit(
                    Views.document(
                            "success",
                            "sources",
                            sources.stream().map(Path::toString).toList(),
                            "destination",
                            dest.uri(),
                            "transfer",
                            Views.transfer(report)),
                    out -> out.println(summary("Uploaded", report, "to " + dest.uri())));
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "get",
            mixinStandardHelpOptions = true,
            description = {
                "Download an object or every object below a prefix.",
                "",
                "An object is written to DEST, or DEST/<its name> when DEST is a directory or ends in /. A prefix's"
                        + " objects go below DEST. Without DEST both land in the current directory under the"
                        + " location's last name. Files already there with the same content are skipped.",
                "",
                "A sub-tree whose upload has not completed (cut off, or still running: files but no commit marker"
                        + " where other sub-trees have one) is not downloaded but named, and the exit code is then 1."
            },
            footer = {
                "",
                "Examples:",
                "  corc storage get corc://runs/42 ./results",
                "  corc storage get corc://inputs/a.csv",
                "  corc storage get s3://my-bucket/data/ ./data --storage-backend s3"
            })
    static final class Get extends StorageCommand {
        @Parameters(index = "0", paramLabel = "SOURCE", description = "The storage location to download.")
        String source;

        @Parameters(
                index = "1",
                arity = "0..1",
                paramLabel = "DEST",
                description = "Local file or directory (default: ./<last name of SOURCE>).")
        String destination;

        Get(CliContext context) {
            super(context);
        }

        @Override
        int run() {
            StorageLocation from = remote(source, "SOURCE");
            Path dest = destination == null ? null : local(destination, "DEST");
            Storage storage = storage();
            // a location ending in / (or a whole bucket) is a tree: the download lists it, once
            boolean tree = from.key().isEmpty() || from.key().endsWith("/");
            List<StoredObject> objects = tree
                    ? List.of()
                    : storage.list(from.bucket(), from.key()).stream()
                            .filter(o -> from.covers(o.key()))
                            .toList();
            if (!tree && objects.isEmpty()) {
                throw nothingAt(from);
            }
            StoredObject single = objects.stream()
                    .filter(o -> from.isObjectKey(o.key()))
                    .findFirst()
                    .orElse(null);
            Path target;
            TransferReport report;
            if (single != null) {
                boolean into = dest == null || Files.isDirectory(dest) || destination.endsWith("/");
                target = into ? (dest == null ? context.workingDirectory() : dest).resolve(from.name()) : dest;
                long start = System.nanoTime();
                storage.get(from.bucket(), single.key(), target);
                report = new TransferReport(1, single.size(), 0, (System.nanoTime() - start) / 1e9);
            } else {
                target = dest != null ? dest : context.workingDirectory().resolve(from.name());
                ProgressDisplay progress = context.progress().transfer(tree ? -1 : objects.size());
                report = storage.download(from.bucket(), from.treePrefix(), target, progress);
                progress.finish();
                if (tree && report.files() + report.skipped() == 0 && report.whole()) {
                    throw nothingAt(from);
                }
            }
            // sub-trees whose upload was cut off (or still runs) are left out, and files their manifest lists but the
            // store lost cannot be fetched: either makes the outcome a failure
            boolean complete = report.whole();
            context.emit(
                    Views.document(
                            complete ? "success" : "partial",
                            "source",
                            from.uri(),
                            "destination",
                            target.toString(),
                            "transfer",
                            Views.transfer(report)),
                    out -> out.println(summary("Downloaded", report, "to " + target)));
            return complete ? ExitCodes.OK : ExitCodes.FAILED_OUTCOME;
        }
    }

    @Command(
            name = "rm",
            mixinStandardHelpOptions = true,
            description =
                    "Delete one object, or with --recursive every object below a prefix (and the object" + " itself).",
            footer = {
                "",
                "Examples:",
                "  corc storage rm corc://inputs/a.csv",
                "  corc storage rm --recursive corc://runs/42",
                "  corc storage rm -r s3://my-bucket/tmp/ --storage-backend s3 -o json"
            })
    static final class Rm extends StorageCommand {
        @Parameters(index = "0", paramLabel = "LOCATION", description = "The object or prefix to delete.")
        String location;

        @Option(
                names = {"-r", "--recursive"},
                description = "Delete every object below the prefix; the whole bucket for BUCKET/ alone.")
        boolean recursive;

        Rm(CliContext context) {
            super(context);
        }

        @Override
        int run() {
            StorageLocation where = remote(location, "LOCATION");
            if (where.key().isEmpty() && !recursive) {
                throw CorcException.invalidInput(where.uri() + " is a whole bucket, not one object")
                        .withHint("add --recursive to delete every object in it");
            }
            Storage storage = storage();
            // Storage.delete removes every key that starts with its argument; look before deleting.
            List<StoredObject> candidates = storage.list(where.bucket(), where.key());
            boolean exact = candidates.stream().anyMatch(o -> where.isObjectKey(o.key()));
            long below = candidates.stream()
                    .filter(o -> o.key().startsWith(where.treePrefix()))
                    .count();
            if (!exact && below == 0) {
                throw nothingAt(where);
            }
            if (!recursive && !exact) {
                throw CorcException.invalidInput(
                                where.uri() + " is not one object but the prefix of " + below + " object(s)")
                        .withHint("add --recursive to delete them all");
            }
            if (exact) {
                candidates.stream()
                        .filter(o -> !o.key().equals(where.key())
                                && !(recursive && o.key().startsWith(where.treePrefix())))
                        .findFirst()
                        .ifPresent(other -> {
                            throw new CorcException(
                                            ErrorCategory.CONFLICT,
                                            "cannot delete " + where.uri() + " alone: the storage backend deletes by"
                                                    + " key prefix, and '" + other.key() + "' starts with it too")
                                    .withHint("move '" + other.key() + "' away first; corc storage ls "
                                            + where.bucketUri() + " shows the bucket's keys");
                        });
            }
            int deleted = 0;
            if (recursive && below > 0) {
                deleted += storage.delete(where.bucket(), where.treePrefix());
            }
            if (exact) {
                deleted += storage.delete(where.bucket(), where.key());
            }
            int count = deleted;
            context.emit(
                    Views.document("success", "location", where.uri(), "deleted", count),
                    out -> out.println("Deleted " + count + " object(s) at " + where.uri()));
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "sync",
            mixinStandardHelpOptions = true,
            description = {
                "Make a storage prefix match a local directory, or a local directory match a storage prefix.",
                "",
                "The direction is given by which side is a storage location. Files whose content is already at the"
                        + " destination are skipped. With --delete, what the destination has and the source lacks is"
                        + " deleted (and listed). --dry-run only shows what would be transferred and deleted."
            },
            footer = {
                "",
                "Examples:",
                "  corc storage sync ./data corc://data",
                "  corc storage sync corc://runs/42 ./results --delete",
                "  corc storage sync ./site s3://my-bucket/site --delete --dry-run --storage-backend s3"
            })
    static final class Sync extends StorageCommand {
        @Parameters(index = "0", paramLabel = "SOURCE", description = "Local directory or storage location.")
        String source;

        @Parameters(index = "1", paramLabel = "DEST", description = "Storage location or local directory.")
        String destination;

        @Option(names = "--delete", description = "Delete destination files and objects the source does not have.")
        boolean delete;

        @Option(
                names = {"-n", "--dry-run"},
                description = "Only list what would be transferred and deleted (by size and SHA-256; by size alone"
                        + " where the backend lists no SHA-256, as s3).")
        boolean dryRun;

        Sync(CliContext context) {
            super(context);
        }

        @Override
        int run() {
            boolean upload = StorageLocation.isRemote(destination);
            if (upload == StorageLocation.isRemote(source)) {
                throw CorcException.invalidInput("sync needs one local directory and one storage location, got '"
                                + source + "' and '" + destination + "'")
                        .withHint("e.g. corc storage sync ./data corc://data, or the other way round");
            }
            StorageLocation remote = upload ? remote(destination, "DEST") : remote(source, "SOURCE");
            Path dir = upload ? local(source, "SOURCE") : local(destination, "DEST");
            if (upload && !Files.exists(dir)) {
                throw noSuchPath(dir);
            }
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw CorcException.invalidInput(dir + " is not a directory")
                        .withHint("sync works on directories; corc storage put and get copy single files");
            }
            Storage storage = storage();
            String prefix = remote.treePrefix();
            SortedMap<String, StoredObject> objects = new TreeMap<>();
            List<StoredObject> listing = storage.list(remote.bucket(), prefix);
            for (StoredObject object : listing) {
                String name = object.key().substring(prefix.length());
                // commit markers of tree uploads belong to the storage backend, not to the tree
                if (!name.isEmpty() && !TreeManifest.isManifestKey(name)) {
                    objects.put(name, object);
                }
            }
            if (!upload && objects.isEmpty()) {
                // never let a mistyped prefix and --delete empty a directory
                throw nothingAt(remote);
            }
            SortedMap<String, Path> files = Files.isDirectory(dir) ? files(dir) : new TreeMap<>();
            Map<String, ?> sourceSide = upload ? files : objects;
            Map<String, ?> destinationSide = upload ? objects : files;
            // a file a manifest lists but the store lost is not extraneous: the local copy may be the last one
            Set<String> lost = delete && !upload ? lostFiles(storage, remote.bucket(), prefix, listing) : Set.of();
            List<String> extraneous = !delete
                    ? List.of()
                    : destinationSide.keySet().stream()
                            .filter(name -> !sourceSide.containsKey(name) && !lost.contains(name))
                            .toList();
            List<String> changed = null;
            TransferReport report;
            if (dryRun) {
                changed = sourceSide.keySet().stream()
                        .filter(name -> differs(files.get(name), objects.get(name)))
                        .toList();
                long bytes = changed.stream()
                        .mapToLong(name -> upload
                                ? size(files.get(name))
                                : objects.get(name).size())
                        .sum();
                report = new TransferReport(changed.size(), bytes, sourceSide.size() - changed.size(), 0);
            } else {
                if (upload) {
                    // deletions first: Storage.delete works by prefix and may take objects the upload then restores
                    for (String name : extraneous) {
                        storage.delete(remote.bucket(), prefix + name);
                    }
                }
                ProgressDisplay progress = context.progress().transfer(sourceSide.size());
                report = upload
                        ? storage.upload(dir, remote.bucket(), prefix, progress)
                        : storage.download(remote.bucket(), prefix, dir, progress);
                progress.finish();
                if (!upload) {
                    for (String name : extraneous) {
                        deleteFile(dir, dir.resolve(name));
                    }
                }
            }
            String from = upload ? dir.toString() : remote.uri();
            String to = upload ? remote.uri() : dir.toString();
            List<String> toTransfer = changed;
            // as storage get: sub-trees whose upload was cut off (or still runs) are left out, files a manifest lists
            // but the store lost are not there to fetch; either is a failed outcome
            boolean complete = report.whole();
            context.emit(
                    Views.document(
                            complete ? "success" : "partial",
                            "source",
                            from,
                            "destination",
                            to,
                            "dry_run",
                            dryRun,
                            "transfer",
                            Views.transfer(report),
                            "to_transfer",
                            toTransfer,
                            "deleted",
                            extraneous),
                    out -> {
                        if (dryRun) {
                            toTransfer.forEach(
                                    name -> out.println("would " + (upload ? "upload " : "download ") + name));
                            extraneous.forEach(name -> out.println("would delete " + name));
                            out.println("Dry run: " + report.files() + " file(s), "
                                    + ProgressDisplay.size(report.bytes()) + " to transfer (" + report.skipped()
                                    + " unchanged), " + extraneous.size() + " to delete; nothing changed.");
                        } else {
                            extraneous.forEach(name -> out.println("deleted " + name));
                            out.println(summary(
                                    upload ? "Uploaded" : "Downloaded",
                                    report,
                                    "to " + to,
                                    delete ? "; deleted " + extraneous.size() + " not in the source" : ""));
                        }
                    });
            return complete ? ExitCodes.OK : ExitCodes.FAILED_OUTCOME;
        }

        /** Names under {@code prefix} of files the tree's manifests list but the store no longer holds. */
        private static Set<String> lostFiles(
                Storage storage, String bucket, String prefix, List<StoredObject> listing) {
            return TreeManifest.select(listing, prefix, key -> readManifest(storage, bucket, key)).missing().stream()
                    .filter(key -> key.startsWith(prefix))
                    .map(key -> key.substring(prefix.length()))
                    .collect(java.util.stream.Collectors.toSet());
        }

        private static TreeManifest readManifest(Storage storage, String bucket, String key) {
            String where = storage.locate(bucket, key);
            Path scratch;
            try {
                scratch = Files.createTempDirectory("corc-manifest");
            } catch (IOException e) {
                throw SecureFiles.ioFailure("make a scratch directory to read " + where, e);
            }
            Path copy = scratch.resolve("manifest.json");
            try {
                storage.get(bucket, key, copy);
                return TreeManifest.parse(Files.readString(copy), where);
            } catch (IOException e) {
                throw SecureFiles.ioFailure("read the manifest " + where, e);
            } finally {
                try {
                    Files.deleteIfExists(copy);
                    Files.deleteIfExists(scratch);
                } catch (IOException ignored) {
                    // a scratch file in the temporary directory
                }
            }
        }

        /**
         * Whether a file and an object differ: either is missing, or their sizes or SHA-256 differ. Where the backend
         * does not list checksums (s3), the size decides; the transfer itself compares content.
         */
        private static boolean differs(Path file, StoredObject object) {
            return file == null
                    || object == null
                    || size(file) != object.size()
                    || (object.sha256() != null && !object.sha256().equalsIgnoreCase(sha256(file)));
        }

        /** Deletes {@code file} and the directories up to {@code root} that it leaves empty. */
        private static void deleteFile(Path root, Path file) {
            try {
                Files.delete(file);
                for (Path parent = file.getParent(); !parent.equals(root); parent = parent.getParent()) {
                    try (var entries = Files.list(parent)) {
                        if (entries.findAny().isPresent()) {
                            break;
                        }
                    }
                    Files.delete(parent);
                }
            } catch (IOException e) {
                throw SecureFiles.ioFailure("delete " + file, e);
            }
        }
    }

    static CorcException nothingAt(StorageLocation where) {
        return CorcException.notFound("nothing stored at " + where.uri())
                .withHint("corc storage ls " + where.bucketUri() + " lists what the bucket holds");
    }
}
