package io.corc.provider.local;

import io.corc.api.RecordStore;
import io.corc.api.StateRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** An in-memory record store that also remembers every status written per id. */
final class FakeRecordStore implements RecordStore {
    private final Map<String, StateRecord> records = new LinkedHashMap<>();
    private final Map<String, List<String>> statuses = new LinkedHashMap<>();

    @Override
    public synchronized void put(StateRecord record) {
        records.put(record.type() + "/" + record.id(), record);
        statuses.computeIfAbsent(record.id(), id -> new ArrayList<>()).add(record.status());
    }

    @Override
    public synchronized Optional<StateRecord> get(String type, String id) {
        return Optional.ofNullable(records.get(type + "/" + id));
    }

    @Override
    public synchronized List<StateRecord> list(String type) {
        return records.values().stream().filter(r -> r.type().equals(type)).toList();
    }

    @Override
    public synchronized boolean delete(String type, String id) {
        return records.remove(type + "/" + id) != null;
    }

    @Override
    public synchronized StateRecord update(String type, String id, UnaryOperator<StateRecord> change) {
        StateRecord next = change.apply(records.get(type + "/" + id));
        if (next == null) {
            delete(type, id);
        } else {
            put(next);
        }
        return next;
    }

    synchronized List<String> statuses(String id) {
        return List.copyOf(statuses.getOrDefault(id, List.of()));
    }
}
