package io.corc.broker.lease;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corc.api.CorcException;
import io.corc.api.SecureFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A list of leases (their protocol bodies, plus what a restart needs) in the broker's state directory: JSON,
 * replaced atomically (written to a temporary file, synced, renamed) as a 0600 file in the 0700 state directory, so
 * a crash mid-write leaves the previous list. The owner keeps the leases it serves in one, the requester the leases
 * its users hold at peers in another. Only what {@link io.corc.broker.protocol.Bodies#lease} writes (ids,
 * organisations, user, state, times, endpoint, resource id) goes in: nothing secret.
 */
public final class LeaseFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LeaseFile() {}

    /** Replaces {@code file} with {@code leases}; {@code what} names the file in an error. */
    public static void write(Path file, List<Map<String, Object>> leases, String what) {
        try {
            SecureFiles.writeAtomically(
                    file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(leases));
        } catch (IOException e) {
            throw SecureFiles.ioFailure("write " + what + " " + file, e);
        }
    }

    /** The leases in {@code file}, none when it does not exist. */
    public static List<Map<String, Object>> read(Path file, String what) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return JSON.readValue(file.toFile(), new TypeReference<>() {});
        } catch (IOException e) {
            throw CorcException.invalidInput(what + " " + file + " cannot be read: " + e.getMessage());
        }
    }
}
