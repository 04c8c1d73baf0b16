package io.corc.provider.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Feature;
import io.corc.api.Plan;
import io.corc.api.ProgressListener;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.api.ResourceState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** OKE: cluster and node pool through work requests, a kubeconfig of corc's own, and teardown in OCI's order. */
class OciClusterTest {
    private final OciFixture fixture = new OciFixture();
    private final FakeOci oci = fixture.oci;

    @AfterEach
    void close() {
        fixture.close();
    }

    static ResourceSpec spec(int cores, double memory, Map<String, String> options) {
        return new ResourceSpec(
                "k8s",
                ResourceKind.CLUSTER,
                cores,
                memory,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                null,
                List.of(OciFixture.KEY),
                options);
    }

    private static List<String> changes(List<FakeOci.Call> calls) {
        return calls.stream()
                .filter(c -> !c.key().startsWith("GET"))
                .map(FakeOci.Call::key)
                .toList();
    }

    @Test
    void planPicksTheNewestKubernetesItsOkeImageAndTheSmallestNodeShape() {
        OciInstanceOrchestrator clusters = fixture.clusters(Map.of());

        Plan plan = clusters.plan(spec(2, 16, Map.of()));

        assertThat(plan.kind()).isEqualTo(ResourceKind.CLUSTER);
        assertThat(plan.shape()).isEqualTo("VM.Standard.E4.Flex");
        assertThat(plan.toCreate())
                .anySatisfy(line -> assertThat(line).contains("OKE cluster 'k8s' Kubernetes v1.31.1"))
                .anySatisfy(line -> assertThat(line)
                        .contains("node pool of 1 x VM.Standard.E4.Flex (2 OCPU, 16 GB, flexible)")
                        .contains("Oracle-Linux-9.4-2026.11.01-0-OKE-1.31.1-750"));
        assertThat(plan.reason()).contains("newest of 3 offered");
        assertThat(changes(oci.calls)).isEmpty();
        assertThat(clusters.features().supports(Feature.CLUSTERS)).isTrue();
        assertThat(clusters.plan(spec(0, 0, Map.of("kubernetes_version", "v1.30.1", "node_count", "3")))
                        .toCreate())
                .anySatisfy(line -> assertThat(line).contains("node pool of 3 x", "OKE-1.30.1"));
    }

    @Test
    void startCreatesClusterAndNodePoolThroughWorkRequestsWritesAKubeconfigAndStopRemovesAllInOrder() throws Exception {
        OciInstanceOrchestrator clusters = fixture.clusters(Map.of());

        Resource resource = clusters.start(spec(2, 16, Map.of("node_count", "2")), fixture.listener());

        assertThat(resource.kind()).isEqualTo(ResourceKind.CLUSTER);
        assertThat(resource.id()).matches("oke-[0-9a-f]{8}");
        assertThat(resource.state()).isEqualTo(ResourceState.RUNNING);
        assertThat(changes(oci.calls))
                .containsExactly(
                        "POST vcns",
                        "POST internetGateways",
                        "POST routeTables",
                        "POST securityLists",
                        "POST subnets",
                        "POST clusters",
                        "POST nodePools",
                        "POST clusters/kubeconfig");
        FakeOci.Call cluster = oci.calls("POST clusters").get(0);
        assertThat(cluster.retryToken()).isEqualTo(resource.id() + "-cluster");
        assertThat(cluster.body().get("kubernetesVersion").asText()).isEqualTo("v1.31.1");
        assertThat(cluster.body().get("freeformTags").get("corc-resource").asText())
                .isEqualTo(resource.id());
        assertThat(cluster.body().get("endpointConfig").get("isPublicIpEnabled").asBoolean())
                .isTrue();
        JsonNode securityList = oci.calls("POST securityLists").get(0).body();
        assertThat(securityList.get("ingressSecurityRules").toString()).contains("10.0.0.0/16", "6443");
        assertThat(oci.calls("POST subnets")
                        .get(0)
                        .body()
                        .get("securityListIds")
                        .get(0)
                        .asText())
                .startsWith("ocid1.securitylist.");
        JsonNode pool = oci.calls("POST nodePools").get(0).body();
        assertThat(pool.get("nodeShape").asText()).isEqualTo("VM.Standard.E4.Flex");
        assertThat(pool.get("nodeShapeConfig").get("ocpus").asDouble()).isEqualTo(2.0);
        assertThat(pool.get("nodeConfigDetails").get("size").asInt()).isEqualTo(2);
        assertThat(pool.get("nodeConfigDetails").get("placementConfigs")).hasSize(3);
        assertThat(pool.get("nodeSourceDetails").get("imageId").asText()).isEqualTo("ocid1.image.oc1..oke-ol9-131");
        assertThat(pool.get("sshPublicKey").asText()).isEqualTo(OciFixture.KEY);
        assertThat(oci.calls("GET workRequests")).hasSizeGreaterThanOrEqualTo(4);

        Path kubeconfig = Path.of(resource.details().get("kubeconfig"));
        String clusterId = resource.details().get("cluster_id");
        assertThat(kubeconfig).startsWith(fixture.dir.resolve("corc-home")).exists();
        assertThat(Files.readString(kubeconfig)).contains("current-context: context-" + clusterId);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kubeconfig)))
                .isEqualTo("rw-------");
        assertThat(resource.details()).containsEntry("context", "context-" + clusterId);
        assertThat(fixture.dir.resolve(".kube")).doesNotExist(); // the user's kubeconfig is left alone
        assertThat(clusters.get(resource.id())).get().satisfies(found -> {
            assertThat(found.state()).isEqualTo(ResourceState.RUNNING);
            assertThat(found.endpoints()).singleElement().satisfies(e -> {
                assertThat(e.protocol()).isEqualTo("https");
                assertThat(e.port()).isEqualTo(6443);
            });
        });
        assertThat(clusters.list()).extracting(Resource::id).containsExactly(resource.id());

        oci.calls.clear();
        clusters.stop(resource.id(), ProgressListener.NONE);

        assertThat(changes(oci.calls))
                .containsExactly(
                        "DELETE nodePools",
                        "DELETE clusters",
                        "DELETE subnets",
                        "DELETE securityLists",
                        "PUT routeTables",
                        "DELETE routeTables",
                        "DELETE internetGateways",
                        "DELETE vcns");
        assertThat(kubeconfig).doesNotExist();
        assertThat(oci.leftovers()).isEmpty();
        assertThat(clusters.get(resource.id())).isEmpty();
        clusters.stop(resource.id(), ProgressListener.NONE);
        assertThat(oci.created).allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(1));
    }

    @Test
    void aFailedNodePoolRollsBackTheClusterAndTheNetwork() {
        OciInstanceOrchestrator clusters = fixture.clusters(Map.of());
        oci.rule(c -> c.key().equals("POST nodePools")
                ? new FakeOci.Err(400, "LimitExceeded", "node pool limit reached")
                : null);

        assertThatThrownBy(() -> clusters.start(spec(0, 0, Map.of()), ProgressListener.NONE))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY);
                    assertThat(e.operation()).contains("cluster start");
                });

        assertThat(oci.calls("DELETE clusters")).hasSize(1);
        assertThat(oci.leftovers()).isEmpty();
        assertThat(fixture.records.list(OciInstanceOrchestrator.CLUSTER_RECORD_TYPE))
                .isEmpty();
    }

    @Test
    void aRollbackThatCannotFinishKeepsTheClusterRecordForALaterStop() {
        OciInstanceOrchestrator clusters = fixture.clusters(Map.of());
        oci.rule(c -> c.key().equals("POST nodePools") ? new FakeOci.Err(400, "InvalidParameter", "no pool") : null);
        boolean[] refuseDelete = {true};
        oci.rule(c -> c.key().equals("DELETE clusters") && refuseDelete[0]
                ? new FakeOci.Err(400, "InvalidParameter", "not now")
                : null);

        assertThatThrownBy(() -> clusters.start(spec(0, 0, Map.of()), ProgressListener.NONE))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.getMessage()).contains("no pool");
                    assertThat(e.getSuppressed()).singleElement().satisfies(s -> assertThat(s.getMessage())
                            .contains("rollback of oke-", "left: cluster"));
                });
        List<Resource> failed = clusters.list();
        assertThat(failed).singleElement().satisfies(r -> assertThat(r.state()).isEqualTo(ResourceState.FAILED));
        assertThat(fixture.records.list(OciInstanceOrchestrator.RECORD_TYPE)).isEmpty();

        refuseDelete[0] = false;
        clusters.stop(failed.get(0).id(), ProgressListener.NONE);

        assertThat(oci.leftovers()).isEmpty();
        assertThat(clusters.list()).isEmpty();
    }

    @Test
    void aClusterWhoseCreateAnswerWasLostIsFoundByItsTagAndRemoved() {
        OciInstanceOrchestrator clusters = fixture.clusters(Map.of("max_attempts", 2));
        oci.lostAnswers.add("POST clusters");

        assertThatThrownBy(() -> clusters.start(spec(0, 0, Map.of()), ProgressListener.NONE))
                .isInstanceOf(CorcException.class);

        assertThat(oci.calls("POST clusters")).hasSize(2);
        assertThat(oci.created).allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(1));
        assertThat(oci.calls("DELETE clusters")).hasSize(1);
        assertThat(oci.leftovers()).isEmpty();
    }
}
