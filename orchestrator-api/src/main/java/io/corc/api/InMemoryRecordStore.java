package io.corc.api;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * A {@link RecordStore} that lives as long as the process: for the job runner, which has no corc home of its own
 * (it runs in pods and on cluster nodes), for tests, and for embedders that keep no state between runs.
 */
public final class InMemoryRecordStore implements RecordStore {
    private final Map<String, StateRecord> records = new ConcurrentHashMap<>();

    @Override
    public void put(StateRecord record) {
        requireNonNull(record, "record is null");
        records.put(key(record.type(), record.id()), record);
    }

    @Override
    public Optional<StateRecord> get(String type, String id) {
        return Optional.ofNullable(records.get(key(type, id)));
    }

    @Override
    public List<StateRecord> list(String type) {
        requireNonNull(type, "type is null");
        return records.values().stream()
                .filter(r -> r.type().equals(type))
                .sorted(Comparator.comparing(StateRecord::createdAt))
                .toList();
    }

    @Override
    public boolean delete(String type, String id) {
        return records.remove(key(type, id)) != null;
    }

    @Override
    public synchronized StateRecord update(String type, String id, UnaryOperator<StateRecord> change) {
        requireNonNull(change, "change is null");
        StateRecord next = change.apply(records.get(key(type, id)));
        if (next == null) {
            records.remove(key(type, id));
        } else {
            records.put(key(type, id), next);
        }
        return next;
    }

    private static String key(String type, String id) {
        return requireNonNull(type, "type is null") + "/" + requireNonNull(id, "id is null");
    }
}
