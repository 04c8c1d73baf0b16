package io.corc.provider.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.corc.api.CorcException;
import io.corc.api.Endpoint;
import io.corc.api.ErrorCategory;
import io.corc.api.GpuSpec;
import io.corc.api.ImageSpec;
import io.corc.api.Plan;
import io.corc.api.ProgressListener;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.api.ResourceState;
import io.corc.api.StateRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OciInstanceOrchestratorTest {
    private final OciFixture fixture = new OciFixture();
    private final FakeOci oci = fixture.oci;

    @AfterEach
    void close() {
        fixture.close();
    }

    static ResourceSpec spec(int cores, double memory, GpuSpec gpus) {
        return new ResourceSpec(
                "sci",
                ResourceKind.INSTANCE,
                cores,
                memory,
                gpus,
                null,
                null,
                null,
                null,
                false,
                null,
                Map.of("project", "mcstas"),
                List.of(OciFixture.KEY),
                null);
    }

    private static List<String> keys(List<FakeOci.Call> calls) {
        return calls.stream()
                .filter(c -> !c.key().startsWith("GET"))
                .map(FakeOci.Call::key)
                .toList();
    }

    @Test
    void startCreatesTheNetworkStackAndInstanceTaggedWithRetryTokensAndStopRemovesItInOciOrder() {
        OciInstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());

        Resource resource = orchestrator.start(spec(0, 0, null), fixture.listener());

        assertThat(resource.state()).isEqualTo(ResourceState.RUNNING);
        assertThat(resource.id()).matches("oci-[0-9a-f]{8}");
        assertThat(resource.endpoints()).singleElement().satisfies(e -> {
            assertThat(e.protocol()).isEqualTo("ssh");
            assertThat(e.host()).startsWith("203.0.113.");
            assertThat(e.port()).isEqualTo(22);
            assertThat(e.user()).isEqualTo("opc");
        });
        assertThat(keys(oci.calls))
                .containsExactly(
                        "POST vcns",
                        "POST internetGateways",
                        "POST routeTables",
                        "POST subnets",
                        "POST instances",
                        "POST instanceConsoleHistories",
                        "DELETE instanceConsoleHistories");
        assertThat(resource.details().get(Resource.SSH_HOST_KEYS))
                .startsWith("ecdsa-sha2-nistp256 AAAA")
                .contains("\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI")
                .doesNotContain("BEGIN", "Kernel");
        for (String key : List.of("POST vcns", "POST internetGateways", "POST routeTables", "POST subnets")) {
            FakeOci.Call call = oci.calls(key).get(0);
            assertThat(call.retryToken()).as(key).startsWith(resource.id() + "-");
            assertThat(call.body().get("freeformTags").get("corc-owner").asText())
                    .isEqualTo("tester");
            assertThat(call.body().get("freeformTags").get("corc-resource").asText())
                    .isEqualTo(resource.id());
            assertThat(call.body().get("freeformTags").get("project").asText()).isEqualTo("mcstas");
            assertThat(call.body().get("compartmentId").asText()).isEqualTo(OciFixture.COMPARTMENT);
        }
        JsonNode routeRule =
                oci.calls("POST routeTables").get(0).body().get("routeRules").get(0);
        assertThat(routeRule.get("destination").asText()).isEqualTo("0.0.0.0/0");
        assertThat(routeRule.get("networkEntityId").asText()).startsWith("ocid1.internetgateway.");
        JsonNode launch = oci.calls("POST instances").get(0).body();
        assertThat(oci.calls("POST instances").get(0).retryToken()).isEqualTo(resource.id() + "-instance-1");
        assertThat(launch.get("shape").asText()).isEqualTo("VM.Standard.E2.1.Micro");
        assertThat(launch.get("sourceDetails").get("imageId").asText()).isEqualTo("ocid1.image.oc1..ol9-new");
        assertThat(launch.get("sourceDetails").get("sourceType").asText()).isEqualTo("image");
        assertThat(launch.get("metadata").get("ssh_authorized_keys").asText()).isEqualTo(OciFixture.KEY);
        assertThat(launch.get("createVnicDetails").get("assignPublicIp").asBoolean())
                .isTrue();
        assertThat(launch.get("availabilityDomain").asText()).isEqualTo(FakeOci.ADS.get(0));
        assertThat(launch.get("freeformTags").get("corc-resource").asText()).isEqualTo(resource.id());
        assertThat(oci.calls.get(0).auth())
                .contains("keyId=\"" + OciFixture.TENANCY + "/" + OciFixture.USER + "/" + OciFixture.FINGERPRINT + "\"")
                .contains("rsa-sha256");
        assertThat(resource.objects())
                .extracting(o -> o.type())
                .containsExactly("vcn", "internet-gateway", "route-table", "subnet", "instance");
        assertThat(resource.details()).containsEntry("shape", "VM.Standard.E2.1.Micro");
        assertThat(fixture.progress).anyMatch(s -> s.contains("creating VCN"));

        oci.calls.clear();
        orchestrator.stop(resource.id(), ProgressListener.NONE);

        assertThat(keys(oci.calls))
                .containsExactly(
                        "DELETE instances",
                        "DELETE subnets",
                        "PUT routeTables",
                        "DELETE routeTables",
                        "DELETE internetGateways",
                        "DELETE vcns");
        assertThat(oci.calls("PUT routeTables").get(0).body().get("routeRules")).isEmpty();
        assertThat(oci.calls("DELETE instances").get(0).query()).containsEntry("preserveBootVolume", "false");
        assertThat(oci.leftovers()).isEmpty();
        assertThat(fixture.records.list(OciInstanceOrchestrator.RECORD_TYPE)).isEmpty();
        assertThat(oci.created).hasSize(6).allSatisfy((k, v) -> assertThat(v).isEqualTo(1));
    }

    @Test
    void theRecordHoldsIdsAndIntentButNoCredentials() {
        OciInstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());

        Resource resource = orchestrator.start(spec(0, 0, null), ProgressListener.NONE);

        StateRecord record = fixture.records
                .get(OciInstanceOrchestrator.RECORD_TYPE, resource.id())
                .orElseThrow();
        String text = record.toString();
        assertThat(text)
                .contains("ocid1.vcn.", "ocid1.instance.", resource.id() + "-subnet")
                .doesNotContain(OciFixture.FINGERPRINT, OciFixture.USER, OciFixture.TENANCY, "oci_api_key", "PRIVATE");
        orchestrator.stop(resource.id(), ProgressListener.NONE);
    }

    @Test
    void anExistingNetworkFoundByDisplayNameIsReusedAndNeverDeleted() {
        String[] existing = oci.existingNetwork("VCN Network", "worker_subnet");
        OciInstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());

        Plan plan = orchestrator.plan(spec(0, 0, null));
        assertThat(plan.toCreate().get(0)).contains("nothing in the network", existing[0]);
        Resource resource = orchestrator.start(spec(0, 0, null), ProgressListener.NONE);

        assertThat(keys(oci.calls))
                .containsExactly("POST instances", "POST instanceConsoleHistories", "DELETE instanceConsoleHistories");
        assertThat(oci.calls("POST instances")
                        .get(0)
                        .body()
                        .get("createVnicDetails")
                        .get("subnetId")
                        .asText())
                .isEqualTo(existing[1]);
        assertThat(resource.objects())
                .filteredOn(o -> !o.createdByCorc())
                .extracting(o -> o.id())
                .containsExactly(existing[0], existing[1]);

        orchestrator.stop(resource.id(), ProgressListener.NONE);

        assertThat(keys(oci.calls))
                .containsExactly(
                        "POST instances",
                        "POST instanceConsoleHistories",
                        "DELETE instanceConsoleHistories",
                        "DELETE instances");
        assertThat(oci.exists(existing[0])).isTrue();
        assertThat(oci.exists(existing[1])).isTrue();
    }

    @Test
    void aVcnCorcMadeForAnotherResourceIsNotReusedByName() {
        OciInstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());
        Resource first = orchestrator.start(spec(0, 0, null), ProgressListener.NONE);

        Resource second = orchestrator.start(spec(0, 0, null), ProgressListener.NONE);

        assertThat(oci.calls("POST vcns")).hasSize(2);
        orchestrator.stop(first.id(), ProgressListener.NONE);
        orchestrator.stop(second.id(), ProgressListener.NONE);
        assertThat(oci.leftovers()).isEmpty();
    }

    @Test
    void aVcnIdThatDoesNotExistIsOneNotFoundErrorWithAHint() {
        OciInstanceOrchestrator orchestrator = fixture.orchestrator(Map.of("vcn", Map.of("id", "ocid1.vcn.oc1..nope")));

        assertThatThrownBy(() -> orchestrator.start(spec(0, 0, null), ProgressListener.NONE))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND);
                    assertThat(e.getMessage()).contains("ocid1.vcn.oc1..nope", "providers.oci.vcn.id");
                    assertThat(e.hint()).isPresent();
                    assertThat(e.plugin()).contains("oci");
                });
        assertThat(keys(oci.calls)).isEmpty();
        assertThat(fixture.records.list(OciInstanceOrchestrator.RECORD_TYPE)).isEmpty();
    }

    // ---- shapes and images -------------------------------------------------------------------------------------

    @Test
    void theSmallestFixedShapeFitsADefaultSpecAndPlanSaysWhyAndCreatesNothing() {
        OciInstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());

        Plan plan = orchestrator.plan(spec(0, 0, null));

        assertThat(plan.shape()).isEqualTo("VM.Standard.E2.1.Micro");
        assertThat(plan.cores()).isEqualTo(1);
        assertThat(plan.memoryGb()).isEqualTo(1.0);
        assertThat(plan.region()).isEqualTo("us-phoenix-1");
        assertThat(plan.reason()).contains("smallest of", "of 8 shapes in " + FakeOci.ADS.get(0), "ol9");
        assertThat(plan.toCreate()).hasSize(5);
        assertThat(plan.toCreate().get(4)).contains("VM.Standard.E2.1.Micro", "ocid1.image.oc1..ol9-new", "login opc");
        assertThat(keys(oci.calls)).isEmpty();
        // 8 shapes at 3 a page: the listing followed opc-next-page to the end
        assertThat(oci.calls("GET shapes"))
                .extracting(c -> c.query().get("page"))
                .containsExactly(null, "page-3", "page-6");
        assertThat(oci.calls("GET images").get(0).query())
                .containsEntry("operatingSystem", "Oracle Linux")
                .containsEntry("operatingSystemVersion", "9")
                .containsEntry("shape", "VM.Standard.E2.1.Micro")
                .containsEntry("sortBy", "TIMECREATED")
                .containsEntry("sortOrder", "DESC");
    }

    @Test
    void aFixedShapeIsChosenWhenItIsTheSmallestThatMeetsTheMinimums() {
        OciInstanceOrchestrator orchestrator =
                fixture.orchestrator(Map.of("instance", Map.of("shape", "VM.Standard2.4")));

        Plan plan = orchestrator.plan(spec(3, 40, null));

        assertThat(plan.shape()).isEqualTo("VM.Standard2.4");
        assertThat(plan.cores()).isEqualTo(4);
        assertThat(plan.memoryGb()).isEqualTo(60.0);
        assertThatThrownBy(() -> orchestrator.plan(spec(8, 0, null)))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.getMessage()).contains("VM.Standard2.4 does not meet"));
    }

    @Test
    void aFlexibleShapeIsSizedToTheMinimumsAndLaunchedWithItsShapeConfig() {
        OciInstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());

        Plan plan = orchestrator.plan(spec(3, 8, null));
        assertThat(plan.shape()).isEqualTo("VM.Standard.E4.Flex");
        assertThat(plan.cores()).isEqualTo(3);
        assertThat(plan.memoryGb()).isEqualTo(8.0);
        // more memory than 64 GB per OCPU allows at one OCPU: two OCPUs
        Plan big = orchestrator.plan(spec(1, 100, null));
        assertThat(big.shape()).isEqualTo("VM.Standard.E4.Flex");
        assertThat(big.cores()).isEqualTo(2);
        assertThat(big.memoryGb()).isEqualTo(100.0);

        Resource resource = orchestrator.start(spec(3, 8, null), ProgressListener.NONE);

        JsonNode shapeConfig = oci.calls("POST instances").get(0).body().get("shapeConfig");
        assertThat(shapeConfig.get("ocpus").asDouble()).isEqualTo(3.0);
        assertThat(shapeConfig.get("memoryInGBs").asDouble()).isEqualTo(8.0);
        assertThat(resource.details()).containsEntry("ocpus", "3.0").containsEntry("memory_gb", "8.0");
        orchestrator.stop(resource.id(), ProgressListener.NONE);
    }

    @Test
    void gpuShapesAreChosenOnlyWhenGpusAreAskedAndByType() {
        OciInstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());

        assertThat(orchestrator.plan(spec(0, 0, new GpuSpec(1, null))).shape()).isEqualTo("VM.GPU3.1");
        assertThat(orchestrator.plan(spec(0, 0, new GpuSpec(1, "A10"))).shape()).isEqualTo("VM.GPU.A10.1");
        Plan many = orchestrator.plan(spec(0, 0, new GpuSpec(2, null)));
        assertThat(many.shape()).isEqualTo("BM.GPU4.8");
        assertThat(many.gpus()).isEqualTo(8);
        // 15 cores without GPUs: a flexible CPU shape, not the 15-OCPU A10 machine
        assertThat(orchestrator.plan(spec(15, 0, null)).shape()).endsWith(".Flex");
        assertThatThrownBy(() -> orchestrator.plan(spec(0, 0, new GpuSpec(16, null))))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY);
                    assertThat(e.getMessage()).contains("none of the 8 shapes", ">= 16 GPU");
                    assertThat(e.hint()).isPresent();
                });
    }

    @Test
    void theImageIsTheNewestOfTheOsCompatibleWithTheShapeOrTheOcidGiven() {
        OciInstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());
        ResourceSpec arm = new ResourceSpec(
                "arm", ResourceKind.INSTANCE, 2, 0, null, "arm64", null, null, null, false, null, null, null, null);
        ResourceSpec ubuntu = new ResourceSpec(
                "u",
                ResourceKind.INSTANCE,
                0,
                0,
                null,
                null,
                ImageSpec.ofOs("Canonical Ubuntu", "24.04"),
                null,
                null,
                false,
                null,
                null,
                null,
                null);
        ResourceSpec byId = new ResourceSpec(
                "id",
                ResourceKind.INSTANCE,
                0,
                0,
                null,
                null,
                ImageSpec.ofId("ocid1.image.oc1..ol8"),
                null,
                null,
                false,
                null,
                null,
                null,
                null);

        Plan armPlan = orchestrator.plan(arm);
        assertThat(armPlan.shape()).isEqualTo("VM.Standard.A1.Flex");
        assertThat(armPlan.toCreate().get(4)).contains("ocid1.image.oc1..ol9-arm");
        assertThat(orchestrator.plan(ubuntu).toCreate().get(4)).contains("ocid1.image.oc1..ubuntu", "login ubuntu");
        assertThat(orchestrator.plan(byId).toCreate().get(4)).contains("ocid1.image.oc1..ol8");
        assertThat(oci.calls("GET images")).anyMatch(c -> "ocid1.image.oc1..ol8".equals(c.id()));
        ResourceSpec none = new ResourceSpec(
                "n",
                ResourceKind.INSTANCE,
                0,
                0,
                null,
                null,
                ImageSpec.ofOs("Windows", "2022"),
                null,
                null,
                false,
                null,
                null,
                null,
                null);
        assertThatThrownBy(() -> orchestrator.plan(none)).isInstanceOfSatisfying(CorcException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND);
            assertThat(e.getMessage()).contains("no Windows 2022 image");
        });
    }

    // ---- failures and rollback ---------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(
            strings = {
                "POST vcns",
                "POST internetGateways",
                "POST routeTables",
                "POST subnets",
                "GET subnets",
                "POST instances",
                "GET instances",
                "GET vnicAttachments"
            })
    void aFailureAtAnyStepRollsBackEverythingCreatedSoFar(String failing) {
        OciInstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());
        // a create fails every time; a read during start fails once (rollback reads too)
        int[] reads = {1};
        oci.rule(c -> c.key().equals(failing)
                        && (failing.startsWith("POST")
                                || ((c.id() != null || failing.equals("GET vnicAttachments")) && reads[0]-- > 0))
                ? new FakeOci.Err(400, "InvalidParameter", "refused for the test")
                : null);

        assertThatThrownBy(() -> orchestrator.start(spec(0, 0, null), ProgressListener.NONE))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.getMessage()).contains("refused for the test");
                    assertThat(e.plugin()).contains("oci");
                    assertThat(e.getSuppressed()).isEmpty();
                });
        assertThat(oci.leftovers()).isEmpty();
        assertThat(fixture.records.list(OciInstanceOrchestrator.RECORD_TYPE)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST vcns", "POST internetGateways", "POST routeTables", "POST subnets", "POST instances"})
    void anObjectWhoseCreateAnswerWasLostIsFoundByItsTagAndRemoved(String lost) {
        OciInstanceOrchestrator orchestrator = fixture.orchestrator(Map.of("max_attempts", 2));
        oci.lostAnswers.add(lost);

        assertThatThrownBy(() -> orchestrator.start(spec(0, 0, null), ProgressListener.NONE))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE));

        assertThat(oci.calls(lost))
                .hasSize(2)
                .extracting(FakeOci.Call::retryToken)
                .doesNotContainNull()
                .hasSize(2);
        assertThat(oci.calls(lost).get(0).retryToken())
                .isEqualTo(oci.calls(lost).get(1).retryToken());
        assertThat(oci.created).allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(1));
        assertThat(oci.leftovers()).isEmpty();
        assertThat(fixture.records.list(OciInstanceOrchestrator.RECORD_TYPE)).isEmpty();
    }

    @Test
    void throttlingIsRetriedWithTheSameRetryTokenAndCreatesOneInstance() {
        OciInstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());
        oci.failFirst("POST instances", 2, new FakeOci.Err(429, "TooManyRequests", "Too many requests"));
        oci.failFirst("POST vcns", 1, new FakeOci.Err(503, "ServiceUnavailable", "try later"));

        Resource resource = orchestrator.start(spec(0, 0, null), ProgressListener.NONE);

        assertThat(resource.state()).isEqualTo(ResourceState.RUNNING);
        assertThat(oci.calls("POST instances"))
                .hasSize(3)
                .extracting(FakeOci.Call::retryToken)
                .containsOnly(resource.id() + "-instance-1");
        assertThat(oci.calls("POST vcns")).hasSize(2);
        assertThat(oci.created).allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(1));
        orchestrator.stop(resource.id(), ProgressListener.NONE);
    }

    @Test
    void outOfHostCapacityMovesToTheNextAvailabilityDomain() {
        OciInstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());
        oci.rule(c -> c.key().equals("POST instances")
                        && c.body().get("availabilityDomain").asText().equals(FakeOci.ADS.get(0))
                ? new FakeOci.Err(500, "InternalError", "Out of host capacity.")
                : null);

        Resource resource = orchestrator.start(spec(0, 0, null), fixture.listener());

        assertThat(oci.calls("POST instances")).hasSize(2); // capacity is not retried in the same AD
        assertThat(oci.calls("POST instances").get(1).retryToken()).isEqualTo(resource.id() + "-instance-2");
        assertThat(resource.details()).containsEntry("availability_domain", FakeOci.ADS.get(1));
        assertThat(fixture.progress).anyMatch(s -> s.contains("no capacity in " + FakeOci.ADS.get(0)));
        orchestrator.stop(resource.id(), ProgressListener.NONE);
        assertThat(oci.leftovers()).isEmpty();
    }

    @Test
    void noCapacityAnywhereIsOneCapacityErrorAndNothingIsLeft() {
        OciInstanceOrchestrator orchestrator =
                fixture.orchestrator(Map.of("instance", Map.of("availability_domain", "PHX-AD-2")));
        oci.rule(c -> c.key().equals("POST instances")
                ? new FakeOci.Err(500, "InternalError", "Out of host capacity.")
                : null);

        assertThatThrownBy(() -> orchestrator.start(spec(0, 0, null), ProgressListener.NONE))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY);
                    assertThat(e.getMessage()).contains("Out of host capacity", FakeOci.ADS.get(1));
                    assertThat(e.hint()).get().asString().contains("shape");
                });
        assertThat(oci.calls("POST instances")).hasSize(1); // the AD was pinned
        assertThat(oci.leftovers()).isEmpty();
        assertThat(fixture.records.list(OciInstanceOrchestrator.RECORD_TYPE)).isEmpty();
    }

    @Test
    void stopIsIdempotentAndUnknownIdsAreEmpty() {
        OciInstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());
        Resource resource = orchestrator.start(spec(0, 0, null), ProgressListener.NONE);
        assertThat(orchestrator.get(resource.id()))
                .get()
                .extracting(Resource::endpoints)
                .isEqualTo(resource.endpoints());
        assertThat(orchestrator.list()).extracting(Resource::id).containsExactly(resource.id());

        orchestrator.stop(resource.id(), ProgressListener.NONE);
        int calls = oci.calls.size();
        orchestrator.stop(resource.id(), ProgressListener.NONE);
        orchestrator.stop("oci-00000000", null);

        assertThat(oci.calls).hasSize(calls);
        assertThat(orchestrator.get(resource.id())).isEmpty();
        assertThat(orchestrator.get("../x")).isEmpty();
        assertThat(orchestrator.list()).isEmpty();
    }

    @Test
    void aStopThatFailsHalfWayKeepsTheRestRecordedAndTheNextStopFinishes() {
        OciInstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());
        Resource resource = orchestrator.start(spec(0, 0, null), ProgressListener.NONE);
        oci.failFirst("DELETE vcns", 1, new FakeOci.Err(400, "InvalidParameter", "not now"));

        assertThatThrownBy(() -> orchestrator.stop(resource.id(), ProgressListener.NONE))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.getMessage()).contains("left: vcn"));
        assertThat(orchestrator.get(resource.id()))
                .get()
                .extracting(Resource::state)
                .isEqualTo(ResourceState.FAILED);

        orchestrator.stop(resource.id(), ProgressListener.NONE);

        assertThat(oci.leftovers()).isEmpty();
        assertThat(orchestrator.get(resource.id())).isEmpty();
    }

    @Test
    void startWaitsUntilSshAnswersOnThePublicIp() throws Exception {
        try (java.net.ServerSocket ssh = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            int[] accepted = {0};
            Thread server = new Thread(() -> {
                while (!ssh.isClosed()) {
                    try (java.net.Socket s = ssh.accept()) {
                        accepted[0]++;
                        if (accepted[0] >= 2) { // the first connection gets nothing, as while sshd starts
                            s.getOutputStream()
                                    .write("SSH-2.0-OpenSSH_9.6\r\n"
                                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        }
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            server.setDaemon(true);
            server.start();
            oci.publicIp = "127.0.0.1";
            OciInstanceOrchestrator orchestrator =
                    fixture.orchestrator(Map.of("ssh_wait_seconds", 20, "ssh_port", ssh.getLocalPort()));

            Resource resource = orchestrator.start(spec(0, 0, null), fixture.listener());

            assertThat(accepted[0]).isGreaterThanOrEqualTo(2);
            assertThat(resource.endpoints().get(0).port()).isEqualTo(ssh.getLocalPort());
            assertThat(fixture.progress).anyMatch(s -> s.startsWith("waiting for SSH on 127.0.0.1"));
            orchestrator.stop(resource.id(), ProgressListener.NONE);
        }
    }

    @Test
    void anInstanceTerminatedOutsideCorcShowsAsFailed() {
        OciInstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());
        Resource resource = orchestrator.start(spec(0, 0, null), ProgressListener.NONE);
        String instanceId = resource.details().get("instance_id");
        oci.objects.get(instanceId).put("lifecycleState", "TERMINATED");

        Resource found = orchestrator.get(resource.id()).orElseThrow();

        assertThat(found.state()).isEqualTo(ResourceState.FAILED);
        assertThat(found.details().get("reason")).contains("TERMINATED");
        assertThat(found.endpoints()).extracting(Endpoint::host).isNotEmpty();
        orchestrator.stop(resource.id(), ProgressListener.NONE);
        assertThat(oci.leftovers()).isEmpty();
    }
}
