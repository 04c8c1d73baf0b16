package io.corc.provider.oci;

import com.oracle.bmc.containerengine.model.Cluster;
import com.oracle.bmc.containerengine.model.ClusterCreateOptions;
import com.oracle.bmc.containerengine.model.CreateClusterDetails;
import com.oracle.bmc.containerengine.model.CreateClusterEndpointConfigDetails;
import com.oracle.bmc.containerengine.model.CreateClusterKubeconfigContentDetails;
import com.oracle.bmc.containerengine.model.CreateNodePoolDetails;
import com.oracle.bmc.containerengine.model.CreateNodePoolNodeConfigDetails;
import com.oracle.bmc.containerengine.model.CreateNodeShapeConfigDetails;
import com.oracle.bmc.containerengine.model.NodePoolPlacementConfigDetails;
import com.oracle.bmc.containerengine.model.NodeSourceOption;
import com.oracle.bmc.containerengine.model.NodeSourceViaImageDetails;
import com.oracle.bmc.containerengine.model.NodeSourceViaImageOption;
import com.oracle.bmc.containerengine.model.WorkRequest;
import com.oracle.bmc.containerengine.model.WorkRequestResource;
import com.oracle.bmc.containerengine.requests.CreateClusterRequest;
import com.oracle.bmc.containerengine.requests.CreateKubeconfigRequest;
import com.oracle.bmc.containerengine.requests.CreateNodePoolRequest;
import com.oracle.bmc.containerengine.requests.DeleteClusterRequest;
import com.oracle.bmc.containerengine.requests.DeleteNodePoolRequest;
import com.oracle.bmc.containerengine.requests.GetClusterOptionsRequest;
import com.oracle.bmc.containerengine.requests.GetClusterRequest;
import com.oracle.bmc.containerengine.requests.GetNodePoolOptionsRequest;
import com.oracle.bmc.containerengine.requests.GetWorkRequestRequest;
import com.oracle.bmc.containerengine.requests.ListClustersRequest;
import com.oracle.bmc.containerengine.requests.ListNodePoolsRequest;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.ProgressListener;
import io.corc.api.Resource;
import io.corc.api.ResourceSpec;
import io.corc.api.SecureFiles;
import io.corc.api.StateRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * OKE clusters for {@link OciInstanceOrchestrator} of kind cluster: the cluster (public API endpoint in the
 * resource's subnet) and one node pool over the availability domains, each created through a work request that corc
 * waits for, then a kubeconfig of corc's own ({@code <corc home>/oci/kube/<id>.yaml}, never the user's
 * {@code ~/.kube/config}) whose path and context are the resource's details, so {@code job run --resource} binds the
 * kubernetes scheduler to it.
 */
final class OciClusters {
    private final OciInstanceOrchestrator owner;
    private final OciCalls calls;

    OciClusters(OciInstanceOrchestrator owner, OciCalls calls) {
        this.owner = owner;
        this.calls = calls;
    }

    static OciInstanceOrchestrator.ClusterChoice choose(
            OciCalls calls, String compartment, ResourceSpec spec, OciSettings settings, Shapes.Choice shape) {
        String version = spec.options()
                .getOrDefault("kubernetes_version", settings.cluster().kubernetesVersion());
        String versionWhy = "Kubernetes " + version + " as asked";
        if (version.isBlank()) {
            List<String> offered = calls.containerEngine(
                    "GetClusterOptions", c -> c.getClusterOptions(GetClusterOptionsRequest.builder()
                                    .clusterOptionId("all")
                                    .compartmentId(compartment)
                                    .build())
                            .getClusterOptions()
                            .getKubernetesVersions());
            version = offered.stream()
                    .max(Comparator.comparing(OciClusters::versionKey))
                    .orElseThrow(() -> CorcException.notFound("OKE offers no Kubernetes version in this region")
                            .withHint("set providers.oci.cluster.kubernetes_version"));
            versionWhy = "Kubernetes " + version + ", the newest of " + offered.size() + " offered";
        }
        int count = Integer.parseInt(spec.options()
                .getOrDefault("node_count", String.valueOf(settings.cluster().nodeCount()))
                .strip());
        if (count < 1) {
            throw CorcException.invalidInput("--option node_count must be 1 or more, got " + count);
        }
        String imageId = spec.options().getOrDefault("node_image_id", "");
        if (!imageId.isBlank()) {
            return new OciInstanceOrchestrator.ClusterChoice(
                    version, imageId, imageId, count, versionWhy + "; node image " + imageId + " as asked");
        }
        String os =
                spec.image().operatingSystem() != null ? spec.image().operatingSystem() : settings.operatingSystem();
        String osVersion =
                spec.image().operatingSystem() != null ? spec.image().version() : settings.operatingSystemVersion();
        String named = settings.cluster().nodeImage();
        String osToken = os.replace(' ', '-') + (osVersion == null || osVersion.isBlank() ? "" : "-" + osVersion);
        String k8s = version.startsWith("v") ? version.substring(1) : version;
        List<NodeSourceViaImageOption> images = new ArrayList<>();
        for (NodeSourceOption source : calls.containerEngine(
                "GetNodePoolOptions", c -> c.getNodePoolOptions(GetNodePoolOptionsRequest.builder()
                                .nodePoolOptionId("all")
                                .compartmentId(compartment)
                                .build())
                        .getNodePoolOptions()
                        .getSources())) {
            if (source instanceof NodeSourceViaImageOption image && image.getImageId() != null) {
                images.add(image);
            }
        }
        boolean arm = shape.architecture().equals("arm64");
        boolean gpu = shape.gpus() > 0;
        Optional<NodeSourceViaImageOption> chosen = images.stream()
                .filter(i -> named.isBlank()
                        ? i.getSourceName().contains(osToken)
                        : i.getSourceName().equals(named))
                .filter(i -> !named.isBlank()
                        || i.getSourceName().toLowerCase(Locale.ROOT).contains("aarch64") == arm)
                .filter(i -> !named.isBlank() || i.getSourceName().contains("GPU") == gpu)
                .max(Comparator.comparing((NodeSourceViaImageOption i) ->
                                i.getSourceName().contains("OKE-" + k8s))
                        .thenComparing(NodeSourceViaImageOption::getSourceName));
        if (chosen.isEmpty()) {
            throw CorcException.notFound("OKE offers no node image "
                            + (named.isBlank() ? "of " + osToken + " for " + shape.name() : "named " + named))
                    .withHint("set providers.oci.cluster.node.image to an image OKE lists, or --option node_image_id=");
        }
        return new OciInstanceOrchestrator.ClusterChoice(
                version,
                chosen.get().getImageId(),
                chosen.get().getSourceName(),
                count,
                versionWhy + "; node image " + chosen.get().getSourceName());
    }

    private static String versionKey(String version) {
        StringBuilder key = new StringBuilder();
        for (String part : version.replaceFirst("^v", "").split("[.-]")) {
            key.append(String.format("%06d", part.matches("\\d+") ? Integer.parseInt(part) : 0));
        }
        return key.toString();
    }

    Resource start(
            String id,
            ResourceSpec spec,
            OciInstanceOrchestrator.Decision d,
            String subnetId,
            Map<String, String> tags,
            ProgressListener listener) {
        OciInstanceOrchestrator.ClusterChoice choice = d.cluster();
        String vcnId = owner.record(id).string("vcn_id");
        String clusterId = owner.create(
                id,
                OciInstanceOrchestrator.CLUSTER,
                "creating OKE cluster " + spec.name() + " (Kubernetes " + choice.kubernetesVersion() + ")",
                token -> waitFor(
                        calls.containerEngine("CreateCluster", c -> c.createCluster(CreateClusterRequest.builder()
                                        .opcRetryToken(token)
                                        .createClusterDetails(CreateClusterDetails.builder()
                                                .name(spec.name())
                                                .compartmentId(d.compartment())
                                                .vcnId(vcnId)
                                                .kubernetesVersion(choice.kubernetesVersion())
                                                .endpointConfig(CreateClusterEndpointConfigDetails.builder()
                                                        .subnetId(subnetId)
                                                        .isPublicIpEnabled(true)
                                                        .build())
                                                .options(ClusterCreateOptions.builder()
                                                        .serviceLbSubnetIds(List.of(subnetId))
                                                        .build())
                                                .freeformTags(tags)
                                                .build())
                                        .build())
                                .getOpcWorkRequestId()),
                        "cluster",
                        listener),
                listener);
        Shapes.Choice shape = d.shapes().first();
        List<NodePoolPlacementConfigDetails> placements = new ArrayList<>();
        for (String ad : d.availabilityDomains()) {
            placements.add(NodePoolPlacementConfigDetails.builder()
                    .availabilityDomain(ad)
                    .subnetId(subnetId)
                    .build());
        }
        List<String> keys = owner.keys(spec);
        CreateNodePoolDetails.Builder pool = CreateNodePoolDetails.builder()
                .compartmentId(d.compartment())
                .clusterId(clusterId)
                .name(spec.name() + "-nodes")
                .kubernetesVersion(choice.kubernetesVersion())
                .nodeShape(shape.name())
                .nodeSourceDetails(NodeSourceViaImageDetails.builder()
                        .imageId(choice.nodeImageId())
                        .build())
                .nodeConfigDetails(CreateNodePoolNodeConfigDetails.builder()
                        .size(choice.nodeCount())
                        .placementConfigs(placements)
                        .freeformTags(tags)
                        .build())
                .freeformTags(tags);
        if (shape.flexible()) {
            pool.nodeShapeConfig(CreateNodeShapeConfigDetails.builder()
                    .ocpus(shape.ocpus())
                    .memoryInGBs(shape.memoryGb())
                    .build());
        }
        if (!keys.isEmpty()) {
            pool.sshPublicKey(String.join("\n", keys));
        }
        String nodePoolId = owner.create(
                id,
                OciInstanceOrchestrator.NODE_POOL,
                "creating node pool of " + choice.nodeCount() + " x " + shape.describe(),
                token -> waitFor(
                        calls.containerEngine("CreateNodePool", c -> c.createNodePool(CreateNodePoolRequest.builder()
                                        .opcRetryToken(token)
                                        .createNodePoolDetails(pool.build())
                                        .build())
                                .getOpcWorkRequestId()),
                        "nodepool",
                        listener),
                listener);
        listener.onProgress("writing the kubeconfig", 0, -1);
        byte[] kubeconfig = calls.containerEngine("CreateKubeconfig", c -> {
            try (InputStream in = c.createKubeconfig(CreateKubeconfigRequest.builder()
                            .clusterId(clusterId)
                            .createClusterKubeconfigContentDetails(CreateClusterKubeconfigContentDetails.builder()
                                    .tokenVersion("2.0.0")
                                    .endpoint(CreateClusterKubeconfigContentDetails.Endpoint.PublicEndpoint)
                                    .build())
                            .build())
                    .getInputStream()) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new CorcException(
                        ErrorCategory.UNAVAILABLE, "CreateKubeconfig: " + e.getMessage(), null, null, null, e);
            }
        });
        Path file = owner.kubeconfig(id);
        SecureFiles.privateDirectory(file.getParent());
        SecureFiles.writeAtomically(file, kubeconfig);
        String context = currentContext(new String(kubeconfig, StandardCharsets.UTF_8));
        StateRecord done = owner.update(id, r -> r.with("kubeconfig", file.toString())
                .with("context", context)
                .with("cluster_id", clusterId)
                .with("node_pool_id", nodePoolId)
                .with("kubernetes_version", choice.kubernetesVersion())
                .with("node_shape", shape.name())
                .with("node_count", choice.nodeCount())
                .with("node_image", choice.nodeImageName())
                .withStatus("running"));
        listener.onProgress("cluster " + clusterId + " is active; kubeconfig " + file, 1, 1);
        return owner.toResource(done, null);
    }

    static String currentContext(String yaml) {
        for (String line : yaml.split("\\R")) {
            if (line.startsWith("current-context:")) {
                return line.substring("current-context:".length()).strip().replaceAll("^[\"']|[\"']$", "");
            }
        }
        return "";
    }

    /** Waits for an OKE work request and returns the OCID of its resource of {@code entityType}. */
    String waitFor(String workRequestId, String entityType, ProgressListener listener) {
        listener.onProgress("waiting for OKE work request " + workRequestId, 0, -1);
        String[] found = new String[1];
        owner.waitUntil("OKE work request " + workRequestId, owner.settings().waitTimeout(), () -> {
            WorkRequest request =
                    calls.containerEngine("GetWorkRequest", c -> c.getWorkRequest(GetWorkRequestRequest.builder()
                                    .workRequestId(workRequestId)
                                    .build())
                            .getWorkRequest());
            String status = request.getStatus().getValue();
            if (status.equals("FAILED") || status.equals("CANCELED")) {
                throw new CorcException(
                                ErrorCategory.UNAVAILABLE,
                                "OKE work request " + workRequestId + " (" + request.getOperationType() + ") " + status)
                        .withHint("see the work request's errors in the OCI console; corc removed what it created");
            }
            if (!status.equals("SUCCEEDED")) {
                return false;
            }
            if (request.getResources() != null) {
                for (WorkRequestResource resource : request.getResources()) {
                    if (entityType.equalsIgnoreCase(resource.getEntityType())) {
                        found[0] = resource.getIdentifier();
                    }
                }
            }
            return true;
        });
        return found[0];
    }

    void delete(String type, String objectId, ProgressListener listener) {
        String workRequest;
        try {
            workRequest = type.equals(OciInstanceOrchestrator.CLUSTER)
                    ? calls.containerEngine("DeleteCluster", c -> c.deleteCluster(DeleteClusterRequest.builder()
                                    .clusterId(objectId)
                                    .build())
                            .getOpcWorkRequestId())
                    : calls.containerEngine("DeleteNodePool", c -> c.deleteNodePool(DeleteNodePoolRequest.builder()
                                    .nodePoolId(objectId)
                                    .build())
                            .getOpcWorkRequestId());
        } catch (CorcException e) {
            if (OciCalls.isNotFound(e)) {
                return;
            }
            throw e;
        }
        if (workRequest != null) {
            waitFor(workRequest, type.equals(OciInstanceOrchestrator.CLUSTER) ? "cluster" : "nodepool", listener);
        }
    }

    List<String> findTagged(String type, String id, String compartment) {
        List<String> ids = new ArrayList<>();
        if (type.equals(OciInstanceOrchestrator.CLUSTER)) {
            OciInstanceOrchestrator.all(page -> calls.containerEngine("ListClusters", c -> {
                        var r = c.listClusters(ListClustersRequest.builder()
                                .compartmentId(compartment)
                                .page(page)
                                .build());
                        return new OciInstanceOrchestrator.Page<>(r.getItems(), r.getOpcNextPage());
                    }))
                    .stream()
                    .filter(cl -> !"DELETED".equals(cl.getLifecycleState().getValue()))
                    .filter(cl -> cl.getFreeformTags() != null
                            && id.equals(cl.getFreeformTags().get(OciInstanceOrchestrator.RESOURCE_TAG)))
                    .forEach(cl -> ids.add(cl.getId()));
        } else {
            OciInstanceOrchestrator.all(page -> calls.containerEngine("ListNodePools", c -> {
                        var r = c.listNodePools(ListNodePoolsRequest.builder()
                                .compartmentId(compartment)
                                .page(page)
                                .build());
                        return new OciInstanceOrchestrator.Page<>(r.getItems(), r.getOpcNextPage());
                    }))
                    .stream()
                    .filter(p -> !"DELETED".equals(p.getLifecycleState().getValue()))
                    .filter(p -> p.getFreeformTags() != null
                            && id.equals(p.getFreeformTags().get(OciInstanceOrchestrator.RESOURCE_TAG)))
                    .forEach(p -> ids.add(p.getId()));
        }
        return ids;
    }

    Optional<Cluster> get(String clusterId) {
        try {
            return Optional.of(calls.containerEngine("GetCluster", c -> c.getCluster(
                            GetClusterRequest.builder().clusterId(clusterId).build())
                    .getCluster()));
        } catch (CorcException e) {
            if (OciCalls.isNotFound(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
