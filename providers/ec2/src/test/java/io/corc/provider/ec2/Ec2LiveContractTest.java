package io.corc.provider.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.corc.api.CloudObject;
import io.corc.api.InMemoryRecordStore;
import io.corc.api.LiveContractTest;
import io.corc.api.LiveTests;
import io.corc.api.Orchestrator;
import io.corc.api.PluginConfig;
import io.corc.api.PluginContext;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * The shared orchestrator contract against real AWS EC2 (tag {@code live}: {@code ./mvnw -Plive}; docs/testing.md).
 * Credentials and region come from the AWS files ({@code ~/.aws/config}, {@code ~/.aws/credentials}, AWS_PROFILE)
 * or the AWS_* environment, the region from {@code CORC_LIVE_EC2_REGION} if set. Each start makes a key pair, a
 * security group and the smallest instance type with one core, tagged {@code corc-live=true}; every one is stopped
 * in the test or, when an assertion failed first, in the base class's clean-up.
 */
@Tag(LiveTests.TAG)
class Ec2LiveContractTest extends LiveContractTest {
    private Path corcHome;
    private Map<String, Object> config;
    private Ec2Settings settings;

    @BeforeEach
    void credentials() throws IOException {
        config = config();
        settings = Ec2Settings.from(new PluginConfig("corc.providers.ec2", config), LiveTests.environment());
        Ec2Credentials credentials = new Ec2Credentials(settings);
        assumeTrue(
                credentials.source().isPresent(),
                () -> "EC2 live test skipped: " + credentials.whatIsMissing() + " (AWS_PROFILE="
                        + settings.profileName() + ")");
        assumeTrue(
                credentials.region(null).isPresent(),
                () -> "EC2 live test skipped: no region; set CORC_LIVE_EC2_REGION, AWS_REGION or 'region' in profile '"
                        + settings.profileName() + "' of " + settings.configFile());
        corcHome = Files.createTempDirectory("corc-live-ec2");
    }

    /** The {@code corc.providers.ec2} section: the user's AWS files and profile, corc's defaults for the rest. */
    private static Map<String, Object> config() {
        Map<String, Object> profile = new LinkedHashMap<>();
        String awsProfile = LiveTests.env("AWS_PROFILE");
        profile.put("name", awsProfile == null ? "default" : awsProfile);
        profile.put(
                "config_file", LiveTests.file("AWS_CONFIG_FILE", ".aws/config").toString());
        profile.put(
                "credentials_file",
                LiveTests.file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials")
                        .toString());
        String region = LiveTests.env("CORC_LIVE_EC2_REGION");
        if (region != null) {
            profile.put("region", region);
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("profile", profile);
        config.put("owner", "corc-live-test");
        String cidr = LiveTests.env("CORC_LIVE_EC2_SSH_CIDR");
        if (cidr != null) {
            config.put("ssh_cidr", cidr);
        }
        return config;
    }

    @Override
    protected Orchestrator create() {
        PluginContext context = new PluginContext(
                "ec2", new PluginConfig("corc.providers.ec2", config), corcHome, new InMemoryRecordStore());
        return Ec2OrchestratorFactory.create(
                ResourceKind.INSTANCE,
                context,
                LiveTests.environment(),
                new SecureRandom(),
                Ec2ClientFactory.BASE_DELAY);
    }

    @Override
    protected String cloud() {
        return "EC2";
    }

    @Override
    protected String unknownId() {
        return "ec2-0badc0de";
    }

    /** Asks EC2 itself: the instance terminated, and no key pair or security group of the resource left. */
    @Override
    protected void assertNothingLeft(Resource stopped) {
        assertThat(stopped.objects()).extracting(CloudObject::type).contains("instance");
        String region = stopped.details().get("region");
        Ec2Credentials credentials = new Ec2Credentials(settings);
        try (Ec2Client ec2 = Ec2ClientFactory.build(
                settings,
                credentials.requireRegion(region),
                credentials.provider(),
                new SecureRandom(),
                Ec2ClientFactory.BASE_DELAY)) {
            Filter byResource = InstanceTypes.filter("tag:" + Ec2InstanceOrchestrator.RESOURCE_TAG, stopped.id());
            for (CloudObject object : stopped.objects()) {
                if (!object.createdByCorc()) {
                    continue;
                }
                switch (object.type()) {
                    case "instance" ->
                        assertThat(instances(ec2, InstanceTypes.filter("instance-id", object.id())))
                                .as("instance %s", object.id())
                                .allSatisfy(i ->
                                        assertThat(i.state().nameAsString()).isEqualTo("terminated"));
                    case "security-group" ->
                        assertThat(ec2.describeSecurityGroups(
                                                r -> r.filters(InstanceTypes.filter("group-id", object.id())))
                                        .securityGroups())
                                .as("security group %s", object.id())
                                .isEmpty();
                    case "key-pair" ->
                        assertThat(ec2.describeKeyPairs(r -> r.filters(InstanceTypes.filter(
                                                object.id().startsWith("key-") ? "key-pair-id" : "key-name",
                                                object.id())))
                                        .keyPairs())
                                .as("key pair %s", object.id())
                                .isEmpty();
                    default -> throw new AssertionError("unexpected object " + object);
                }
            }
            // and nothing else carrying the resource's tag
            assertThat(instances(ec2, byResource))
                    .allSatisfy(i -> assertThat(i.state().nameAsString()).isEqualTo("terminated"));
            assertThat(ec2.describeSecurityGroups(r -> r.filters(byResource)).securityGroups())
                    .isEmpty();
            assertThat(ec2.describeKeyPairs(r -> r.filters(byResource)).keyPairs())
                    .isEmpty();
        }
    }

    private static List<Instance> instances(Ec2Client ec2, Filter filter) {
        List<Instance> instances = new ArrayList<>();
        ec2.describeInstancesPaginator(r -> r.filters(filter))
                .reservations()
                .forEach(r -> instances.addAll(r.instances()));
        return instances;
    }
}
