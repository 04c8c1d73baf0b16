package io.corc.provider.oci;

import com.oracle.bmc.auth.BasicAuthenticationDetailsProvider;
import com.oracle.bmc.auth.SimpleAuthenticationDetailsProvider;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One profile of an OCI config file, read the way the OCI CLI and SDKs read it: INI sections, {@code [DEFAULT]}'s
 * keys inherited by every other profile, {@code key_file} relative to the home directory when it starts with
 * {@code ~}. Only this class touches the values; none of them is ever copied into corc's files, records or messages
 * (messages name the file, the profile and the key, not its value).
 */
final class OciProfile {
    static final List<String> REQUIRED = List.of("user", "fingerprint", "key_file", "tenancy", "region");

    private final Path file;
    private final String name;
    private final Map<String, String> values;
    private final Path home;

    private OciProfile(Path file, String name, Map<String, String> values, Path home) {
        this.file = file;
        this.name = name;
        this.values = values;
        this.home = home;
    }

    /**
     * Reads the profile and checks that it is complete: the file, the profile, its required keys and the key file.
     *
     * @throws CorcException {@link ErrorCategory#AUTHENTICATION} naming precisely what is missing
     */
    static OciProfile load(OciSettings settings, Path home) {
        Path file = settings.configFile();
        if (!Files.isRegularFile(file)) {
            throw new CorcException(
                            ErrorCategory.AUTHENTICATION,
                            "no OCI config file at " + file + " (path from " + settings.configFileSource() + ")")
                    .withHint("create it with 'oci setup config', or point OCI_CONFIG_FILE or"
                            + " providers.oci.profile.config_file at yours");
        }
        Map<String, Map<String, String>> sections;
        try {
            sections = parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CorcException(
                            ErrorCategory.AUTHENTICATION,
                            "cannot read the OCI config file " + file + ": " + e.getMessage())
                    .withHint("check the file's permissions");
        }
        String name = settings.profileName();
        if (!sections.containsKey(name)) {
            List<String> known = new ArrayList<>(sections.keySet());
            throw new CorcException(
                            ErrorCategory.AUTHENTICATION,
                            "no profile [" + name + "] in the OCI config file " + file + " (profiles there: "
                                    + (known.isEmpty() ? "none" : String.join(", ", known)) + ")")
                    .withHint("set providers.oci.profile.name (or OCI_CLI_PROFILE) to one of them, or add the profile"
                            + " with 'oci setup config'");
        }
        Map<String, String> values = new LinkedHashMap<>(sections.getOrDefault("DEFAULT", Map.of()));
        values.putAll(sections.get(name));
        List<String> missing = new ArrayList<>();
        for (String key : REQUIRED) {
            if (values.getOrDefault(key, "").isBlank()) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            throw new CorcException(
                            ErrorCategory.AUTHENTICATION,
                            "profile [" + name + "] of " + file + " lacks " + String.join(", ", missing))
                    .withHint("add " + String.join(", ", missing) + " to the profile (see 'oci setup config')");
        }
        OciProfile profile = new OciProfile(file, name, values, home);
        Path key = profile.keyFile();
        if (!Files.isRegularFile(key)) {
            throw new CorcException(
                            ErrorCategory.AUTHENTICATION,
                            "the key_file of profile [" + name + "] in " + file + " does not exist: " + key)
                    .withHint("fix key_file, or make an API signing key with 'oci setup keys' and upload it");
        }
        if (!Files.isReadable(key)) {
            throw new CorcException(
                            ErrorCategory.AUTHENTICATION,
                            "the key_file of profile [" + name + "] in " + file + " is not readable: " + key)
                    .withHint("check the key file's permissions");
        }
        return profile;
    }

    static Map<String, Map<String, String>> parse(String text) {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (String raw : text.split("\\R")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                current = sections.computeIfAbsent(
                        line.substring(1, line.length() - 1).strip(), k -> new LinkedHashMap<>());
                continue;
            }
            int eq = line.indexOf('=');
            if (eq > 0 && current != null) {
                current.put(
                        line.substring(0, eq).strip().toLowerCase(Locale.ROOT),
                        line.substring(eq + 1).strip());
            }
        }
        return sections;
    }

    String name() {
        return name;
    }

    Path file() {
        return file;
    }

    String region() {
        return values.get("region");
    }

    String tenancy() {
        return values.get("tenancy");
    }

    /** An optional key of the profile (e.g. {@code compartment_id}), or empty. */
    String optional(String key) {
        return values.getOrDefault(key, "");
    }

    Path keyFile() {
        String path = values.get("key_file");
        if (path.startsWith("~/")) {
            return home.resolve(path.substring(2));
        }
        Path p = Path.of(path);
        return p.isAbsolute() ? p : file.toAbsolutePath().getParent().resolve(p);
    }

    /** The SDK's signer for this profile; the key is read when a request is signed, never stored elsewhere. */
    BasicAuthenticationDetailsProvider authentication() {
        Path key = keyFile();
        SimpleAuthenticationDetailsProvider.SimpleAuthenticationDetailsProviderBuilder builder =
                SimpleAuthenticationDetailsProvider.builder()
                        .tenantId(values.get("tenancy"))
                        .userId(values.get("user"))
                        .fingerprint(values.get("fingerprint"))
                        .privateKeySupplier(() -> {
                            try {
                                return new ByteArrayInputStream(Files.readAllBytes(key));
                            } catch (IOException e) {
                                throw new CorcException(
                                                ErrorCategory.AUTHENTICATION,
                                                "cannot read the key_file of profile [" + name + "]: " + key)
                                        .withCause(e);
                            }
                        });
        String passPhrase = values.get("pass_phrase");
        if (passPhrase != null && !passPhrase.isEmpty()) {
            builder.passPhrase(passPhrase);
        }
        return builder.build();
    }
}
