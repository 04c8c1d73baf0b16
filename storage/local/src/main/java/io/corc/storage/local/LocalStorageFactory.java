package io.corc.storage.local;

import static java.util.Objects.requireNonNull;

import io.corc.api.PluginContext;
import io.corc.api.Storage;
import io.corc.api.StorageFactory;
import java.nio.file.Path;

/**
 * Builds {@link LocalStorage} from {@code corc.storage.local}: {@code path} is the directory holding the buckets
 * (default {@code <corc home>/storage}; a leading {@code ~/} means the user's home).
 */
public final class LocalStorageFactory implements StorageFactory {

    @Override
    public String name() {
        return LocalStorage.NAME;
    }

    @Override
    public String description() {
        return "buckets as directories of this machine";
    }

    @Override
    public Storage create(PluginContext context) {
        requireNonNull(context, "context is null");
        String configured = context.config().string("path", "");
        Path root;
        if (configured.isBlank()) {
            root = context.home().resolve("storage");
        } else if (configured.startsWith("~/")) {
            root = Path.of(System.getProperty("user.home")).resolve(configured.substring(2));
        } else {
            root = Path.of(configured);
        }
        return new LocalStorage(root.toAbsolutePath().normalize());
    }
}
