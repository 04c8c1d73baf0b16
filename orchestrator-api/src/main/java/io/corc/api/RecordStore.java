package io.corc.api;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Durable state shared by corc's processes (the CLI, the broker, embedders). Each write is atomic: a reader sees
 * the old record or the new one, never a torn one, also after a crash mid-write, and writers in other processes
 * are serialised by a lock.
 */
public interface RecordStore {

    /** Creates or replaces the record with the record's type and id. */
    void put(StateRecord record);

    Optional<StateRecord> get(String type, String id);

    /** All records of a type, oldest first. */
    List<StateRecord> list(String type);

    /** Removes the record; returns false when it did not exist. Idempotent. */
    boolean delete(String type, String id);

    /**
     * Reads, changes and writes one record under the store's lock, so concurrent updates from other processes are
     * not lost. The function receives the current record or {@code null} and returns the new record, or
     * {@code null} to delete it.
     *
     * @return the record written, or {@code null} when deleted
     */
    StateRecord update(String type, String id, UnaryOperator<StateRecord> change);
}
