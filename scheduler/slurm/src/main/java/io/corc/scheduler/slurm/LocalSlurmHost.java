package io.corc.scheduler.slurm;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.SecureFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Slurm's commands on this machine, run without a shell; job files through java.nio. */
final class LocalSlurmHost implements SlurmHost {

    @Override
    public String describe() {
        return "this machine";
    }

    @Override
    public CommandOutput run(List<String> argv, Duration timeout) {
        Process process;
        try {
            process = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            // the JDK says "Cannot run program ...: error=2, No such file or directory"
            return new CommandOutput(CommandOutput.NOT_FOUND, "", argv.get(0) + ": command not found");
        }
        CompletableFuture<String> out = readAsync(process.getInputStream());
        CompletableFuture<String> err = readAsync(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new CorcException(
                                ErrorCategory.UNAVAILABLE,
                                argv.get(0) + " did not answer within " + timeout.toSeconds() + " s")
                        .withHint("check that the Slurm controller is up: sinfo");
            }
            return new CommandOutput(process.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CorcException(ErrorCategory.CANCELLED, "interrupted while running " + argv.get(0));
        }
    }

    /** On a thread of its own: the common pool may have one thread, and two blocking reads would deadlock. */
    private static CompletableFuture<String> readAsync(InputStream stream) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread reader = new Thread(
                () -> {
                    try (stream) {
                        result.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        result.completeExceptionally(new UncheckedIOException(e));
                    }
                },
                "slurm-command-output");
        reader.setDaemon(true);
        reader.start();
        return result;
    }

    @Override
    public String homeDirectory() {
        return System.getProperty("user.home");
    }

    @Override
    public void createPrivateDirectory(String path) {
        SecureFiles.privateDirectory(Path.of(path));
    }

    @Override
    public void writeFile(String path, byte[] content, int mode) {
        Path file = Path.of(path);
        SecureFiles.replaceInExistingDirectory(file, content);
        try {
            Files.setPosixFilePermissions(file, permissions(mode));
        } catch (IOException e) {
            throw SecureFiles.ioFailure("set the mode of " + file, e);
        }
    }

    @Override
    public Optional<byte[]> readFile(String path) {
        try {
            return Optional.of(Files.readAllBytes(Path.of(path)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw SecureFiles.ioFailure("read " + path, e);
        }
    }

    @Override
    public void deleteTree(String path) {
        Path root = Path.of(path);
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // removed concurrently
        } catch (IOException e) {
            throw SecureFiles.ioFailure("delete " + root, e);
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
        };
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(order[bit]);
            }
        }
        return set;
    }

    @Override
    public void close() {}
}
