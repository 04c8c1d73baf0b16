package io.corc.provider.oci;

import static java.util.Objects.requireNonNull;

import com.oracle.bmc.core.model.CreateInternetGatewayDetails;
import com.oracle.bmc.core.model.CreateRouteTableDetails;
import com.oracle.bmc.core.model.CreateSecurityListDetails;
import com.oracle.bmc.core.model.CreateSubnetDetails;
import com.oracle.bmc.core.model.CreateVcnDetails;
import com.oracle.bmc.core.model.CreateVnicDetails;
import com.oracle.bmc.core.model.EgressSecurityRule;
import com.oracle.bmc.core.model.Image;
import com.oracle.bmc.core.model.IngressSecurityRule;
import com.oracle.bmc.core.model.Instance;
import com.oracle.bmc.core.model.InstanceSourceViaImageDetails;
import com.oracle.bmc.core.model.LaunchInstanceDetails;
import com.oracle.bmc.core.model.LaunchInstanceShapeConfigDetails;
import com.oracle.bmc.core.model.PortRange;
import com.oracle.bmc.core.model.RouteRule;
import com.oracle.bmc.core.model.Shape;
import com.oracle.bmc.core.model.Subnet;
import com.oracle.bmc.core.model.TcpOptions;
import com.oracle.bmc.core.model.UpdateRouteTableDetails;
import com.oracle.bmc.core.model.Vcn;
import com.oracle.bmc.core.model.Vnic;
import com.oracle.bmc.core.model.VnicAttachment;
import com.oracle.bmc.core.requests.CreateInternetGatewayRequest;
import com.oracle.bmc.core.requests.CreateRouteTableRequest;
import com.oracle.bmc.core.requests.CreateSecurityListRequest;
import com.oracle.bmc.core.requests.CreateSubnetRequest;
import com.oracle.bmc.core.requests.CreateVcnRequest;
import com.oracle.bmc.core.requests.DeleteInternetGatewayRequest;
import com.oracle.bmc.core.requests.DeleteRouteTableRequest;
import com.oracle.bmc.core.requests.DeleteSecurityListRequest;
import com.oracle.bmc.core.requests.DeleteSubnetRequest;
import com.oracle.bmc.core.requests.DeleteVcnRequest;
import com.oracle.bmc.core.requests.GetImageRequest;
import com.oracle.bmc.core.requests.GetInstanceRequest;
import com.oracle.bmc.core.requests.GetSubnetRequest;
import com.oracle.bmc.core.requests.GetVcnRequest;
import com.oracle.bmc.core.requests.GetVnicRequest;
import com.oracle.bmc.core.requests.LaunchInstanceRequest;
import com.oracle.bmc.core.requests.ListImagesRequest;
import com.oracle.bmc.core.requests.ListInstancesRequest;
import com.oracle.bmc.core.requests.ListInternetGatewaysRequest;
import com.oracle.bmc.core.requests.ListRouteTablesRequest;
import com.oracle.bmc.core.requests.ListSecurityListsRequest;
import com.oracle.bmc.core.requests.ListShapesRequest;
import com.oracle.bmc.core.requests.ListSubnetsRequest;
import com.oracle.bmc.core.requests.ListVcnsRequest;
import com.oracle.bmc.core.requests.ListVnicAttachmentsRequest;
import com.oracle.bmc.core.requests.TerminateInstanceRequest;
import com.oracle.bmc.core.requests.UpdateRouteTableRequest;
import com.oracle.bmc.identity.model.AvailabilityDomain;
import com.oracle.bmc.identity.requests.ListAvailabilityDomainsRequest;
import io.corc.api.CheckResult;
import io.corc.api.CloudObject;
import io.corc.api.CorcException;
import io.corc.api.Endpoint;
import io.corc.api.ErrorCategory;
import io.corc.api.Feature;
import io.corc.api.Features;
import io.corc.api.Orchestrator;
import io.corc.api.Plan;
import io.corc.api.Polling;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.api.ResourceState;
import io.corc.api.SshProbe;
import io.corc.api.StateRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * OCI instances. A resource is one {@code oci-instance} record naming, in order, the objects corc created for it
 * (VCN, internet gateway, route table, subnet, instance) or reused (marked, never deleted). Each created object is
 * recorded with its {@code opc-retry-token} before its create call and with its OCID after it, and carries the
 * freeform tags {@code corc-owner} and {@code corc-resource}: an object whose answer was lost is found again by its
 * tag, so rollback and {@code stop} remove exactly what corc created, in the order OCI needs (instance, subnet, route
 * rules and table, gateway, VCN).
 */
final class OciInstanceOrchestrator implements Orchestrator {
    static final String RECORD_TYPE = "oci-instance";
    static final String CLUSTER_RECORD_TYPE = "oci-cluster";
    static final String OWNER_TAG = "corc-owner";
    static final String RESOURCE_TAG = "corc-resource";
    static final Features FEATURES = Features.of(
                    Feature.INSTANCES, Feature.SHAPE_SELECTION, Feature.GPUS, Feature.SSH_ACCESS)
            .without(
                    Feature.CLUSTERS,
                    "this orchestrator starts instances; OKE clusters: 'corc oci orchestration cluster'")
            .without(Feature.PRICING, "OCI publishes no price API the SDK reads; plans show no price")
            .without(Feature.SPOT, "preemptible instances are not implemented by the oci provider yet");
    static final Features CLUSTER_FEATURES = Features.of(Feature.CLUSTERS, Feature.SHAPE_SELECTION, Feature.GPUS)
            .without(
                    Feature.INSTANCES,
                    "this orchestrator starts OKE clusters; instances: 'corc oci orchestration instance'")
            .without(Feature.PRICING, "OCI publishes no price API the SDK reads; plans show no price")
            .without(Feature.SPOT, "preemptible nodes are not implemented by the oci provider yet")
            .without(Feature.SSH_ACCESS, "jobs reach an OKE cluster through its kubeconfig, not over SSH");

    static final String VCN = "vcn";
    static final String GATEWAY = "internet-gateway";
    static final String ROUTE_TABLE = "route-table";
    static final String SUBNET = "subnet";
    static final String SECURITY_LIST = "security-list";
    static final String INSTANCE = "instance";
    static final String CLUSTER = "cluster";
    static final String NODE_POOL = "node-pool";

    private final ResourceKind kind;
    private final String recordType;
    private final Path corcHome;
    private final OciSettings settings;
    private final RecordStore records;
    private final Path home;
    private final Random jitter;
    private final Duration baseDelay;
    private final Map<String, OciCalls> clients = new ConcurrentHashMap<>();
    private final SecureRandom ids = new SecureRandom();

    OciInstanceOrchestrator(OciSettings settings, RecordStore records, Path home, Random jitter, Duration baseDelay) {
        this(ResourceKind.INSTANCE, settings, records, home, home.resolve(".corc"), jitter, baseDelay);
    }

    /**
     * @param home the user's home (for {@code ~} in the OCI config)
     * @param corcHome corc's home, where cluster kubeconfigs are written ({@code oci/kube/<id>.yaml})
     */
    OciInstanceOrchestrator(
            ResourceKind kind,
            OciSettings settings,
            RecordStore records,
            Path home,
            Path corcHome,
            Random jitter,
            Duration baseDelay) {
        this.kind = requireNonNull(kind, "kind is null");
        this.recordType = kind == ResourceKind.CLUSTER ? CLUSTER_RECORD_TYPE : RECORD_TYPE;
        this.corcHome = requireNonNull(corcHome, "corcHome is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.records = requireNonNull(records, "records is null");
        this.home = requireNonNull(home, "home is null");
        this.jitter = requireNonNull(jitter, "jitter is null");
        this.baseDelay = requireNonNull(baseDelay, "baseDelay is null");
    }

    @Override
    public String provider() {
        return OciOrchestratorFactory.NAME;
    }

    @Override
    public ResourceKind kind() {
        return kind;
    }

    @Override
    public Features features() {
        return kind == ResourceKind.CLUSTER ? CLUSTER_FEATURES : FEATURES;
    }

    // ---- check -------------------------------------------------------------------------------------------------

    @Override
    public CheckResult check() {
        if (!java.nio.file.Files.exists(settings.configFile())) {
            return CheckResult.notConfigured(
                    provider(),
                    "no OCI config file at " + settings.configFile() + " (path from " + settings.configFileSource()
                            + "); create it with 'oci setup config'");
        }
        OciProfile profile;
        try {
            profile = OciProfile.load(settings, home);
        } catch (CorcException e) {
            return CheckResult.failed(provider(), reason(e));
        }
        String compartment = compartment(Map.of());
        if (compartment.isBlank()) {
            return CheckResult.failed(
                    provider(),
                    "no compartment: set providers.oci.profile.compartment_id (or CORC_PROVIDERS_OCI_PROFILE_COMPARTMENT_ID);"
                            + " profile [" + profile.name() + "] of " + profile.file() + " is complete otherwise");
        }
        try {
            List<String> ads = availabilityDomains(calls(profile.region()), compartment);
            return CheckResult.ok(
                    provider(),
                    "profile [" + profile.name() + "] of " + profile.file() + ", region " + profile.region() + " ("
                            + ads.size() + " availability domains), compartment set");
        } catch (CorcException e) {
            return CheckResult.failed(provider(), reason(e));
        }
    }

    private static String reason(CorcException e) {
        return e.getMessage() + e.hint().map(h -> " (" + h + ")").orElse("");
    }

    // ---- plan --------------------------------------------------------------------------------------------------

    /** The network start would use: what exists and is reused, or the settings of what it creates. */
    record Network(String vcnId, String subnetId, String why) {
        boolean reused() {
            return subnetId != null;
        }
    }

    /** Everything start needs, decided without side effects. */
    record Decision(
            String region,
            String compartment,
            OciCalls calls,
            List<String> availabilityDomains,
            Shapes.Selection shapes,
            Image image,
            String imageWhy,
            String sshUser,
            Network network,
            ClusterChoice cluster) {}

    /** What an OKE cluster gets: Kubernetes version, node image and count (the node shape is the shape choice). */
    record ClusterChoice(
            String kubernetesVersion, String nodeImageId, String nodeImageName, int nodeCount, String why) {}

    private Decision decide(ResourceSpec spec) {
        if (spec.spot()) {
            FEATURES.require(Feature.SPOT, provider());
        }
        OciProfile profile = OciProfile.load(settings, home);
        String region = spec.region() == null || spec.region().isBlank() ? profile.region() : spec.region();
        String compartment = compartment(spec.options());
        if (compartment.isBlank()) {
            throw CorcException.invalidInput("no OCI compartment to work in")
                    .withHint(
                            "set providers.oci.profile.compartment_id, or pass --option compartment_id=ocid1.compartment..."
                                    + " (the tenancy OCID is the root compartment)");
        }
        OciCalls calls = calls(region);
        List<String> ads = availabilityDomains(calls, compartment);
        String pinned = spec.zone() != null && !spec.zone().isBlank() ? spec.zone() : settings.availabilityDomain();
        List<String> order = new ArrayList<>(ads);
        if (!pinned.isBlank()) {
            String match = ads.stream()
                    .filter(ad -> ad.equals(pinned) || ad.endsWith(pinned))
                    .findFirst()
                    .orElseThrow(() -> CorcException.invalidInput("availability domain '" + pinned
                                    + "' is not one of region " + region + "'s: " + String.join(", ", ads))
                            .withHint("pass one of them to --zone or providers.oci.instance.availability_domain"));
            order = List.of(match);
        }
        String named = spec.options()
                .getOrDefault(
                        "shape",
                        kind == ResourceKind.CLUSTER ? settings.cluster().nodeShape() : settings.shape());
        Shapes.Selection shapes = Shapes.select(shapes(calls, compartment, order.get(0)), spec, named, order.get(0));
        Shapes.Choice first = shapes.first();
        if (kind == ResourceKind.CLUSTER) {
            ClusterChoice cluster = OciClusters.choose(calls, compartment, spec, settings, first);
            return new Decision(
                    region,
                    compartment,
                    calls,
                    order,
                    shapes,
                    null,
                    cluster.why(),
                    null,
                    findNetwork(calls, compartment),
                    cluster);
        }
        Image image;
        String why;
        if (spec.image().id() != null && !spec.image().id().isBlank()) {
            image = calls.compute("GetImage", c -> c.getImage(
                            GetImageRequest.builder().imageId(spec.image().id()).build())
                    .getImage());
            why = "image " + image.getId() + " as asked";
        } else {
            String os = spec.image().operatingSystem() != null
                    ? spec.image().operatingSystem()
                    : settings.operatingSystem();
            String version =
                    spec.image().operatingSystem() != null ? spec.image().version() : settings.operatingSystemVersion();
            image = newestImage(calls, compartment, os, version, first.name());
            why = "newest " + os + (version == null ? "" : " " + version) + " image for " + first.name() + ": "
                    + image.getDisplayName() + " (" + image.getId() + ")";
        }
        String user = spec.options().getOrDefault("ssh_user", settings.sshUser());
        if (user.isBlank()) {
            user = String.valueOf(image.getOperatingSystem())
                            .toLowerCase(Locale.ROOT)
                            .contains("ubuntu")
                    ? "ubuntu"
                    : "opc";
        }
        Network network = findNetwork(calls, compartment);
        return new Decision(region, compartment, calls, order, shapes, image, why, user, network, null);
    }

    @Override
    public Plan plan(ResourceSpec spec) {
        requireNonNull(spec, "spec is null");
        Decision d = withContext("plan", () -> decide(spec));
        Shapes.Choice shape = d.shapes().first();
        List<String> toCreate = new ArrayList<>();
        OciSettings.Vcn vcn = settings.vcn();
        if (d.network().reused()) {
            toCreate.add("nothing in the network: " + d.network().why());
        } else {
            toCreate.add("VCN '" + vcn.displayName() + "' " + vcn.cidrBlock());
            toCreate.add("internet gateway '" + vcn.gatewayDisplayName() + "'");
            toCreate.add("route table '" + vcn.routeTableDisplayName() + "' (" + vcn.routeDestination()
                    + " via the gateway)");
            if (kind == ResourceKind.CLUSTER) {
                toCreate.add("security list (all traffic within " + vcn.cidrBlock() + ", SSH and 6443 from anywhere)");
            }
            toCreate.add("subnet '" + vcn.subnetDisplayName() + "' " + vcn.subnetCidrBlock());
        }
        if (kind == ResourceKind.CLUSTER) {
            ClusterChoice c = d.cluster();
            toCreate.add(
                    "OKE cluster '" + spec.name() + "' Kubernetes " + c.kubernetesVersion() + " (public endpoint)");
            toCreate.add("node pool of " + c.nodeCount() + " x " + shape.describe() + " from " + c.nodeImageName()
                    + " (" + c.nodeImageId() + ") over " + String.join(", ", d.availabilityDomains()));
            toCreate.add("kubeconfig " + kubeconfig("<id>"));
            return new Plan(
                    provider(),
                    kind,
                    d.region(),
                    shape.name(),
                    (int) Math.ceil(shape.ocpus()),
                    shape.memoryGb(),
                    shape.gpus(),
                    null,
                    toCreate,
                    "node shape: " + d.shapes().reason() + "; " + c.why() + "; "
                            + d.network().why());
        }
        toCreate.add("instance " + shape.describe() + " in "
                + d.availabilityDomains().get(0) + " from " + d.image().getId() + " ("
                + d.image().getDisplayName() + "), login " + d.sshUser());
        String failover = d.availabilityDomains().size() > 1
                ? "; out of host capacity, corc tries "
                        + String.join(
                                ", ",
                                d.availabilityDomains()
                                        .subList(1, d.availabilityDomains().size()))
                : "";
        return new Plan(
                provider(),
                ResourceKind.INSTANCE,
                d.region(),
                shape.name(),
                (int) Math.ceil(shape.ocpus()),
                shape.memoryGb(),
                shape.gpus(),
                null,
                toCreate,
                d.shapes().reason() + "; " + d.imageWhy() + "; " + d.network().why() + failover);
    }

    // ---- start -------------------------------------------------------------------------------------------------

    @Override
    public Resource start(ResourceSpec spec, ProgressListener progress) {
        requireNonNull(spec, "spec is null");
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        listener.onProgress("choosing shape, image and network", 0, -1);
        String operation = kind.cliName() + " start";
        Decision d = withContext(operation, () -> decide(spec));
        String id = (kind == ResourceKind.CLUSTER ? "oke-" : "oci-")
                + HexFormat.of().formatHex(randomBytes());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", spec.name());
        data.put("region", d.region());
        data.put("compartment_id", d.compartment());
        if (d.image() != null) {
            data.put("image_id", d.image().getId());
            data.put("ssh_user", d.sshUser());
        }
        data.put("objects", List.of());
        if (spec.ttl() != null) {
            data.put("expires_at", Instant.now().plus(spec.ttl()).toString());
        }
        records.put(StateRecord.create(recordType, id, "starting", data));
        OciCalls calls = d.calls();
        try {
            Map<String, String> tags = tags(id, spec);
            String subnetId;
            if (d.network().reused()) {
                recordReused(id, VCN, d.network().vcnId());
                recordReused(id, SUBNET, d.network().subnetId());
                subnetId = d.network().subnetId();
                listener.onProgress("reusing " + d.network().why(), 0, -1);
            } else {
                subnetId = createNetwork(calls, id, d.compartment(), tags, listener);
            }
            records.update(recordType, id, r -> r.with("subnet_id", subnetId));
            if (kind == ResourceKind.CLUSTER) {
                return new OciClusters(this, calls).start(id, spec, d, subnetId, tags, listener);
            }
            Instance instance = launch(calls, id, spec, d, subnetId, tags, listener);
            instance = waitForRunning(calls, id, instance.getId(), listener);
            Vnic vnic = primaryVnic(calls, d.compartment(), instance.getId(), true);
            String publicIp = vnic == null || vnic.getPublicIp() == null ? "" : vnic.getPublicIp();
            String privateIp = vnic == null || vnic.getPrivateIp() == null ? "" : vnic.getPrivateIp();
            records.update(recordType, id, r -> r.with("public_ip", publicIp).with("private_ip", privateIp));
            waitForSsh(publicIp, listener);
            listener.onProgress("reading the SSH host keys from the console", 0, -1);
            // the capture takes seconds at OCI: poll it for about 30 s, at least 3 and at most 60 times
            int polls = (int) Math.max(
                    3, Math.min(60, 30_000 / Math.max(1, settings.pollInterval().toMillis())));
            String hostKeys = HostKeys.read(
                    calls, instance.getId(), tags, id + "-console", () -> sleep(settings.pollInterval()), polls);
            StateRecord done = records.update(
                    recordType, id, r -> r.with("ssh_host_keys", hostKeys).withStatus("running"));
            listener.onProgress("instance " + instance.getId() + " is running", 1, 1);
            return toResource(done, instance);
        } catch (RuntimeException e) {
            listener.onProgress("start failed, rolling back what was created", 0, -1);
            RuntimeException failure =
                    e instanceof CorcException corc && corc.plugin().isEmpty()
                            ? corc.withContext(provider(), operation)
                            : e;
            List<String> left = remove(id, calls, listener);
            if (kind == ResourceKind.CLUSTER) {
                try {
                    java.nio.file.Files.deleteIfExists(kubeconfig(id));
                } catch (IOException ignored) {
                    // the kubeconfig of a cluster that is gone is harmless; stop removes it too
                }
            }
            if (left.isEmpty()) {
                records.delete(recordType, id);
            } else {
                records.update(
                        recordType,
                        id,
                        r -> r == null
                                ? null
                                : r.withStatus("rollback-pending").with("error", String.valueOf(failure.getMessage())));
                failure.addSuppressed(new CorcException(
                                ErrorCategory.UNAVAILABLE, "rollback of " + id + " left: " + String.join("; ", left))
                        .withHint("run 'corc oci orchestration " + kind.cliName() + " stop " + id
                                + "' or 'corc gc --apply' later"));
            }
            throw failure;
        }
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[4];
        ids.nextBytes(bytes);
        return bytes;
    }

    private String createNetwork(
            OciCalls calls, String id, String compartment, Map<String, String> tags, ProgressListener l) {
        OciSettings.Vcn vcn = settings.vcn();
        String vcnId = create(
                id,
                VCN,
                "creating VCN " + vcn.cidrBlock(),
                token -> calls.network("CreateVcn", c -> c.createVcn(CreateVcnRequest.builder()
                                .opcRetryToken(token)
                                .createVcnDetails(CreateVcnDetails.builder()
                                        .compartmentId(compartment)
                                        .cidrBlock(vcn.cidrBlock())
                                        .displayName(vcn.displayName())
                                        .dnsLabel(vcn.dnsLabel().isBlank() ? null : vcn.dnsLabel())
                                        .freeformTags(tags)
                                        .build())
                                .build())
                        .getVcn()
                        .getId()),
                l);
        records.update(recordType, id, r -> r.with("vcn_id", vcnId));
        String gatewayId = create(
                id,
                GATEWAY,
                "creating internet gateway",
                token -> calls.network(
                        "CreateInternetGateway", c -> c.createInternetGateway(CreateInternetGatewayRequest.builder()
                                        .opcRetryToken(token)
                                        .createInternetGatewayDetails(CreateInternetGatewayDetails.builder()
                                                .compartmentId(compartment)
                                                .vcnId(vcnId)
                                                .isEnabled(true)
                                                .displayName(vcn.gatewayDisplayName())
                                                .freeformTags(tags)
                                                .build())
                                        .build())
                                .getInternetGateway()
                                .getId()),
                l);
        String routeTableId = create(
                id,
                ROUTE_TABLE,
                "creating route table (" + vcn.routeDestination() + " via the gateway)",
                token -> calls.network("CreateRouteTable", c -> c.createRouteTable(CreateRouteTableRequest.builder()
                                .opcRetryToken(token)
                                .createRouteTableDetails(CreateRouteTableDetails.builder()
                                        .compartmentId(compartment)
                                        .vcnId(vcnId)
                                        .displayName(vcn.routeTableDisplayName())
                                        .routeRules(List.of(RouteRule.builder()
                                                .destination(vcn.routeDestination())
                                                .destinationType(RouteRule.DestinationType.CidrBlock)
                                                .networkEntityId(gatewayId)
                                                .build()))
                                        .freeformTags(tags)
                                        .build())
                                .build())
                        .getRouteTable()
                        .getId()),
                l);
        // OKE's nodes and control plane talk to each other inside the VCN, and kubectl reaches the API endpoint on
        // 6443: the VCN's default security list allows neither, so a cluster's subnet gets a list of its own.
        String securityListId = kind != ResourceKind.CLUSTER
                ? null
                : create(
                        id,
                        SECURITY_LIST,
                        "creating security list (all within " + vcn.cidrBlock() + ", SSH and 6443 from anywhere)",
                        token -> calls.network(
                                        "CreateSecurityList",
                                        c -> c.createSecurityList(CreateSecurityListRequest.builder()
                                                .opcRetryToken(token)
                                                .createSecurityListDetails(CreateSecurityListDetails.builder()
                                                        .compartmentId(compartment)
                                                        .vcnId(vcnId)
                                                        .displayName(vcn.subnetDisplayName() + " (corc OKE)")
                                                        .egressSecurityRules(List.of(EgressSecurityRule.builder()
                                                                .destination("0.0.0.0/0")
                                                                .protocol("all")
                                                                .build()))
                                                        .ingressSecurityRules(List.of(
                                                                IngressSecurityRule.builder()
                                                                        .source(vcn.cidrBlock())
                                                                        .protocol("all")
                                                                        .build(),
                                                                tcpFromAnywhere(22),
                                                                tcpFromAnywhere(6443)))
                                                        .freeformTags(tags)
                                                        .build())
                                                .build()))
                                .getSecurityList()
                                .getId(),
                        l);
        String subnetId = create(
                id,
                SUBNET,
                "creating subnet " + vcn.subnetCidrBlock(),
                token -> calls.network("CreateSubnet", c -> c.createSubnet(CreateSubnetRequest.builder()
                                .opcRetryToken(token)
                                .createSubnetDetails(CreateSubnetDetails.builder()
                                        .compartmentId(compartment)
                                        .vcnId(vcnId)
                                        .cidrBlock(vcn.subnetCidrBlock())
                                        .displayName(vcn.subnetDisplayName())
                                        .dnsLabel(vcn.subnetDnsLabel().isBlank() ? null : vcn.subnetDnsLabel())
                                        .routeTableId(routeTableId)
                                        .securityListIds(securityListId == null ? null : List.of(securityListId))
                                        .freeformTags(tags)
                                        .build())
                                .build())
                        .getSubnet()
                        .getId()),
                l);
        waitUntil("subnet " + subnetId + " to be available", settings.waitTimeout(), () -> "AVAILABLE"
                .equals(calls.network("GetSubnet", c -> c.getSubnet(
                                GetSubnetRequest.builder().subnetId(subnetId).build())
                        .getSubnet()
                        .getLifecycleState()
                        .getValue())));
        return subnetId;
    }

    private static IngressSecurityRule tcpFromAnywhere(int port) {
        return IngressSecurityRule.builder()
                .source("0.0.0.0/0")
                .protocol("6")
                .tcpOptions(TcpOptions.builder()
                        .destinationPortRange(
                                PortRange.builder().min(port).max(port).build())
                        .build())
                .build();
    }

    /** Records the intent (with its retry token), calls, records the OCID. */
    String create(
            String id, String type, String step, java.util.function.Function<String, String> call, ProgressListener l) {
        String token = id + "-" + type;
        recordObject(id, type, null, "creating", token, true);
        l.onProgress(step, 0, -1);
        String objectId = call.apply(token);
        recordObject(id, type, objectId, "created", token, true);
        return objectId;
    }

    private Instance launch(
            OciCalls calls,
            String id,
            ResourceSpec spec,
            Decision d,
            String subnetId,
            Map<String, String> tags,
            ProgressListener listener) {
        List<String> failures = new ArrayList<>();
        Shapes.Choice shape = d.shapes().first();
        Map<String, String> metadata = new LinkedHashMap<>();
        List<String> keys = keys(spec);
        if (!keys.isEmpty()) {
            metadata.put("ssh_authorized_keys", String.join("\n", keys));
        } else {
            listener.onProgress("no SSH public key given: the instance will not be reachable over SSH", 0, -1);
        }
        int number = 0;
        for (String ad : d.availabilityDomains()) {
            number++;
            if (number > 1 && !offers(calls, d.compartment(), ad, shape.name())) {
                failures.add(ad + ": " + shape.name() + " not offered");
                continue;
            }
            String token = id + "-instance-" + number;
            listener.onProgress(
                    "launching " + shape.describe() + " in " + ad,
                    number - 1,
                    d.availabilityDomains().size());
            recordObject(id, INSTANCE, null, "creating", token, true);
            LaunchInstanceDetails.Builder details = LaunchInstanceDetails.builder()
                    .availabilityDomain(ad)
                    .compartmentId(d.compartment())
                    .displayName(spec.name())
                    .shape(shape.name())
                    .sourceDetails(InstanceSourceViaImageDetails.builder()
                            .imageId(d.image().getId())
                            .build())
                    .createVnicDetails(CreateVnicDetails.builder()
                            .subnetId(subnetId)
                            .assignPublicIp(true)
                            .freeformTags(tags)
                            .build())
                    .metadata(metadata)
                    .freeformTags(tags);
            if (shape.flexible()) {
                details.shapeConfig(LaunchInstanceShapeConfigDetails.builder()
                        .ocpus(shape.ocpus())
                        .memoryInGBs(shape.memoryGb())
                        .build());
            }
            try {
                Instance instance =
                        calls.compute("LaunchInstance", c -> c.launchInstance(LaunchInstanceRequest.builder()
                                        .opcRetryToken(token)
                                        .launchInstanceDetails(details.build())
                                        .build())
                                .getInstance());
                recordObject(id, INSTANCE, instance.getId(), "created", token, true);
                records.update(recordType, id, r -> r.with("availability_domain", ad)
                        .with("shape", shape.name())
                        .with("ocpus", (double) shape.ocpus())
                        .with("memory_gb", (double) shape.memoryGb())
                        .with("gpus", shape.gpus()));
                return instance;
            } catch (CorcException e) {
                if (e.category() != ErrorCategory.CAPACITY) {
                    throw e;
                }
                // OCI refused the launch: nothing was created under this token, its intent can go.
                records.update(recordType, id, r -> dropObject(r, token));
                failures.add(ad + ": " + e.getMessage());
                listener.onProgress(
                        "no capacity in " + ad, number, d.availabilityDomains().size());
            }
        }
        throw new CorcException(
                        ErrorCategory.CAPACITY,
                        "no " + shape.name() + " instance could be launched: " + String.join("; ", failures))
                .withHint("try another shape (--option shape=...), region (--region) or later; OCI said it is out of"
                        + " host capacity or a limit is reached")
                .withContext(provider(), "instance start");
    }

    private boolean offers(OciCalls calls, String compartment, String ad, String shape) {
        return shapes(calls, compartment, ad).stream()
                .anyMatch(s -> s.getShape().equals(shape));
    }

    private Instance waitForRunning(OciCalls calls, String id, String instanceId, ProgressListener listener) {
        listener.onProgress("waiting for " + instanceId + " to run", 0, -1);
        Instance[] last = new Instance[1];
        waitUntil("instance " + instanceId + " to run", settings.waitTimeout(), () -> {
            Instance instance = getInstance(calls, instanceId).orElse(null);
            if (instance == null) {
                return false;
            }
            last[0] = instance;
            String state = instance.getLifecycleState().getValue();
            if (state.equals("TERMINATING") || state.equals("TERMINATED") || state.equals("STOPPED")) {
                throw new CorcException(
                                ErrorCategory.CAPACITY,
                                "instance " + instanceId + " of " + id + " became " + state + " while starting")
                        .withHint("try again, or another availability domain or shape")
                        .withContext(provider(), "instance start");
            }
            return state.equals("RUNNING");
        });
        return last[0];
    }

    private Optional<Instance> getInstance(OciCalls calls, String instanceId) {
        try {
            return Optional.of(calls.compute("GetInstance", c -> c.getInstance(
                            GetInstanceRequest.builder().instanceId(instanceId).build())
                    .getInstance()));
        } catch (CorcException e) {
            if (OciCalls.isNotFound(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The instance's primary VNIC (its public IP), waiting for the attachment when {@code wait}. */
    private Vnic primaryVnic(OciCalls calls, String compartment, String instanceId, boolean wait) {
        Vnic[] found = new Vnic[1];
        BooleanSupplier attached = () -> {
            List<VnicAttachment> attachments =
                    calls.compute("ListVnicAttachments", c -> c.listVnicAttachments(ListVnicAttachmentsRequest.builder()
                                    .compartmentId(compartment)
                                    .instanceId(instanceId)
                                    .build())
                            .getItems());
            for (VnicAttachment attachment : attachments) {
                if ("ATTACHED".equals(attachment.getLifecycleState().getValue()) && attachment.getVnicId() != null) {
                    found[0] = calls.network("GetVnic", c -> c.getVnic(GetVnicRequest.builder()
                                    .vnicId(attachment.getVnicId())
                                    .build())
                            .getVnic());
                    return true;
                }
            }
            return false;
        };
        if (wait) {
            waitUntil("the VNIC of " + instanceId, settings.waitTimeout(), attached);
        } else {
            attached.getAsBoolean();
        }
        return found[0];
    }

    private void waitForSsh(String host, ProgressListener listener) {
        if (settings.sshWait().isZero() || host == null || host.isBlank()) {
            return;
        }
        listener.onProgress("waiting for SSH on " + host + ":" + settings.sshPort(), 0, -1);
        waitUntil(
                "SSH on " + host + ":" + settings.sshPort() + " to answer", settings.sshWait(), () -> sshAnswers(host));
    }

    private boolean sshAnswers(String host) {
        return SshProbe.answers(host, settings.sshPort());
    }

    // ---- network lookup ----------------------------------------------------------------------------------------

    /**
     * The network to reuse: the VCN by id (must exist) or by display name (one corc did not create for another
     * resource), and its subnet by id or display name. Nothing found by name: corc creates its own stack.
     */
    private Network findNetwork(OciCalls calls, String compartment) {
        OciSettings.Vcn wanted = settings.vcn();
        Vcn vcn = null;
        if (!wanted.id().isBlank()) {
            try {
                vcn = calls.network("GetVcn", c -> c.getVcn(
                                GetVcnRequest.builder().vcnId(wanted.id()).build())
                        .getVcn());
            } catch (CorcException e) {
                if (!OciCalls.isNotFound(e)) {
                    throw e;
                }
                throw CorcException.notFound("VCN " + wanted.id() + " (providers.oci.vcn.id) does not exist")
                        .withHint("fix providers.oci.vcn.id, or empty it so corc finds the VCN by display name or"
                                + " creates one");
            }
        } else if (!wanted.displayName().isBlank()) {
            vcn = all(page -> calls.network("ListVcns", c -> {
                        var r = c.listVcns(ListVcnsRequest.builder()
                                .compartmentId(compartment)
                                .displayName(wanted.displayName())
                                .page(page)
                                .build());
                        return new Page<>(r.getItems(), r.getOpcNextPage());
                    }))
                    .stream()
                    .filter(v -> "AVAILABLE".equals(v.getLifecycleState().getValue()))
                    .filter(v ->
                            v.getFreeformTags() == null || !v.getFreeformTags().containsKey(RESOURCE_TAG))
                    .findFirst()
                    .orElse(null);
        }
        if (vcn == null) {
            return new Network(null, null, "a new VCN stack (no VCN '" + wanted.displayName() + "' to reuse)");
        }
        String vcnId = vcn.getId();
        String vcnName = vcn.getDisplayName();
        Subnet subnet;
        if (!wanted.subnetId().isBlank()) {
            subnet = calls.network("GetSubnet", c -> c.getSubnet(GetSubnetRequest.builder()
                            .subnetId(wanted.subnetId())
                            .build())
                    .getSubnet());
            if (!vcnId.equals(subnet.getVcnId())) {
                throw CorcException.invalidInput("subnet " + wanted.subnetId() + " is not in VCN " + vcnId + " ("
                                + vcn.getDisplayName() + ")")
                        .withHint("set providers.oci.vcn.subnet.id to a subnet of that VCN");
            }
        } else {
            subnet = all(page -> calls.network("ListSubnets", c -> {
                        var r = c.listSubnets(ListSubnetsRequest.builder()
                                .compartmentId(compartment)
                                .vcnId(vcnId)
                                .page(page)
                                .build());
                        return new Page<>(r.getItems(), r.getOpcNextPage());
                    }))
                    .stream()
                    .filter(s -> "AVAILABLE".equals(s.getLifecycleState().getValue()))
                    .filter(s -> wanted.subnetDisplayName().isBlank()
                            || wanted.subnetDisplayName().equals(s.getDisplayName()))
                    .findFirst()
                    .orElseThrow(
                            () -> CorcException.notFound("VCN " + vcnName + " (" + vcnId
                                            + ") has no available subnet named '" + wanted.subnetDisplayName() + "'")
                                    .withHint(
                                            "set providers.oci.vcn.subnet.id or .display_name to one of its subnets, or give"
                                                    + " providers.oci.vcn.display_name a name no VCN has so corc creates its own stack"));
        }
        return new Network(
                vcnId,
                subnet.getId(),
                "existing VCN '" + vcn.getDisplayName() + "' (" + vcnId + ") and subnet '" + subnet.getDisplayName()
                        + "' (" + subnet.getId() + "), never deleted by corc");
    }

    // ---- get / list --------------------------------------------------------------------------------------------

    @Override
    public Optional<Resource> get(String id) {
        requireNonNull(id, "id is null");
        if (!isSafeId(id)) {
            return Optional.empty();
        }
        return records.get(recordType, id).map(this::describe);
    }

    @Override
    public List<Resource> list() {
        return records.list(recordType).stream().map(this::describe).toList();
    }

    private Resource describe(StateRecord record) {
        if (kind == ResourceKind.CLUSTER) {
            return describeCluster(record);
        }
        String instanceId = objectId(record, INSTANCE).orElse(null);
        if (instanceId == null) {
            return toResource(record, null);
        }
        try {
            OciCalls calls = calls(record.string("region"));
            Instance instance = getInstance(calls, instanceId).orElse(null);
            return toResource(record, instance);
        } catch (CorcException e) {
            Resource resource = toResource(record, null);
            Map<String, String> details = new LinkedHashMap<>(resource.details());
            details.put("reason", "OCI could not be asked: " + e.getMessage());
            return new Resource(
                    resource.id(),
                    resource.provider(),
                    resource.kind(),
                    resource.name(),
                    ResourceState.UNKNOWN,
                    resource.endpoints(),
                    resource.objects(),
                    resource.createdAt(),
                    resource.expiresAt(),
                    details);
        }
    }

    StateRecord record(String id) {
        return records.get(recordType, id)
                .orElseThrow(() -> CorcException.internal("record " + id + " vanished", null));
    }

    StateRecord update(String id, java.util.function.UnaryOperator<StateRecord> change) {
        return records.update(recordType, id, change);
    }

    OciSettings settings() {
        return settings;
    }

    /** Where a cluster's kubeconfig is written: corc's own file, never the user's ~/.kube/config. */
    Path kubeconfig(String id) {
        return corcHome.resolve("oci").resolve("kube").resolve(id + ".yaml");
    }

    private Resource describeCluster(StateRecord record) {
        Resource resource = toResource(record, null);
        String clusterId = objectId(record, CLUSTER).orElse(null);
        if (clusterId == null || resource.state() != ResourceState.RUNNING) {
            return resource;
        }
        Map<String, String> details = new LinkedHashMap<>(resource.details());
        ResourceState state;
        List<Endpoint> endpoints = new ArrayList<>(resource.endpoints());
        try {
            Optional<com.oracle.bmc.containerengine.model.Cluster> cluster =
                    new OciClusters(this, calls(record.string("region"))).get(clusterId);
            String lifecycle =
                    cluster.map(c -> c.getLifecycleState().getValue()).orElse("DELETED");
            details.put("lifecycle_state", lifecycle);
            state = switch (lifecycle) {
                case "ACTIVE", "UPDATING" -> ResourceState.RUNNING;
                case "CREATING" -> ResourceState.STARTING;
                case "DELETING" -> ResourceState.STOPPING;
                case "DELETED", "FAILED" -> ResourceState.FAILED;
                default -> ResourceState.UNKNOWN;
            };
            if (state == ResourceState.FAILED) {
                details.put(
                        "reason",
                        "cluster " + clusterId + " is " + lifecycle + "; stop the resource to remove what is left");
            }
            cluster.map(c -> c.getEndpoints())
                    .map(e -> e.getPublicEndpoint())
                    .filter(e -> !e.isBlank())
                    .ifPresent(e -> {
                        int colon = e.lastIndexOf(':');
                        String host = colon > 0 ? e.substring(0, colon) : e;
                        int port = colon > 0 ? Integer.parseInt(e.substring(colon + 1)) : 6443;
                        endpoints.add(new Endpoint("https", host, port, null));
                    });
        } catch (CorcException e) {
            state = ResourceState.UNKNOWN;
            details.put("reason", "OCI could not be asked: " + e.getMessage());
        }
        return new Resource(
                resource.id(),
                resource.provider(),
                resource.kind(),
                resource.name(),
                state,
                endpoints,
                resource.objects(),
                resource.createdAt(),
                resource.expiresAt(),
                details);
    }

    Resource toResource(StateRecord record, Instance instance) {
        Map<String, String> details = new LinkedHashMap<>();
        for (String key : List.of(
                "region",
                "availability_domain",
                "shape",
                "ocpus",
                "memory_gb",
                "gpus",
                "image_id",
                "vcn_id",
                "subnet_id",
                "public_ip",
                "private_ip",
                "cluster_id",
                "node_pool_id",
                "kubernetes_version",
                "node_shape",
                "node_count",
                "node_image",
                "kubeconfig",
                "context",
                "error")) {
            String value = record.string(key);
            if (value != null && !value.isBlank()) {
                details.put(key, value);
            }
        }
        ResourceState state =
                switch (record.status()) {
                    case "starting" -> ResourceState.STARTING;
                    case "stopping" -> ResourceState.STOPPING;
                    case "rollback-pending" -> ResourceState.FAILED;
                    default -> ResourceState.RUNNING;
                };
        Duration longestStart =
                settings.waitTimeout().multipliedBy(2).plus(settings.sshWait()).plus(Duration.ofMinutes(10));
        if (state == ResourceState.STARTING
                && record.updatedAt().plus(longestStart).isBefore(Instant.now())) {
            state = ResourceState.FAILED;
            details.put("reason", "its start has not finished since " + record.updatedAt() + " (the process died?)");
        }
        if (instance != null) {
            String lifecycle = instance.getLifecycleState().getValue();
            details.put("instance_id", instance.getId());
            details.put("lifecycle_state", lifecycle);
            if (state == ResourceState.RUNNING) {
                state = switch (lifecycle) {
                    case "RUNNING" -> ResourceState.RUNNING;
                    case "PROVISIONING", "STARTING" -> ResourceState.STARTING;
                    case "STOPPING", "TERMINATING" -> ResourceState.STOPPING;
                    case "STOPPED", "TERMINATED" -> ResourceState.FAILED;
                    default -> ResourceState.UNKNOWN;
                };
                if (state == ResourceState.FAILED) {
                    details.put(
                            "reason",
                            "instance " + instance.getId() + " is " + lifecycle
                                    + " outside corc; stop the resource to remove what is left");
                }
            }
        } else if (state == ResourceState.RUNNING && objectId(record, INSTANCE).isPresent()) {
            state = ResourceState.FAILED;
            details.put("reason", "the instance is gone at OCI; stop the resource to remove what is left");
        }
        String hostKeys = record.string("ssh_host_keys");
        if (hostKeys != null && !hostKeys.isBlank()) {
            details.put(Resource.SSH_HOST_KEYS, hostKeys);
        }
        List<Endpoint> endpoints = new ArrayList<>();
        String ip = record.string("public_ip");
        if (ip != null && !ip.isBlank()) {
            endpoints.add(new Endpoint("ssh", ip, settings.sshPort(), record.string("ssh_user")));
        }
        List<CloudObject> objects = new ArrayList<>();
        for (Map<String, Object> o : objects(record)) {
            if (o.get("id") != null) {
                objects.add(new CloudObject(
                        String.valueOf(o.get("type")),
                        String.valueOf(o.get("id")),
                        !Boolean.FALSE.equals(o.get("corc"))));
            }
        }
        Instant expires = record.string("expires_at") == null ? null : Instant.parse(record.string("expires_at"));
        return new Resource(
                record.id(),
                provider(),
                kind,
                String.valueOf(record.data().getOrDefault("name", record.id())),
                state,
                endpoints,
                objects,
                record.createdAt(),
                expires,
                details);
    }

    // ---- stop --------------------------------------------------------------------------------------------------

    @Override
    public void stop(String id, ProgressListener progress) {
        requireNonNull(id, "id is null");
        if (!isSafeId(id)) {
            return;
        }
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        Optional<StateRecord> record = records.get(recordType, id);
        if (record.isEmpty()) {
            return;
        }
        records.update(recordType, id, r -> r == null ? null : r.withStatus("stopping"));
        OciCalls calls =
                withContext(kind.cliName() + " stop", () -> calls(record.get().string("region")));
        List<String> left = remove(id, calls, listener);
        if (!left.isEmpty()) {
            records.update(recordType, id, r -> r == null ? null : r.withStatus("rollback-pending"));
            throw new CorcException(ErrorCategory.UNAVAILABLE, "stopping " + id + " left: " + String.join("; ", left))
                    .withHint("run the stop again; what is removed stays removed")
                    .withContext(provider(), kind.cliName() + " stop");
        }
        if (kind == ResourceKind.CLUSTER) {
            try {
                java.nio.file.Files.deleteIfExists(kubeconfig(id));
            } catch (IOException e) {
                throw io.corc.api.SecureFiles.ioFailure("remove the kubeconfig of " + id, e);
            }
        }
        records.delete(recordType, id);
        listener.onProgress("stopped " + id, 1, 1);
    }

    /**
     * Removes what corc created for the resource, in reverse order of creation; reused objects only leave the
     * record. An object recorded without an OCID (its create's answer was lost) is found by its corc-resource tag.
     *
     * @return what could not be removed (empty when everything is gone)
     */
    private List<String> remove(String id, OciCalls calls, ProgressListener listener) {
        List<String> left = new ArrayList<>();
        StateRecord record = records.get(recordType, id).orElse(null);
        if (record == null) {
            return left;
        }
        String compartment = record.string("compartment_id");
        List<Map<String, Object>> objects = new ArrayList<>(objects(record));
        Collections.reverse(objects);
        for (Map<String, Object> object : objects) {
            String type = String.valueOf(object.get("type"));
            String key = String.valueOf(object.get("key"));
            String objectId = object.get("id") == null ? null : String.valueOf(object.get("id"));
            boolean ours = !Boolean.FALSE.equals(object.get("corc"));
            try {
                if (ours) {
                    String vcnId = records.get(recordType, id)
                            .map(r -> r.string("vcn_id"))
                            .orElse(null);
                    List<String> targets =
                            objectId != null ? List.of(objectId) : findTagged(calls, type, id, compartment, vcnId);
                    for (String target : targets) {
                        // Once something could not be removed, what it uses cannot go either: try the rest once
                        // rather than wait out every "in use" answer.
                        patientDeletes.set(left.isEmpty());
                        delete(calls, type, target, listener);
                    }
                }
                records.update(recordType, id, r -> r == null ? null : dropObject(r, key));
            } catch (CorcException e) {
                left.add(type + " " + (objectId == null ? "(" + key + ")" : objectId) + ": " + e.getMessage());
            }
        }
        patientDeletes.remove();
        return left;
    }

    private List<String> findTagged(OciCalls calls, String type, String id, String compartment, String vcnId) {
        if (type.equals(CLUSTER) || type.equals(NODE_POOL)) {
            return new OciClusters(this, calls).findTagged(type, id, compartment);
        }
        if (!type.equals(VCN) && !type.equals(INSTANCE) && vcnId == null) {
            return List.of(); // its VCN was never created, so neither was it
        }
        List<Map<String, String>> found = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        switch (type) {
            case INSTANCE ->
                all(page -> calls.compute("ListInstances", c -> {
                            var r = c.listInstances(ListInstancesRequest.builder()
                                    .compartmentId(compartment)
                                    .page(page)
                                    .build());
                            return new Page<>(r.getItems(), r.getOpcNextPage());
                        }))
                        .stream()
                        .filter(i -> !"TERMINATED".equals(i.getLifecycleState().getValue()))
                        .filter(i -> tagged(i.getFreeformTags(), id))
                        .forEach(i -> ids.add(i.getId()));
            case VCN ->
                all(page -> calls.network("ListVcns", c -> {
                            var r = c.listVcns(ListVcnsRequest.builder()
                                    .compartmentId(compartment)
                                    .page(page)
                                    .build());
                            return new Page<>(r.getItems(), r.getOpcNextPage());
                        }))
                        .stream()
                        .filter(v -> !"TERMINATED".equals(v.getLifecycleState().getValue()))
                        .filter(v -> tagged(v.getFreeformTags(), id))
                        .forEach(v -> ids.add(v.getId()));
            case GATEWAY ->
                all(page -> calls.network("ListInternetGateways", c -> {
                            var r = c.listInternetGateways(ListInternetGatewaysRequest.builder()
                                    .compartmentId(compartment)
                                    .vcnId(vcnId)
                                    .page(page)
                                    .build());
                            return new Page<>(r.getItems(), r.getOpcNextPage());
                        }))
                        .stream()
                        .filter(g -> tagged(g.getFreeformTags(), id))
                        .forEach(g -> ids.add(g.getId()));
            case ROUTE_TABLE ->
                all(page -> calls.network("ListRouteTables", c -> {
                            var r = c.listRouteTables(ListRouteTablesRequest.builder()
                                    .compartmentId(compartment)
                                    .vcnId(vcnId)
                                    .page(page)
                                    .build());
                            return new Page<>(r.getItems(), r.getOpcNextPage());
                        }))
                        .stream()
                        .filter(t -> tagged(t.getFreeformTags(), id))
                        .forEach(t -> ids.add(t.getId()));
            case SECURITY_LIST ->
                all(page -> calls.network("ListSecurityLists", c -> {
                            var r = c.listSecurityLists(ListSecurityListsRequest.builder()
                                    .compartmentId(compartment)
                                    .vcnId(vcnId)
                                    .page(page)
                                    .build());
                            return new Page<>(r.getItems(), r.getOpcNextPage());
                        }))
                        .stream()
                        .filter(t -> tagged(t.getFreeformTags(), id))
                        .forEach(t -> ids.add(t.getId()));
            case SUBNET ->
                all(page -> calls.network("ListSubnets", c -> {
                            var r = c.listSubnets(ListSubnetsRequest.builder()
                                    .compartmentId(compartment)
                                    .vcnId(vcnId)
                                    .page(page)
                                    .build());
                            return new Page<>(r.getItems(), r.getOpcNextPage());
                        }))
                        .stream()
                        .filter(s -> tagged(s.getFreeformTags(), id))
                        .forEach(s -> ids.add(s.getId()));
            default -> throw CorcException.internal("unknown object type " + type + " in " + id, null);
        }
        found.clear();
        return ids;
    }

    private static boolean tagged(Map<String, String> tags, String id) {
        return tags != null && id.equals(tags.get(RESOURCE_TAG));
    }

    /** Whether deletes wait out 409 "in use" answers; false once a removal in the same pass failed. */
    private final ThreadLocal<Boolean> patientDeletes = ThreadLocal.withInitial(() -> true);

    private void delete(OciCalls calls, String type, String objectId, ProgressListener listener) {
        listener.onProgress("deleting " + type + " " + objectId, 0, -1);
        switch (type) {
            case CLUSTER, NODE_POOL -> new OciClusters(this, calls).delete(type, objectId, listener);
            case INSTANCE -> {
                ignoreNotFound(() -> calls.compute(
                        "TerminateInstance",
                        c -> c.terminateInstance(TerminateInstanceRequest.builder()
                                .instanceId(objectId)
                                .preserveBootVolume(false)
                                .build())));
                waitUntil("instance " + objectId + " to terminate", settings.waitTimeout(), () -> getInstance(
                                calls, objectId)
                        .map(i -> "TERMINATED".equals(i.getLifecycleState().getValue()))
                        .orElse(true));
            }
            case SECURITY_LIST ->
                deleteWhenFree(
                        "security list " + objectId,
                        () -> calls.network(
                                "DeleteSecurityList",
                                c -> c.deleteSecurityList(DeleteSecurityListRequest.builder()
                                        .securityListId(objectId)
                                        .build())));
            case SUBNET ->
                deleteWhenFree(
                        "subnet " + objectId,
                        () -> calls.network(
                                "DeleteSubnet",
                                c -> c.deleteSubnet(DeleteSubnetRequest.builder()
                                        .subnetId(objectId)
                                        .build())));
            case ROUTE_TABLE -> {
                // The route rules first: the table cannot go while a rule points at the gateway's successor, and a
                // table left behind by a failed delete no longer routes anywhere.
                deleteWhenFree(
                        "the route rules of " + objectId,
                        () -> calls.network(
                                "UpdateRouteTable",
                                c -> c.updateRouteTable(UpdateRouteTableRequest.builder()
                                        .rtId(objectId)
                                        .updateRouteTableDetails(UpdateRouteTableDetails.builder()
                                                .routeRules(List.of())
                                                .build())
                                        .build())));
                deleteWhenFree(
                        "route table " + objectId,
                        () -> calls.network(
                                "DeleteRouteTable",
                                c -> c.deleteRouteTable(DeleteRouteTableRequest.builder()
                                        .rtId(objectId)
                                        .build())));
            }
            case GATEWAY ->
                deleteWhenFree(
                        "internet gateway " + objectId,
                        () -> calls.network(
                                "DeleteInternetGateway",
                                c -> c.deleteInternetGateway(DeleteInternetGatewayRequest.builder()
                                        .igId(objectId)
                                        .build())));
            case VCN ->
                deleteWhenFree(
                        "VCN " + objectId,
                        () -> calls.network(
                                "DeleteVcn",
                                c -> c.deleteVcn(DeleteVcnRequest.builder()
                                        .vcnId(objectId)
                                        .build())));
            default -> throw CorcException.internal("unknown object type " + type, null);
        }
    }

    /** Deletes, waiting while OCI answers 409 (the object is still in use by one being deleted); gone is done. */
    private void deleteWhenFree(String what, Supplier<?> call) {
        if (!patientDeletes.get()) {
            try {
                call.get();
            } catch (CorcException e) {
                if (!OciCalls.isNotFound(e)) {
                    throw e;
                }
            }
            return;
        }
        waitUntil(what + " to be deleted", settings.waitTimeout(), () -> {
            try {
                call.get();
                return true;
            } catch (CorcException e) {
                if (OciCalls.isNotFound(e)) {
                    return true;
                }
                if (e.category() == ErrorCategory.CONFLICT) {
                    return false;
                }
                throw e;
            }
        });
    }

    private static void ignoreNotFound(Supplier<?> call) {
        try {
            call.get();
        } catch (CorcException e) {
            if (!OciCalls.isNotFound(e)) {
                throw e;
            }
        }
    }

    // ---- OCI lookups -------------------------------------------------------------------------------------------

    record Page<T>(List<T> items, String next) {}

    /** Every item of a listing, following {@code opc-next-page}. */
    static <T> List<T> all(java.util.function.Function<String, Page<T>> call) {
        List<T> items = new ArrayList<>();
        String page = null;
        do {
            Page<T> answer = call.apply(page);
            if (answer.items() != null) {
                items.addAll(answer.items());
            }
            page = answer.next();
        } while (page != null && !page.isBlank());
        return items;
    }

    private List<String> availabilityDomains(OciCalls calls, String compartment) {
        List<String> ads = calls
                .identity("ListAvailabilityDomains", c -> c.listAvailabilityDomains(
                                ListAvailabilityDomainsRequest.builder()
                                        .compartmentId(compartment)
                                        .build())
                        .getItems())
                .stream()
                .map(AvailabilityDomain::getName)
                .sorted()
                .toList();
        if (ads.isEmpty()) {
            throw new CorcException(
                            ErrorCategory.NOT_FOUND, "region " + calls.region() + " lists no availability domain")
                    .withHint("check the region of your OCI profile and that the tenancy is subscribed to it");
        }
        return ads;
    }

    private static List<Shape> shapes(OciCalls calls, String compartment, String ad) {
        return all(page -> calls.compute("ListShapes", c -> {
            var r = c.listShapes(ListShapesRequest.builder()
                    .compartmentId(compartment)
                    .availabilityDomain(ad)
                    .page(page)
                    .build());
            return new Page<>(r.getItems(), r.getOpcNextPage());
        }));
    }

    private static Image newestImage(OciCalls calls, String compartment, String os, String version, String shape) {
        List<Image> images = all(page -> calls.compute("ListImages", c -> {
            var r = c.listImages(ListImagesRequest.builder()
                    .compartmentId(compartment)
                    .operatingSystem(os)
                    .operatingSystemVersion(version == null || version.isBlank() ? null : version)
                    .shape(shape)
                    .lifecycleState(Image.LifecycleState.Available)
                    .sortBy(ListImagesRequest.SortBy.Timecreated)
                    .sortOrder(ListImagesRequest.SortOrder.Desc)
                    .page(page)
                    .build());
            return new Page<>(r.getItems(), r.getOpcNextPage());
        }));
        return images.stream()
                .max(Comparator.comparing(
                        (Image i) -> i.getTimeCreated() == null ? new java.util.Date(0) : i.getTimeCreated()))
                .orElseThrow(() -> CorcException.notFound("no " + os + (version == null ? "" : " " + version)
                                + " image compatible with shape " + shape)
                        .withHint("pick another operating system/version (providers.oci.instance.operating_system,"
                                + " operating_system_version) or give an image OCID"));
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private String compartment(Map<String, String> options) {
        String option = options.get("compartment_id");
        if (option != null && !option.isBlank()) {
            return option.strip();
        }
        return settings.compartmentId().strip();
    }

    List<String> keys(ResourceSpec spec) {
        List<String> keys = new ArrayList<>();
        for (String key : spec.sshPublicKeys()) {
            if (key != null && !key.isBlank() && !keys.contains(key.strip())) {
                keys.add(key.strip());
            }
        }
        for (String key : settings.extraKeys()) {
            if (key != null && !key.isBlank() && !keys.contains(key.strip())) {
                keys.add(key.strip());
            }
        }
        return keys;
    }

    private Map<String, String> tags(String id, ResourceSpec spec) {
        Map<String, String> tags = new LinkedHashMap<>(spec.tags());
        tags.put(OWNER_TAG, settings.owner());
        tags.put(RESOURCE_TAG, id);
        return tags;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CorcException(ErrorCategory.CANCELLED, "interrupted");
        }
    }

    void waitUntil(String what, Duration timeout, BooleanSupplier condition) {
        try {
            Polling.until(
                    what,
                    timeout,
                    settings.pollInterval(),
                    condition,
                    "raise providers.oci.wait_timeout_seconds (ssh_wait_seconds for SSH) or check the object in the OCI console");
        } catch (CorcException e) {
            throw e.withContext(provider(), null);
        }
    }

    private void recordReused(String id, String type, String objectId) {
        records.update(recordType, id, r -> {
            List<Map<String, Object>> objects = new ArrayList<>(objects(r));
            Map<String, Object> object = new LinkedHashMap<>();
            object.put("type", type);
            object.put("key", "reused-" + type);
            object.put("id", objectId);
            object.put("corc", false);
            objects.add(object);
            StateRecord next = r.with("objects", objects);
            return type.equals(VCN) ? next.with("vcn_id", objectId) : next;
        });
    }

    private void recordObject(String id, String type, String objectId, String state, String token, boolean ours) {
        records.update(recordType, id, r -> {
            List<Map<String, Object>> objects = new ArrayList<>(objects(r));
            int at = -1;
            for (int i = 0; i < objects.size(); i++) {
                if (token.equals(objects.get(i).get("key"))) {
                    at = i;
                }
            }
            Map<String, Object> object = new LinkedHashMap<>();
            object.put("type", type);
            object.put("key", token);
            object.put("retry_token", token);
            if (objectId != null) {
                object.put("id", objectId);
            }
            object.put("state", state);
            object.put("corc", ours);
            if (at >= 0) {
                objects.set(at, object);
            } else {
                objects.add(object);
            }
            return r.with("objects", objects);
        });
    }

    private static StateRecord dropObject(StateRecord r, String key) {
        List<Map<String, Object>> objects = new ArrayList<>(objects(r));
        objects.removeIf(o -> key.equals(String.valueOf(o.get("key"))));
        return r.with("objects", objects);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> objects(StateRecord record) {
        Object value = record == null ? null : record.data().get("objects");
        if (!(value instanceof List<?> list)) {
            return List.of();
        }
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object item : list) {
            if (item instanceof Map<?, ?> map) {
                objects.add((Map<String, Object>) map);
            }
        }
        return objects;
    }

    private static Optional<String> objectId(StateRecord record, String type) {
        return objects(record).stream()
                .filter(o -> type.equals(o.get("type")) && o.get("id") != null)
                .map(o -> String.valueOf(o.get("id")))
                .findFirst();
    }

    private OciCalls calls(String region) {
        if (region == null || region.isBlank()) {
            throw CorcException.invalidInput("no OCI region")
                    .withHint("set region in your OCI profile or pass --region");
        }
        return clients.computeIfAbsent(
                region,
                r -> new OciCalls(OciProfile.load(settings, home).authentication(), r, settings, jitter, baseDelay));
    }

    private <T> T withContext(String operation, Supplier<T> action) {
        try {
            return action.get();
        } catch (CorcException e) {
            throw e.plugin().isPresent() && e.operation().isPresent() ? e : e.withContext(provider(), operation);
        }
    }

    private boolean isSafeId(String id) {
        return id.matches((kind == ResourceKind.CLUSTER ? "oke" : "oci") + "-[0-9a-f]{1,32}");
    }
}
