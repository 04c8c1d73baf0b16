package io.corc.broker.control;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.SecureFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The files through which the CLI finds a running broker in its state directory: {@value #CONTROL_FILE} (port,
 * address, pid and where the token is; mode 0600, no secret in it) and the token file itself (0600 in a 0700
 * directory, a fresh random token per start). The token is never logged and never part of any JSON output.
 */
public final class ControlFiles {
    /** Port, host, pid and token file of the running broker's control API. */
    public static final String CONTROL_FILE = "control.json";
    /** Default name of the token file in the state directory. */
    public static final String TOKEN_FILE = "control.token";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private ControlFiles() {}

    /**
     * What {@value #CONTROL_FILE} says about a running broker.
     *
     * @param host the address the control API listens on
     * @param port its TCP port
     * @param pid the broker process
     * @param tokenFile where its bearer token is
     * @param organisation the broker's organisation
     * @param grid its grid
     * @param started when it started
     */
    public record ControlInfo(
            String host, int port, long pid, Path tokenFile, String organisation, String grid, Instant started) {
        public ControlInfo {
            requireNonNull(host, "host is null");
            requireNonNull(tokenFile, "tokenFile is null");
        }
    }

    /** A new random token: 32 bytes from {@link SecureRandom}, URL-safe base64. */
    public static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Writes {@code token} to {@code file} (0600), creating its directory 0700; replaces an older token. */
    public static void writeToken(Path file, String token) {
        SecureFiles.privateDirectory(file.toAbsolutePath().getParent());
        SecureFiles.writeAtomically(file, (token + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** The token in {@code file}. */
    public static String readToken(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            throw new CorcException(ErrorCategory.UNAVAILABLE, "the broker's token file " + file + " is missing")
                    .withHint("the broker is not running or was started by another user; start it with"
                            + " 'corc broker start --daemon'");
        } catch (IOException e) {
            throw new CorcException(ErrorCategory.AUTHENTICATION, "cannot read the broker's token file " + file)
                    .withHint("run corc as the user that started the broker (the file is mode 0600)")
                    .withCause(e);
        }
    }

    /** Writes {@value #CONTROL_FILE} into {@code stateDir} (0600). */
    public static void writeControl(Path stateDir, ControlInfo info) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("host", info.host());
        map.put("port", info.port());
        map.put("pid", info.pid());
        map.put("token_file", info.tokenFile().toAbsolutePath().toString());
        map.put("organisation", info.organisation());
        map.put("grid", info.grid());
        map.put("started_at", info.started() == null ? null : info.started().toString());
        try {
            SecureFiles.writeAtomically(
                    stateDir.resolve(CONTROL_FILE),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(map));
        } catch (IOException e) {
            throw SecureFiles.ioFailure("write " + stateDir.resolve(CONTROL_FILE), e);
        }
    }

    /** What {@value #CONTROL_FILE} in {@code stateDir} says, or empty when there is none (or it is torn). */
    public static Optional<ControlInfo> readControl(Path stateDir) {
        Path file = stateDir.resolve(CONTROL_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            Map<?, ?> map = JSON.readValue(file.toFile(), Map.class);
            Object started = map.get("started_at");
            return Optional.of(new ControlInfo(
                    String.valueOf(map.get("host")),
                    ((Number) map.get("port")).intValue(),
                    ((Number) map.get("pid")).longValue(),
                    Path.of(String.valueOf(map.get("token_file"))),
                    (String) map.get("organisation"),
                    (String) map.get("grid"),
                    started == null ? null : Instant.parse(started.toString())));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Removes {@value #CONTROL_FILE} of {@code stateDir} when it names {@code pid} (not a newer broker's). */
    public static void removeControl(Path stateDir, long pid) {
        Optional<ControlInfo> info = readControl(stateDir);
        if (info.isPresent() && info.get().pid() == pid) {
            deleteQuietly(stateDir.resolve(CONTROL_FILE));
        }
    }

    /** Deletes {@code file} if it exists, ignoring failures (a leftover file is recognised as stale). */
    public static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort: a leftover file is recognised as stale by its pid
        }
    }
}
