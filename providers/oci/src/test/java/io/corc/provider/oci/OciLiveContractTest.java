package io.corc.provider.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.oracle.bmc.core.requests.GetInstanceRequest;
import com.oracle.bmc.core.requests.GetInternetGatewayRequest;
import com.oracle.bmc.core.requests.GetRouteTableRequest;
import com.oracle.bmc.core.requests.GetSecurityListRequest;
import com.oracle.bmc.core.requests.GetSubnetRequest;
import com.oracle.bmc.core.requests.GetVcnRequest;
import io.corc.api.CloudObject;
import io.corc.api.CorcException;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/**
 * The shared orchestrator contract against real Oracle Cloud Infrastructure (tag {@code live}: {@code ./mvnw -Plive};
 * docs/testing.md). Credentials come from the OCI config file ({@code ~/.oci/config} or OCI_CONFIG_FILE, profile
 * OCI_CLI_PROFILE or DEFAULT), the compartment from {@code CORC_LIVE_OCI_COMPARTMENT}. Each start makes corc's VCN
 * stack (VCN, internet gateway, route table, security list, subnet) and an instance of the smallest shape with one
 * OCPU, tagged {@code corc-live=true}; every one is stopped in the test or, after a failed assertion, in
 * the base class's clean-up.
 */
@Tag(LiveTests.TAG)
class OciLiveContractTest extends LiveContractTest {
    /** Lifecycle states of an object whose deletion OCI has accepted. */
    private static final Set<String> GONE = Set.of("TERMINATING", "TERMINATED");

    private Path corcHome;
    private Map<String, Object> config;
    private OciSettings settings;

    @BeforeEach
    void credentials() throws IOException {
        Path file = LiveTests.file("OCI_CONFIG_FILE", ".oci/config");
        assumeTrue(
                Files.isRegularFile(file),
                () -> "OCI live test skipped: no OCI config file at " + file
                        + " (create it with 'oci setup config' or set OCI_CONFIG_FILE)");
        String compartment = LiveTests.env("CORC_LIVE_OCI_COMPARTMENT");
        assumeTrue(
                compartment != null,
                "OCI live test skipped: CORC_LIVE_OCI_COMPARTMENT is not set (the OCID of a compartment the test may"
                        + " create a VCN and instances in)");
        Map<String, Object> profile = new LinkedHashMap<>();
        profile.put("config_file", file.toString());
        profile.put("name", "DEFAULT"); // OCI_CLI_PROFILE, when set, wins (OciSettings)
        profile.put("compartment_id", compartment);
        config = new LinkedHashMap<>();
        config.put("profile", profile);
        config.put("owner", "corc-live-test");
        settings = OciSettings.from(new PluginConfig("corc.providers.oci", config), LiveTests.environment());
        try {
            OciProfile.load(settings, LiveTests.home());
        } catch (CorcException e) {
            // the message names the file, the profile and the missing key, never a value
            assumeTrue(false, "OCI live test skipped: " + e.getMessage());
        }
        corcHome = Files.createTempDirectory("corc-live-oci");
    }

    @Override
    protected Orchestrator create() {
        PluginContext context = new PluginContext(
                "oci", new PluginConfig("corc.providers.oci", config), corcHome, new InMemoryRecordStore());
        return OciOrchestratorFactory.create(
                ResourceKind.INSTANCE,
                context,
                LiveTests.environment(),
                new SecureRandom(),
                OciOrchestratorFactory.BASE_DELAY);
    }

    @Override
    protected String cloud() {
        return "OCI";
    }

    @Override
    protected String unknownId() {
        return "oci-0badc0de";
    }

    /** Asks OCI itself: every object corc created for the resource is terminated (or terminating) or unknown. */
    @Override
    protected void assertNothingLeft(Resource stopped) {
        assertThat(stopped.objects()).extracting(CloudObject::type).contains(OciInstanceOrchestrator.INSTANCE);
        String region = stopped.details().get("region");
        assertThat(region).as("region of " + stopped.id()).isNotBlank();
        try (OciCalls calls = new OciCalls(
                OciProfile.load(settings, LiveTests.home()).authentication(),
                region,
                settings,
                new SecureRandom(),
                OciOrchestratorFactory.BASE_DELAY)) {
            for (CloudObject object : stopped.objects()) {
                if (!object.createdByCorc()) {
                    continue;
                }
                String id = object.id();
                String state =
                        switch (object.type()) {
                            case OciInstanceOrchestrator.INSTANCE ->
                                state(() -> calls.compute("GetInstance", c -> c.getInstance(GetInstanceRequest.builder()
                                                        .instanceId(id)
                                                        .build())
                                                .getInstance())
                                        .getLifecycleState()
                                        .getValue());
                            case OciInstanceOrchestrator.VCN ->
                                state(() -> calls.network("GetVcn", c -> c.getVcn(GetVcnRequest.builder()
                                                        .vcnId(id)
                                                        .build())
                                                .getVcn())
                                        .getLifecycleState()
                                        .getValue());
                            case OciInstanceOrchestrator.SUBNET ->
                                state(() -> calls.network("GetSubnet", c -> c.getSubnet(GetSubnetRequest.builder()
                                                        .subnetId(id)
                                                        .build())
                                                .getSubnet())
                                        .getLifecycleState()
                                        .getValue());
                            case OciInstanceOrchestrator.GATEWAY ->
                                state(() -> calls.network("GetInternetGateway", c -> c.getInternetGateway(
                                                        GetInternetGatewayRequest.builder()
                                                                .igId(id)
                                                                .build())
                                                .getInternetGateway())
                                        .getLifecycleState()
                                        .getValue());
                            case OciInstanceOrchestrator.ROUTE_TABLE ->
                                state(() -> calls.network(
                                                "GetRouteTable", c -> c.getRouteTable(GetRouteTableRequest.builder()
                                                                .rtId(id)
                                                                .build())
                                                        .getRouteTable())
                                        .getLifecycleState()
                                        .getValue());
                            case OciInstanceOrchestrator.SECURITY_LIST ->
                                state(() -> calls.network("GetSecurityList", c -> c.getSecurityList(
                                                        GetSecurityListRequest.builder()
                                                                .securityListId(id)
                                                                .build())
                                                .getSecurityList())
                                        .getLifecycleState()
                                        .getValue());
                            default -> throw new AssertionError("unexpected object " + object);
                        };
                assertThat(state).as("%s %s", object.type(), id).isIn(GONE);
            }
        }
    }

    /** The lifecycle state, or TERMINATED when OCI no longer knows the object (404). */
    private static String state(Supplier<String> get) {
        try {
            return get.get();
        } catch (CorcException e) {
            if (OciCalls.isNotFound(e)) {
                return "TERMINATED";
            }
            throw e;
        }
    }
}
