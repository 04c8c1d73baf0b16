package io.corc.core.state;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.RecordStore;
import io.corc.api.SecureFiles;
import io.corc.api.StateRecord;
import io.corc.core.state.RecordCodec.InvalidRecordException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A {@link RecordStore} keeping one JSON file per record, {@code <stateDir>/<type>/<id>.json}, directories 0700 and
 * files 0600. Every write replaces the file atomically (temporary file, fsync, rename) while holding the store's
 * lock ({@code <stateDir>/.lock}, see {@link StateLock}), so several threads and processes can share a folder and a
 * crash mid-write leaves the previous version. Readers take no lock. A file that is not a valid record is moved
 * aside to {@code <name>.corrupt-<timestamp>} and reported to a {@link CorruptRecordListener}, never dropped.
 */
public final class FileStateStore implements RecordStore {
    /** How long a writer waits for another process to release the lock before failing with CONFLICT. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(30);

    private final Path root;
    private final RecordFiles files;
    private final StateLock lock;
    private final RecordCodec codec = new RecordCodec();
    private final Quarantine quarantine;

    private FileStateStore(Path root, StateLock lock, CorruptRecordListener listener) {
        this.root = root;
        this.files = new RecordFiles(root);
        this.lock = lock;
        this.quarantine = new Quarantine(listener);
    }

    /** Opens (creating it 0700 when missing) the store in {@code stateDir}, with the default lock timeout. */
    public static FileStateStore open(Path stateDir) {
        return open(stateDir, DEFAULT_LOCK_TIMEOUT, CorruptRecordListener.logging());
    }

    /**
     * Opens the store in {@code stateDir}; writers wait at most {@code lockTimeout} for the lock (then CONFLICT), and
     * {@code listener} hears of every unreadable file moved aside.
     */
    public static FileStateStore open(Path stateDir, Duration lockTimeout, CorruptRecordListener listener) {
        requireNonNull(stateDir, "stateDir is null");
        requireNonNull(lockTimeout, "lockTimeout is null");
        requireNonNull(listener, "listener is null");
        if (lockTimeout.isNegative()) {
            throw CorcException.invalidInput("lock timeout must not be negative: " + lockTimeout);
        }
        try {
            Path root = SecureFiles.privateDirectory(stateDir).toRealPath();
            Path lockFile = root.resolve(".lock");
            try {
                // created once and never replaced: processes must all lock the same inode
                Files.createFile(lockFile);
                SecureFiles.makePrivate(lockFile);
            } catch (FileAlreadyExistsException e) {
                // another process created it first
            }
            return new FileStateStore(root, new StateLock(lockFile, lockTimeout), listener);
        } catch (IOException e) {
            throw SecureFiles.ioFailure("open the state store in " + stateDir, e);
        }
    }

    /** The folder holding the records. */
    public Path directory() {
        return root;
    }

    @Override
    public void put(StateRecord record) {
        requireNonNull(record, "record is null");
        write(complete(record));
    }

    @Override
    public Optional<StateRecord> get(String type, String id) {
        return read(files.file(type, id));
    }

    @Override
    public List<StateRecord> list(String type) {
        Path dir = files.folder(type);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<StateRecord> records = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, RecordFiles::isRecordFile)) {
            for (Path file : stream) {
                read(file).ifPresent(records::add);
            }
        } catch (IOException e) {
            throw SecureFiles.ioFailure("list " + dir, e);
        }
        records.sort(Comparator.comparing(StateRecord::createdAt, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(StateRecord::id));
        return List.copyOf(records);
    }

    @Override
    public boolean delete(String type, String id) {
        Path file = files.file(type, id);
        try {
            return lock.holding(() -> Files.deleteIfExists(file));
        } catch (IOException e) {
            throw SecureFiles.ioFailure("delete " + file, e);
        }
    }

    @Override
    public StateRecord update(String type, String id, UnaryOperator<StateRecord> change) {
        Path file = files.file(type, id);
        requireNonNull(change, "change is null");
        try {
            return lock.holding(() -> change(file, type, id, change));
        } catch (IOException e) {
            throw SecureFiles.ioFailure("update " + file, e);
        }
    }

    private StateRecord change(Path file, String type, String id, UnaryOperator<StateRecord> change)
            throws IOException {
        StateRecord current = read(file).orElse(null);
        StateRecord next = change.apply(current);
        if (next == null) {
            Files.deleteIfExists(file);
            return null;
        }
        if (!next.type().equals(type) || !next.id().equals(id)) {
            throw CorcException.invalidInput("an update of state record " + type + "/" + id + " must not return record "
                    + next.type() + "/" + next.id());
        }
        next = complete(next);
        if (!next.equals(current)) {
            write(next);
        }
        return next;
    }

    private void write(StateRecord record) {
        Path file = files.file(record.type(), record.id());
        byte[] content = codec.write(record);
        try {
            lock.holding(() -> {
                SecureFiles.writeAtomically(file, content);
                return null;
            });
        } catch (IOException e) {
            throw SecureFiles.ioFailure("write " + file, e);
        }
    }

    /** Reads one record file; an invalid one is re-checked under the lock and then moved aside. */
    private Optional<StateRecord> read(Path file) {
        try {
            try {
                return Optional.of(parse(file));
            } catch (InvalidRecordException firstLook) {
                // A writer may have replaced the file since: decide under the lock so a valid file is never moved.
                return lock.holding(() -> readOrMoveAside(file));
            }
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw SecureFiles.ioFailure("read " + file, e);
        }
    }

    private Optional<StateRecord> readOrMoveAside(Path file) throws IOException {
        try {
            return Optional.of(parse(file));
        } catch (InvalidRecordException invalid) {
            quarantine.moveAside(file, invalid.getMessage());
            return Optional.empty();
        }
    }

    private StateRecord parse(Path file) throws IOException, InvalidRecordException {
        StateRecord record = codec.read(Files.readAllBytes(file));
        if (!RecordFiles.belongsIn(record, file)) {
            throw new InvalidRecordException("its type and id do not match its file name");
        }
        return record;
    }

    private static StateRecord complete(StateRecord record) {
        if (record.createdAt() != null && record.updatedAt() != null) {
            return record;
        }
        Instant now = Instant.now();
        Instant created = record.createdAt() == null ? now : record.createdAt();
        Instant updated = record.updatedAt() == null ? now : record.updatedAt();
        return new StateRecord(record.type(), record.id(), record.status(), record.data(), created, updated);
    }
}
