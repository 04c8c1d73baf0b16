package io.corc.cli;

import io.corc.api.CorcException;
import io.corc.api.LocalTrees;
import io.corc.api.SecureFiles;
import io.corc.api.Storage;
import io.corc.api.TransferReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/**
 * A {@code corc storage} command: the shared context, the {@code --storage-*} options (applied before the engine
 * opens), and the helpers every subcommand uses to tell storage locations from local paths.
 */
abstract class StorageCommand implements Callable<Integer> {
    final CliContext context;

    @Mixin
    StorageOptions storageOptions;

    StorageCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public final Integer call() {
        storageOptions.apply(context);
        return run();
    }

    abstract int run();

    Storage storage() {
        return context.corc().storage();
    }

    /** {@code text} as a storage location; {@code role} names the argument in the error when it is a local path. */
    StorageLocation remote(String text, String role) {
        if (!StorageLocation.isRemote(text)) {
            throw CorcException.invalidInput(role + " must be a storage location, got the local path '" + text + "'")
                    .withHint("write corc://KEY for the configured bucket, or s3://BUCKET/KEY (see corc storage"
                            + " --help)");
        }
        return StorageLocation.parse(text, context.corc());
    }

    /** {@code text} as a path of this machine, resolved against the working directory. */
    Path local(String text, String role) {
        if (StorageLocation.isRemote(text)) {
            throw CorcException.invalidInput(role + " must be a local path, got the storage location '" + text + "'")
                    .withHint("put uploads local files, get downloads, sync goes either way");
        }
        return context.workingDirectory().resolve(text).normalize();
    }

    static CorcException noSuchPath(Path path) {
        return CorcException.notFound("no such file or directory: " + path)
                .withHint("check the path; relative paths start at the current directory");
    }

    /** The regular files below {@code dir} by relative name ({@code /}-separated), sorted. */
    static SortedMap<String, Path> files(Path dir) {
        SortedMap<String, Path> files = new TreeMap<>();
        LocalTrees.files(dir).forEach(file -> files.put(LocalTrees.relativeName(dir, file), file));
        return files;
    }

    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw SecureFiles.ioFailure("read the size of " + file, e);
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw SecureFiles.ioFailure("read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** How many keys of {@link TransferReport#missing()} a human message names; {@code -o json} lists them all. */
    static final int MISSING_SHOWN = 5;

    /**
     * "Uploaded 3 file(s), 1.2 KiB (2 unchanged) to X in 0.4 s", what a download left out because its upload had
     * not completed, and the files its manifests list that the store no longer holds.
     */
    static String summary(String verb, TransferReport report, String where) {
        return summary(verb, report, where, "");
    }

    /** As above, with {@code more} added to the first line (before any lines about what did not arrive). */
    static String summary(String verb, TransferReport report, String where, String more) {
        String line = String.format(
                        Locale.ROOT,
                        "%s %d file(s), %s (%d unchanged) %s in %.1f s",
                        verb,
                        report.files(),
                        ProgressDisplay.size(report.bytes()),
                        report.skipped(),
                        where,
                        report.seconds())
                + more;
        if (!report.incomplete().isEmpty()) {
            line += "\nNot downloaded, their upload has not completed: " + String.join(", ", report.incomplete());
        }
        if (!report.missing().isEmpty()) {
            line += "\n" + missing(report.missing())
                    + "\nhint: upload the tree again, or restore those objects; corc storage ls shows what is there";
        }
        return line;
    }

    /**
     * "corc: 2 file(s) listed in the upload's manifest are gone from the store: k1, k2": one line naming how many
     * committed files a download could not fetch because they were deleted since the upload, and the first few.
     */
    static String missing(List<String> keys) {
        String shown = String.join(", ", keys.subList(0, Math.min(MISSING_SHOWN, keys.size())));
        if (keys.size() > MISSING_SHOWN) {
            shown += ", ... (" + (keys.size() - MISSING_SHOWN) + " more; -o json lists them all)";
        }
        return "corc: " + keys.size() + " file(s) listed in the upload's manifest are gone from the store: " + shown;
    }

    static TransferReport plus(TransferReport a, TransferReport b) {
        List<String> incomplete = new ArrayList<>(a.incomplete());
        incomplete.addAll(b.incomplete());
        List<String> missing = new ArrayList<>(a.missing());
        missing.addAll(b.missing());
        return new TransferReport(
                a.files() + b.files(),
                a.bytes() + b.bytes(),
                a.skipped() + b.skipped(),
                a.seconds() + b.seconds(),
                incomplete,
                missing);
    }
}
