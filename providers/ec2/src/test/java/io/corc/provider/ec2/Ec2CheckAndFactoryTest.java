package io.corc.provider.ec2;

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
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Ec2CheckAndFactoryTest {
    @TempDir
    Path home;

    private final Ec2Fixture fixture = new Ec2Fixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private Ec2InstanceOrchestrator orchestrator(Map<String, Object> config, Map<String, String> env) {
        PluginContext context = new PluginContext(
                "ec2", new PluginConfig("corc.providers.ec2", config), home, new InMemoryRecordStore());
        return Ec2OrchestratorFactory.create(ResourceKind.INSTANCE, context, env, new Random(1), Duration.ofMillis(1));
    }

    private Map<String, String> env(String... pairs) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", home.toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void theFactoryIsFoundByServiceLoaderAndDeclaresClustersUnsupportedWithTheReason() {
        OrchestratorFactory factory = ServiceLoader.load(OrchestratorFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equals("ec2"))
                .findFirst()
                .orElseThrow();
        assertThat(factory.kinds()).containsExactly(ResourceKind.INSTANCE);
        PluginContext context =
                new PluginContext("ec2", PluginConfig.empty("corc.providers.ec2"), home, new InMemoryRecordStore());
        assertThatThrownBy(() -> factory.create(ResourceKind.CLUSTER, context))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.getMessage()).contains("EKS");
                });
        var orchestrator = factory.create(ResourceKind.INSTANCE, context);
        assertThat(orchestrator.provider()).isEqualTo("ec2");
        assertThat(orchestrator.features().supports(Feature.SSH_ACCESS)).isTrue();
        assertThat(orchestrator.features().supports(Feature.SPOT)).isTrue();
        assertThat(orchestrator.features().whyMissing(Feature.CLUSTERS))
                .hasValueSatisfying(r -> assertThat(r).contains("EKS"));
    }

    @Test
    void checkWithNothingSetUpIsNotConfiguredAndNamesWhatIsMissing() {
        CheckResult result = orchestrator(Map.of(), env()).check();

        assertThat(result.configured()).isFalse();
        assertThat(result.ok()).isFalse();
        assertThat(result.reason())
                .contains("AWS_ACCESS_KEY_ID", home.resolve(".aws/credentials").toString(), "no AWS region");
    }

    @Test
    void checkWithCredentialsButNoRegionNamesTheRegionSettings() {
        CheckResult result = orchestrator(Map.of(), env("AWS_ACCESS_KEY_ID", "AKID", "AWS_SECRET_ACCESS_KEY", "s"))
                .check();

        assertThat(result.configured()).isTrue();
        assertThat(result.ok()).isFalse();
        assertThat(result.reason()).contains("no AWS region", "providers.ec2.profile.region", "AWS_REGION");
    }

    @Test
    void checkReadsTheNamedProfileOfTheConfiguredFilesAndAsksEc2() throws IOException {
        Path credentials = home.resolve("creds");
        Path config = home.resolve("config");
        Files.writeString(credentials, "[dev]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = shh\n");
        Files.writeString(config, "[profile dev]\nregion = us-east-1\n");
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put(
                "profile",
                Map.of("name", "dev", "config_file", config.toString(), "credentials_file", credentials.toString()));
        settings.put("endpoint", fixture.ec2.url());

        CheckResult result = orchestrator(settings, env()).check();

        assertThat(result.ok()).as(result.reason()).isTrue();
        assertThat(result.reason())
                .contains("us-east-1 (3 zones)", "profile 'dev'")
                .doesNotContain("shh");
        assertThat(fixture.ec2.server().getAllServeEvents().get(0).getRequest().getHeader("Authorization"))
                .contains("Credential=AKIDPROFILE/");
    }

    @Test
    void theAwsToolsEnvironmentNamesTheProfileAndFilesWhenCorcsConfigurationDoesNot() throws IOException {
        Path credentials = Files.writeString(
                home.resolve("elsewhere-credentials"),
                "[lab]\naws_access_key_id = AKIDLAB\naws_secret_access_key = x\n");
        Path config = Files.writeString(home.resolve("elsewhere-config"), "[profile lab]\nregion = us-east-1\n");
        Map<String, Object> settings = Map.of("endpoint", fixture.ec2.url());

        CheckResult result = orchestrator(
                        settings,
                        env(
                                "AWS_PROFILE",
                                "lab",
                                "AWS_CONFIG_FILE",
                                config.toString(),
                                "AWS_SHARED_CREDENTIALS_FILE",
                                credentials.toString()))
                .check();

        assertThat(result.ok()).as(result.reason()).isTrue();
        assertThat(result.reason()).contains("profile 'lab' in " + credentials);
    }

    @Test
    void checkAndStartReportRefusedCredentialsAsAuthentication() {
        fixture.ec2.rule(p -> new FakeEc2.Err(
                401, "AuthFailure", "AWS was not able to validate the provided" + " access credentials"));
        Map<String, Object> settings = fixture.config(Map.of());

        CheckResult result = orchestrator(settings, Ec2Fixture.ENV).check();
        assertThat(result.ok()).isFalse();
        assertThat(result.reason()).contains("AuthFailure");

        assertThatThrownBy(() ->
                        orchestrator(settings, Ec2Fixture.ENV).start(ResourceSpec.of("x", ResourceKind.INSTANCE), null))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.AUTHENTICATION);
                    assertThat(e.hint().orElse("")).contains("providers.ec2.profile");
                });
    }

    @Test
    void planWithoutCredentialsIsOneAuthenticationErrorNamingWhatIsMissing() {
        Map<String, Object> settings = new LinkedHashMap<>(fixture.config(Map.of()));

        assertThatThrownBy(() -> orchestrator(settings, env()).plan(ResourceSpec.of("x", ResourceKind.INSTANCE)))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.AUTHENTICATION);
                    assertThat(e.getMessage()).contains("AWS_ACCESS_KEY_ID");
                    assertThat(e.hint().orElse("")).contains("aws configure");
                    assertThat(e.plugin()).contains("ec2");
                });
        assertThat(fixture.ec2.server().getAllServeEvents()).isEmpty();
    }

    @Test
    void anUnknownRegionIsInvalidInputWithAHint() {
        Map<String, Object> settings = Map.of("profile", Map.of("region", "mars-north-1"));
        Map<String, String> env = env("AWS_ACCESS_KEY_ID", "AKID", "AWS_SECRET_ACCESS_KEY", "s");

        assertThat(orchestrator(settings, env).check().reason()).contains("unknown AWS region 'mars-north-1'");
        assertThatThrownBy(() -> orchestrator(settings, env).plan(ResourceSpec.of("x", ResourceKind.INSTANCE)))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.hint().orElse("")).contains("us-east-1");
                });
    }

    @Test
    void startWaitsForTheSshBannerWhenAsked() throws Exception {
        try (ServerSocket ssh = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            Thread banner = new Thread(() -> {
                try (Socket socket = ssh.accept()) {
                    socket.getOutputStream().write("SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                } catch (IOException e) {
                    // test ends
                }
            });
            banner.start();
            Map<String, Object> settings =
                    new LinkedHashMap<>(fixture.config(Map.of("ssh_port", ssh.getLocalPort(), "ssh_wait_seconds", 10)));

            var resource = orchestrator(settings, Ec2Fixture.ENV)
                    .start(
                            ResourceSpec.of("x", ResourceKind.INSTANCE).withSshPublicKeys(List.of(Ec2Fixture.KEY)),
                            fixture.listener());

            banner.join(5000);
            assertThat(resource.endpoints().get(0).port()).isEqualTo(ssh.getLocalPort());
            assertThat(fixture.progress).anyMatch(s -> s.startsWith("waiting for SSH on 127.0.0.1"));
        }
    }

    @Test
    void noSshWithinTheWaitRollsBack() throws Exception {
        int closedPort;
        try (ServerSocket unused = new ServerSocket(0)) {
            closedPort = unused.getLocalPort();
        }
        Map<String, Object> settings = fixture.config(Map.of("ssh_port", closedPort, "ssh_wait_seconds", 1));

        assertThatThrownBy(() -> orchestrator(settings, Ec2Fixture.ENV)
                        .start(
                                ResourceSpec.of("x", ResourceKind.INSTANCE).withSshPublicKeys(List.of(Ec2Fixture.KEY)),
                                null))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.getMessage()).contains("SSH on 127.0.0.1"));
        assertThat(fixture.ec2.leftovers()).isEmpty();
    }

    @Test
    void theCallersAddressIsAskedWhenNoCidrIsConfigured() {
        fixture.ec2
                .server()
                .stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/checkip")
                        .willReturn(com.github.tomakehurst.wiremock.client.WireMock.ok("203.0.113.9\n")));
        Map<String, Object> settings = new LinkedHashMap<>(fixture.config(Map.of()));
        settings.put("ssh_cidr", "");
        settings.put("caller_ip_url", fixture.ec2.url() + "/checkip");

        orchestrator(settings, Ec2Fixture.ENV)
                .start(ResourceSpec.of("x", ResourceKind.INSTANCE).withSshPublicKeys(List.of(Ec2Fixture.KEY)), null);

        assertThat(fixture.requests("AuthorizeSecurityGroupIngress").get(0))
                .containsEntry("IpPermissions.1.IpRanges.1.CidrIp", "203.0.113.9/32");
    }
}
