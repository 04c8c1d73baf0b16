package io.corc.core.state;

import io.corc.api.CorcException;
import io.corc.api.StateRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a record lives: {@code <root>/<type>/<id>.json}. Type and id are checked so that neither can name a path
 * outside the store.
 */
final class RecordFiles {
    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9-]{0,63}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    private static final String SUFFIX = ".json";

    private final Path root;

    RecordFiles(Path root) {
        this.root = root;
    }

    /** @throws CorcException INVALID_INPUT for a malformed type or id */
    Path file(String type, String id) {
        Objects.requireNonNull(id, "id is null");
        if (!ID.matcher(id).matches()) {
            throw CorcException.invalidInput("invalid state record id '" + id + "'");
        }
        return folder(type).resolve(id + SUFFIX);
    }

    /** @throws CorcException INVALID_INPUT for a malformed type */
    Path folder(String type) {
        Objects.requireNonNull(type, "type is null");
        if (!TYPE.matcher(type).matches()) {
            throw CorcException.invalidInput("invalid state record type '" + type
                    + "': use lower-case letters, digits and '-', starting with a letter, at most 64 characters");
        }
        return root.resolve(type);
    }

    /** Whether {@code record} belongs in {@code file}, i.e. the file was not copied or renamed by hand. */
    static boolean belongsIn(StateRecord record, Path file) {
        return file.getFileName().toString().equals(record.id() + SUFFIX)
                && file.getParent().getFileName().toString().equals(record.type());
    }

    /** A record file, not a temporary ({@code .*.tmp}) or moved-aside ({@code *.corrupt-*}) one. */
    static boolean isRecordFile(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(SUFFIX) && !name.startsWith(".") && Files.isRegularFile(file);
    }
}
