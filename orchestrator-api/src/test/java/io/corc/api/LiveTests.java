package io.corc.api;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Helpers of the live tests (JUnit tag {@value #TAG}, run only with {@code ./mvnw -Plive}; docs/testing.md): they talk
 * to real clouds with the credentials of the clouds' own files and environment, never corc's {@code ~/.corc}, and
 * name what they create {@code corc-live-<random>} so strays are easy to find.
 */
public final class LiveTests {
    /** The JUnit tag of every live test; the parent pom excludes it unless the {@code live} profile is active. */
    public static final String TAG = "live";

    private static final SecureRandom RANDOM = new SecureRandom();

    private LiveTests() {}

    /** {@code corc-live-} and eight random hex digits: valid as a bucket, key pair, group and display name. */
    public static String name() {
        byte[] bytes = new byte[4];
        RANDOM.nextBytes(bytes);
        return "corc-live-" + HexFormat.of().formatHex(bytes);
    }

    /** The user's home as the JVM sees it (surefire may hand the forked JVM a different HOME variable). */
    public static Path home() {
        return Path.of(System.getProperty("user.home"));
    }

    /** An environment variable's value, or {@code null} when unset or blank. */
    public static String env(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** The file an environment variable names, else {@code relative} under the user's home. */
    public static Path file(String variable, String relative) {
        String value = env(variable);
        return value != null ? Path.of(value) : home().resolve(relative);
    }

    /** The process environment with HOME set to {@link #home()}, for factories that expand {@code ~} from it. */
    public static Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
        env.put("HOME", home().toString());
        return env;
    }

    /**
     * A fresh Ed25519 public key in OpenSSH form. Its private half is thrown away: the live tests check that a machine
     * answers on SSH, not that anyone can log in, and no secret of the test is left anywhere.
     */
    public static String throwawaySshPublicKey() {
        try {
            byte[] encoded = KeyPairGenerator.getInstance("Ed25519")
                    .generateKeyPair()
                    .getPublic()
                    .getEncoded();
            byte[] raw = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
            ByteArrayOutputStream blob = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(blob);
            byte[] type = "ssh-ed25519".getBytes(StandardCharsets.US_ASCII);
            out.writeInt(type.length);
            out.write(type);
            out.writeInt(raw.length);
            out.write(raw);
            return "ssh-ed25519 " + Base64.getEncoder().encodeToString(blob.toByteArray()) + " corc-live-test";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no Ed25519 in this JDK", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
