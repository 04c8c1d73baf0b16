package io.corc.provider.local;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.ProcessTrees;
import io.corc.api.SecureFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A local sandbox directory and the processes started in it. Each process is recorded in {@code pids/<pid>} with
 * its start instant, so that {@link #killAll} can find it again from another JVM and never kills an unrelated
 * process that reused the pid.
 */
public final class LocalSandbox {
    private final Path directory;

    private LocalSandbox(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    public static LocalSandbox at(Path sandboxDir) {
        return new LocalSandbox(requireNonNull(sandboxDir, "sandboxDir is null"));
    }

    public Path directory() {
        return directory;
    }

    /** The sandbox's work directory, where processes start unless told otherwise. */
    public Path home() {
        return directory.resolve("home");
    }

    /**
     * Starts {@code builder}'s process (in {@link #home()} when the builder has no directory) and records it.
     *
     * @throws CorcException {@link io.corc.api.ErrorCategory#INVALID_INPUT} when the command cannot be started
     */
    public Process start(ProcessBuilder builder) {
        requireNonNull(builder, "builder is null");
        if (builder.directory() == null) {
            builder.directory(SecureFiles.privateDirectory(home()).toFile());
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            String reason = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            throw CorcException.invalidInput("cannot run '" + builder.command().get(0) + "': " + reason)
                    .withContext(LocalOrchestratorFactory.NAME, "sandbox start")
                    .withCause(e);
        }
        try {
            String started =
                    process.info().startInstant().map(Instant::toString).orElse("");
            SecureFiles.writeAtomically(
                    pidsDir().resolve(Long.toString(process.pid())), started.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
        return process;
    }

    /**
     * Kills the tree of every recorded process that still runs (SIGTERM, up to {@code grace}, then SIGKILL) and
     * forgets them. A recorded pid now used by another process (its start instant differs) is left alone, as is
     * one whose start instant was unknown. Processes whose recorded parent already exited are not found.
     */
    public void killAll(Duration grace) {
        requireNonNull(grace, "grace is null");
        List<Path> records = pidFiles();
        Set<ProcessHandle> tree = new LinkedHashSet<>();
        List<ProcessHandle> roots = new ArrayList<>();
        for (Path record : records) {
            recordedProcess(record).ifPresent(root -> {
                root.descendants().forEach(tree::add);
                roots.add(root);
            });
        }
        tree.addAll(roots);
        ProcessTrees.terminate(tree, grace);
        try {
            for (Path record : records) {
                Files.deleteIfExists(record);
            }
        } catch (IOException e) {
            throw SecureFiles.ioFailure("forget the processes of " + directory, e);
        }
    }

    private Optional<ProcessHandle> recordedProcess(Path record) {
        try {
            long pid = Long.parseLong(record.getFileName().toString());
            Instant recorded = Instant.parse(
                    Files.readString(record, StandardCharsets.UTF_8).strip());
            return ProcessTrees.find(pid, recorded);
        } catch (NumberFormatException | DateTimeParseException | IOException e) {
            return Optional.empty();
        }
    }

    private List<Path> pidFiles() {
        Path pids = pidsDir();
        if (!Files.isDirectory(pids)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(pids)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().matches("[0-9]+"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw SecureFiles.ioFailure("list the processes of " + directory, e);
        }
    }

    private Path pidsDir() {
        return directory.resolve("pids");
    }
}
