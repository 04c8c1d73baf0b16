package io.corc.provider.oci;

import io.corc.api.InMemoryRecordStore;
import io.corc.api.PluginConfig;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A {@link FakeOci} with a small region's catalogue, an OCI config file whose profile signs with an RSA key made for
 * the test, and orchestrators that talk to the fake.
 */
public final class OciFixture implements AutoCloseable {
    public static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests corc@test";
    public static final String COMPARTMENT = "ocid1.compartment.oc1..test";
    static final String TENANCY = "ocid1.tenancy.oc1..test";
    static final String USER = "ocid1.user.oc1..test";
    static final String FINGERPRINT = "12:34:56:78:90:ab:cd:ef:12:34:56:78:90:ab:cd:ef";

    public final FakeOci oci = new FakeOci();
    public final RecordStore records = new InMemoryRecordStore();
    final List<String> progress = Collections.synchronizedList(new ArrayList<>());
    public final Path dir;
    public final Path configFile;
    final Path keyFile;

    public OciFixture() {
        oci.standardCatalogue();
        try {
            dir = Files.createTempDirectory("corc-oci-test");
            keyFile = dir.resolve("oci_api_key.pem");
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(
                                    generator.generateKeyPair().getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            Files.writeString(keyFile, pem);
            configFile = dir.resolve("config");
            Files.writeString(
                    configFile,
                    "[DEFAULT]\nuser=" + USER + "\nfingerprint=" + FINGERPRINT + "\nkey_file=" + keyFile + "\ntenancy="
                            + TENANCY + "\nregion=us-phoenix-1\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code corc.providers.oci} section the tests use, with {@code extra} merged in at the top level. */
    public Map<String, Object> config(Map<String, Object> extra) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("profile", Map.of("config_file", configFile.toString(), "compartment_id", COMPARTMENT));
        config.put("endpoint", oci.url());
        config.put("ssh_wait_seconds", 0);
        config.put("poll_interval_ms", 1);
        config.put("wait_timeout_seconds", 20);
        config.put("owner", "tester");
        config.putAll(extra);
        return config;
    }

    OciInstanceOrchestrator orchestrator(Map<String, Object> extra) {
        return orchestrator(extra, Duration.ofSeconds(30));
    }

    OciInstanceOrchestrator orchestrator(Map<String, Object> extra, Duration readTimeout) {
        OciSettings settings = OciSettings.from(
                        new PluginConfig("corc.providers.oci", config(extra)), Map.of("HOME", dir.toString()))
                .withReadTimeout(readTimeout);
        return new OciInstanceOrchestrator(settings, records, dir, new Random(42), Duration.ofMillis(1));
    }

    /** An orchestrator of OKE clusters; corc's home is {@code <dir>/corc-home}, the user's home {@code dir}. */
    OciInstanceOrchestrator clusters(Map<String, Object> extra) {
        OciSettings settings =
                OciSettings.from(new PluginConfig("corc.providers.oci", config(extra)), Map.of("HOME", dir.toString()));
        return new OciInstanceOrchestrator(
                io.corc.api.ResourceKind.CLUSTER,
                settings,
                records,
                dir,
                dir.resolve("corc-home"),
                new Random(42),
                Duration.ofMillis(1));
    }

    ProgressListener listener() {
        return (step, done, total) -> progress.add(step);
    }

    @Override
    public void close() {
        oci.shutdown();
    }
}
