package io.corc.scheduler.local;

import io.corc.api.RecordStore;
import io.corc.api.StateRecord;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** The local scheduler keeps its state in job directories; any use of the record store is a bug. */
final class UnusedRecordStore implements RecordStore {
    @Override
    public void put(StateRecord record) {
        throw new UnsupportedOperationException("the local scheduler must not use the record store");
    }

    @Override
    public Optional<StateRecord> get(String type, String id) {
        throw new UnsupportedOperationException("the local scheduler must not use the record store");
    }

    @Override
    public List<StateRecord> list(String type) {
        throw new UnsupportedOperationException("the local scheduler must not use the record store");
    }

    @Override
    public boolean delete(String type, String id) {
        throw new UnsupportedOperationException("the local scheduler must not use the record store");
    }

    @Override
    public StateRecord update(String type, String id, UnaryOperator<StateRecord> change) {
        throw new UnsupportedOperationException("the local scheduler must not use the record store");
    }
}
