package io.corc.provider.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CheckResult;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Feature;
import io.corc.api.InMemoryRecordStore;
import io.corc.api.OrchestratorFactory;
import io.corc.api.PluginConfig;
import io.corc.api.PluginContext;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The factory as ServiceLoader finds it, and check/plan naming precisely what of the OCI set-up is missing. */
class OciCheckAndFactoryTest {
    private final OciFixture fixture = new OciFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private OciInstanceOrchestrator orchestrator(Map<String, Object> config, Map<String, String> env) {
        PluginContext context = new PluginContext(
                "oci", new PluginConfig("corc.providers.oci", config), fixture.dir, new InMemoryRecordStore());
        return OciOrchestratorFactory.create(ResourceKind.INSTANCE, context, env, new Random(1), Duration.ofMillis(1));
    }

    private Map<String, Object> config(Map<String, Object> profile) {
        Map<String, Object> config = new LinkedHashMap<>(fixture.config(Map.of()));
        config.put("profile", profile);
        return config;
    }

    @Test
    void serviceLoaderFindsTheFactoryOfInstancesAndClusters() {
        OrchestratorFactory factory = ServiceLoader.load(OrchestratorFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equals("oci"))
                .findFirst()
                .orElseThrow();
        assertThat(factory.kinds()).containsExactlyInAnyOrder(ResourceKind.INSTANCE, ResourceKind.CLUSTER);
        assertThat(factory.description()).isNotBlank();
        PluginContext context = new PluginContext(
                "oci", PluginConfig.empty("corc.providers.oci"), fixture.dir, new InMemoryRecordStore());
        assertThat(factory.create(ResourceKind.CLUSTER, context).kind()).isEqualTo(ResourceKind.CLUSTER);
        assertThat(factory.create(ResourceKind.CLUSTER, context).features().supports(Feature.CLUSTERS))
                .isTrue();
        var features = OciInstanceOrchestrator.FEATURES;
        assertThat(features.supports(Feature.SSH_ACCESS)).isTrue();
        assertThat(features.supports(Feature.SHAPE_SELECTION)).isTrue();
        assertThat(features.whyMissing(Feature.CLUSTERS)).get().asString().contains("orchestration cluster");
    }

    @Test
    void checkIsOkWithACompleteProfileAndACompartment() {
        CheckResult result = orchestrator(fixture.config(Map.of()), Map.of()).check();

        assertThat(result.ok()).as(result.reason()).isTrue();
        assertThat(result.reason()).contains("[DEFAULT]", "us-phoenix-1", "3 availability domains");
        assertThat(result.reason()).doesNotContain(OciFixture.FINGERPRINT, OciFixture.USER);
    }

    @Test
    void withoutAConfigFileTheProviderIsNotConfigured() {
        Map<String, Object> config = config(Map.of("compartment_id", OciFixture.COMPARTMENT));
        CheckResult result = orchestrator(
                        config, Map.of("HOME", fixture.dir.resolve("nohome").toString()))
                .check();

        assertThat(result.ok()).isFalse();
        assertThat(result.configured()).isFalse();
        assertThat(result.reason()).contains("no OCI config file at", "nohome/.oci/config", "oci setup config");
    }

    @Test
    void ociConfigFileAndOciCliProfileFromTheEnvironmentAreHonoured() throws Exception {
        Files.writeString(
                fixture.configFile,
                Files.readString(fixture.configFile) + "\n[OTHER]\nregion=eu-frankfurt-1\n",
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        Map<String, Object> config = config(Map.of("compartment_id", OciFixture.COMPARTMENT));
        Map<String, String> env = Map.of("OCI_CONFIG_FILE", fixture.configFile.toString(), "OCI_CLI_PROFILE", "OTHER");

        CheckResult result = orchestrator(config, env).check();

        assertThat(result.ok()).as(result.reason()).isTrue();
        assertThat(result.reason()).contains("[OTHER]", "eu-frankfurt-1"); // the rest inherited from [DEFAULT]
        assertThat(orchestrator(
                                config,
                                Map.of("OCI_CONFIG_FILE", fixture.configFile.toString(), "OCI_CLI_PROFILE", "NOPE"))
                        .check()
                        .reason())
                .contains("no profile [NOPE]", "profiles there: DEFAULT, OTHER");
    }

    @Test
    void checkNamesTheMissingProfileKeysKeyFileAndCompartment() throws Exception {
        Path file = fixture.dir.resolve("partial");
        Files.writeString(file, "[DEFAULT]\nuser=u\nregion=us-phoenix-1\n");
        CheckResult missingKeys = orchestrator(config(Map.of("config_file", file.toString())), Map.of())
                .check();
        assertThat(missingKeys.ok()).isFalse();
        assertThat(missingKeys.configured()).isTrue();
        assertThat(missingKeys.reason()).contains("[DEFAULT]", "lacks fingerprint, key_file, tenancy");

        Files.writeString(file, "[DEFAULT]\nuser=u\nfingerprint=f\ntenancy=t\nregion=r\nkey_file=~/missing.pem\n");
        CheckResult missingKey = orchestrator(
                        config(Map.of("config_file", file.toString())), Map.of("HOME", fixture.dir.toString()))
                .check();
        assertThat(missingKey.reason())
                .contains(
                        "key_file",
                        "does not exist",
                        fixture.dir.resolve("missing.pem").toString());

        CheckResult noCompartment = orchestrator(config(Map.of("config_file", fixture.configFile.toString())), Map.of())
                .check();
        assertThat(noCompartment.ok()).isFalse();
        assertThat(noCompartment.reason()).contains("no compartment", "providers.oci.profile.compartment_id");
        assertThatThrownBy(() -> orchestrator(config(Map.of("config_file", fixture.configFile.toString())), Map.of())
                        .plan(ResourceSpec.of("x", ResourceKind.INSTANCE)))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.getMessage()).contains("no OCI compartment");
                    assertThat(e.hint()).get().asString().contains("--option compartment_id=");
                });
        assertThat(fixture.oci.calls).isEmpty(); // none of these asked OCI anything
    }

    @Test
    void anUnauthorisedAnswerIsAnAuthenticationFailureInCheck() {
        fixture.oci.rule(c -> new FakeOci.Err(
                401,
                "NotAuthenticated",
                "The required information to complete" + " authentication was not provided or was incorrect."));

        CheckResult result = orchestrator(fixture.config(Map.of()), Map.of()).check();

        assertThat(result.ok()).isFalse();
        assertThat(result.reason()).contains("401", "NotAuthenticated", "fingerprint and key_file");
    }
}
