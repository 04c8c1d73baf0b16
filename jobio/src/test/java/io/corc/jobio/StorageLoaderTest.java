package io.corc.jobio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Storage;
import io.corc.storage.local.LocalStorage;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageLoaderTest {
    @TempDir
    Path temp;

    @Test
    void loadsAStorageByNameWithItsConfiguration() {
        Storage storage = StorageLoader.load(
                "local", Map.of("path", temp.resolve("objects").toString()), temp);

        assertThat(storage).isInstanceOf(LocalStorage.class);
        assertThat(((LocalStorage) storage).root()).isEqualTo(temp.resolve("objects"));
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        assertThatThrownBy(() -> StorageLoader.load("nope", Map.of(), temp))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT))
                .hasMessage("unknown storage 'nope'; known: local");
    }
}
