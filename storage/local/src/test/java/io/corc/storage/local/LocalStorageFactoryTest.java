package io.corc.storage.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.PluginConfig;
import io.corc.api.PluginContext;
import io.corc.api.RecordStore;
import io.corc.api.StateRecord;
import io.corc.api.Storage;
import io.corc.api.StorageFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStorageFactoryTest {
    @TempDir
    Path temp;

    @Test
    void isFoundByServiceLoaderAndDefaultsToTheCorcHome() {
        StorageFactory factory = ServiceLoader.load(StorageFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equals("local"))
                .findFirst()
                .orElseThrow();

        Storage storage = factory.create(context(Map.of("path", "")));

        assertThat(((LocalStorage) storage).root()).isEqualTo(temp.resolve("home/storage"));
    }

    @Test
    void usesTheConfiguredPath() {
        Storage storage = new LocalStorageFactory()
                .create(context(Map.of("path", temp.resolve("objects").toString())));

        assertThat(((LocalStorage) storage).root()).isEqualTo(temp.resolve("objects"));
    }

    private PluginContext context(Map<String, Object> config) {
        return new PluginContext(
                "local", new PluginConfig("corc.storage.local", config), temp.resolve("home"), new NoRecords());
    }

    /** Storage keeps no records; every call would be a bug. */
    private static final class NoRecords implements RecordStore {
        @Override
        public void put(StateRecord record) {
            throw new AssertionError("unexpected put");
        }

        @Override
        public Optional<StateRecord> get(String type, String id) {
            throw new AssertionError("unexpected get");
        }

        @Override
        public List<StateRecord> list(String type) {
            throw new AssertionError("unexpected list");
        }

        @Override
        public boolean delete(String type, String id) {
            throw new AssertionError("unexpected delete");
        }

        @Override
        public StateRecord update(String type, String id, UnaryOperator<StateRecord> change) {
            throw new AssertionError("unexpected update");
        }
    }
}
