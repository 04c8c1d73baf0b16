package io.corc.provider.jclouds;

import io.corc.api.CheckResult;
import io.corc.api.CloudObject;
import io.corc.api.CorcException;
import io.corc.api.Endpoint;
import io.corc.api.ErrorCategory;
import io.corc.api.Feature;
import io.corc.api.Features;
import io.corc.api.Orchestrator;
import io.corc.api.Plan;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.api.ResourceState;
import io.corc.api.StateRecord;
import io.corc.api.TestPause;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jclouds.ContextBuilder;
import org.jclouds.compute.ComputeService;
import org.jclouds.compute.ComputeServiceContext;
import org.jclouds.compute.RunNodesException;
import org.jclouds.compute.domain.Hardware;
import org.jclouds.compute.domain.NodeMetadata;
import org.jclouds.compute.domain.Processor;
import org.jclouds.compute.domain.Template;
import org.jclouds.compute.domain.TemplateBuilder;
import org.jclouds.openstack.nova.v2_0.compute.options.NovaTemplateOptions;
import org.jclouds.rest.AuthorizationException;

/**
 * One jclouds ComputeService behind corc's SPI. A {@value #RECORD_TYPE} record is written before the node is asked
 * for and gets the node id after, so a crash leaves a record {@code corc gc} can finish; a failed start destroys
 * the node it made. Nodes carry the user metadata {@code corc-owner=corc} and {@code corc-resource=<id>}. The
 * hardware chosen is the smallest meeting the minimums (cores, then memory); jclouds knows no prices, so plans have
 * none and placement ranks these offers after priced ones.
 */
final class JcloudsOrchestrator implements Orchestrator {
    static final String RECORD_TYPE = "jclouds-instance";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JcloudsSettings settings;
    private final RecordStore records;
    private ComputeServiceContext context;

    JcloudsOrchestrator(JcloudsSettings settings, RecordStore records) {
        this.settings = settings;
        this.records = records;
    }

    @Override
    public String provider() {
        return JcloudsOrchestratorFactory.NAME;
    }

    @Override
    public ResourceKind kind() {
        return ResourceKind.INSTANCE;
    }

    @Override
    public Features features() {
        return Features.of(Feature.INSTANCES, Feature.SHAPE_SELECTION, Feature.SSH_ACCESS)
                .without(Feature.PRICING, "jclouds' portable API has no prices")
                .without(Feature.SPOT, "jclouds' portable API has no spot or pre-emptible capacity")
                .without(Feature.GPUS, "jclouds' hardware profiles do not describe GPUs");
    }

    private synchronized ComputeService compute() {
        if (!settings.configured()) {
            throw CorcException.invalidInput("corc.providers.jclouds.provider is not set")
                    .withHint("set it to a jclouds provider or API id, e.g. openstack-nova, with endpoint, identity"
                            + " and credential");
        }
        if (context == null) {
            try {
                ContextBuilder builder = ContextBuilder.newBuilder(settings.provider())
                        .credentials(settings.identity(), settings.credential())
                        .overrides(settings.overrides());
                if (!settings.endpoint().isBlank()) {
                    builder.endpoint(settings.endpoint());
                }
                context = builder.buildView(ComputeServiceContext.class);
            } catch (RuntimeException e) {
                throw translate(e, "connect")
                        .withHint("check corc.providers.jclouds.provider (a jclouds provider or"
                                + " API id) and its endpoint");
            }
        }
        return context.getComputeService();
    }

    @Override
    public CheckResult check() {
        if (!settings.configured()) {
            return CheckResult.notConfigured(provider(), "corc.providers.jclouds.provider is not set");
        }
        try {
            int profiles = compute().listHardwareProfiles().size();
            return CheckResult.ok(provider(), settings.provider() + ": " + profiles + " hardware profiles");
        } catch (RuntimeException e) {
            return CheckResult.failed(provider(), settings.provider() + ": " + e.getMessage());
        }
    }

    @Override
    public Plan plan(ResourceSpec spec) {
        if (spec.gpus().count() > 0) {
            throw CorcException.invalidInput("the jclouds provider cannot ask for GPUs")
                    .withHint("use the oci or ec2 provider for GPUs");
        }
        Hardware hardware = hardware(spec);
        String region = region(spec);
        List<String> toCreate = List.of("node in group " + settings.group() + " (" + hardware.getId() + ")");
        return new Plan(
                provider(),
                ResourceKind.INSTANCE,
                region,
                hardware.getId(),
                (int) Math.ceil(cores(hardware)),
                hardware.getRam() / 1024.0,
                0,
                null,
                toCreate,
                "smallest of " + compute().listHardwareProfiles().size() + " " + settings.provider()
                        + " hardware profiles with >= " + spec.minCores() + " cores and >= " + spec.minMemoryGb()
                        + " GiB");
    }

    private String region(ResourceSpec spec) {
        if (spec.region() != null) {
            return spec.region();
        }
        return settings.region().isBlank() ? null : settings.region();
    }

    private Hardware hardware(ResourceSpec spec) {
        Set<? extends Hardware> all;
        try {
            all = compute().listHardwareProfiles();
        } catch (RuntimeException e) {
            throw translate(e, "plan");
        }
        Optional<String> wanted = Optional.ofNullable(spec.options().get("hardware_id"));
        return all.stream()
                .filter(h -> wanted.map(id -> id.equals(h.getId())).orElse(true))
                .filter(h -> cores(h) >= spec.minCores() && h.getRam() / 1024.0 >= spec.minMemoryGb())
                .min(Comparator.comparingDouble(JcloudsOrchestrator::cores)
                        .thenComparingInt(Hardware::getRam)
                        .thenComparing(Hardware::getId))
                .orElseThrow(() -> new CorcException(
                        ErrorCategory.CAPACITY,
                        "no " + settings.provider() + " hardware profile has >= " + spec.minCores()
                                + " cores and >= " + spec.minMemoryGb() + " GiB"
                                + wanted.map(id -> " with id " + id).orElse(""),
                        provider(),
                        "plan",
                        "ask for less, or list the profiles with 'corc jclouds orchestration instance plan'",
                        null));
    }

    private static double cores(Hardware hardware) {
        return hardware.getProcessors().stream()
                .mapToDouble(Processor::getCores)
                .sum();
    }

    @Override
    public Resource start(ResourceSpec spec, ProgressListener progress) {
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        Hardware hardware = hardware(spec);
        String id = "jclouds-" + HexFormat.of().formatHex(bytes());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", spec.name());
        data.put("provider", settings.provider());
        data.put("hardware", hardware.getId());
        if (spec.ttl() != null) {
            data.put("expires_at", Instant.now().plus(spec.ttl()).toString());
        }
        records.put(StateRecord.create(RECORD_TYPE, id, "creating", data));
        TestPause.at("jclouds:record");
        NodeMetadata node = null;
        try {
            listener.onProgress("creating node (" + hardware.getId() + ")", 0, 2);
            TemplateBuilder builder = compute().templateBuilder().hardwareId(hardware.getId());
            String imageId = spec.image().id() != null ? spec.image().id() : settings.imageId();
            String region = region(spec);
            if (!imageId.isBlank()) {
                builder.imageId(scopedImageId(imageId, region));
            }
            if (region != null) {
                builder.locationId(region);
            }
            Template template = builder.build();
            Map<String, String> metadata = new LinkedHashMap<>(spec.tags());
            metadata.put("corc-owner", "corc");
            metadata.put("corc-resource", id);
            template.getOptions().userMetadata(metadata).tags(List.of("corc", id));
            if (!settings.securityGroups().isEmpty()) {
                template.getOptions().securityGroups(settings.securityGroups());
            }
            if (template.getOptions() instanceof NovaTemplateOptions nova) {
                // Nova: no security group of jclouds' own (the project's default or the configured ones apply),
                // and the keys go in as cloud-init user data, so nothing needs SSH from jclouds or a key pair
                nova.inboundPorts();
                if (!spec.sshPublicKeys().isEmpty()) {
                    nova.userData(cloudConfig(spec.sshPublicKeys()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            } else if (!spec.sshPublicKeys().isEmpty()) {
                template.getOptions().authorizePublicKey(String.join("\n", spec.sshPublicKeys()));
            }
            Set<? extends NodeMetadata> nodes = compute().createNodesInGroup(settings.group(), 1, template);
            node = nodes.iterator().next();
            TestPause.at("jclouds:node");
            String nodeId = node.getId();
            records.update(RECORD_TYPE, id, r -> r.with("node_id", nodeId).withStatus("running"));
            listener.onProgress("node " + nodeId + " running", 2, 2);
            return resource(records.get(RECORD_TYPE, id).orElseThrow(), node);
        } catch (RunNodesException e) {
            for (NodeMetadata made : e.getSuccessfulNodes()) {
                destroyQuietly(made.getId(), e);
            }
            e.getNodeErrors().keySet().forEach(made -> destroyQuietly(made.getId(), e));
            // a server jclouds gave up on (Nova's ERROR, "No valid host", a time-out) is in neither list: find it
            // by corc's metadata, so nothing of a failed start is left
            try {
                String left = nodeByMetadata(id);
                if (left != null) {
                    destroyQuietly(left, e);
                }
            } catch (CorcException lookup) {
                e.addSuppressed(lookup);
            }
            records.delete(RECORD_TYPE, id);
            Throwable cause = firstCause(e);
            String message = cause == null ? e.getMessage() : String.valueOf(cause.getMessage());
            boolean quota = message.toLowerCase(java.util.Locale.ROOT).contains("quota");
            // Nova answers a reached quota with 403, which jclouds calls an authorisation failure
            ErrorCategory category = cause instanceof AuthorizationException && !quota
                    ? ErrorCategory.AUTHENTICATION
                    : ErrorCategory.CAPACITY;
            throw new CorcException(
                    category,
                    "jclouds could not start a node at " + settings.provider() + ": " + message,
                    provider(),
                    "start",
                    category == ErrorCategory.AUTHENTICATION
                            ? "check corc.providers.jclouds.identity and credential"
                            : quota
                                    ? "the project's quota is reached: stop something or ask for more"
                                    : "try another hardware profile or region",
                    e);
        } catch (RuntimeException e) {
            if (node != null) {
                destroyQuietly(node.getId(), e);
            }
            records.delete(RECORD_TYPE, id);
            throw translate(e, "start");
        }
    }

    /** cloud-init user data that authorises the keys for the image's default user. */
    static String cloudConfig(List<String> keys) {
        StringBuilder yaml = new StringBuilder("#cloud-config\nssh_authorized_keys:\n");
        keys.forEach(key -> yaml.append("  - \"")
                .append(key.strip().replace("\\", "\\\\").replace("\"", "\\\""))
                .append("\"\n"));
        return yaml.toString();
    }

    /** The error behind a failed createNodesInGroup: a call's or a node's (e.g. Nova's "No valid host"). */
    private static Throwable firstCause(RunNodesException e) {
        Throwable found = null;
        for (Throwable error : e.getExecutionErrors().values()) {
            found = error;
            break;
        }
        if (found == null) {
            for (Throwable error : e.getNodeErrors().values()) {
                found = error;
                break;
            }
        }
        while (found != null
                && found.getCause() != null
                && !(found instanceof AuthorizationException)
                && !(found instanceof org.jclouds.rest.InsufficientResourcesException)
                && (found instanceof java.util.concurrent.ExecutionException
                        || found instanceof com.google.common.util.concurrent.UncheckedExecutionException)) {
            found = found.getCause();
        }
        return found;
    }

    /** jclouds' OpenStack image ids are {@code region/uuid}; users give Nova's uuid. */
    private String scopedImageId(String imageId, String region) {
        if (!settings.openstack() || imageId.contains("/")) {
            return imageId;
        }
        String location = region != null
                ? region
                : compute().listAssignableLocations().stream()
                        .map(org.jclouds.domain.Location::getId)
                        .findFirst()
                        .orElse(null);
        return location == null ? imageId : location + "/" + imageId;
    }

    private static byte[] bytes() {
        byte[] bytes = new byte[5];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private void destroyQuietly(String nodeId, Exception cause) {
        try {
            compute().destroyNode(nodeId);
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private CorcException translate(RuntimeException e, String operation) {
        if (e instanceof CorcException corc) {
            return corc;
        }
        ErrorCategory category = e instanceof AuthorizationException
                ? ErrorCategory.AUTHENTICATION
                : e instanceof org.jclouds.rest.ResourceNotFoundException
                        ? ErrorCategory.NOT_FOUND
                        : e instanceof org.jclouds.rest.InsufficientResourcesException
                                ? ErrorCategory.CAPACITY
                                : e instanceof IllegalArgumentException
                                                || e instanceof NullPointerException
                                                || e instanceof java.util.NoSuchElementException
                                        ? ErrorCategory.INVALID_INPUT
                                        : ErrorCategory.UNAVAILABLE;
        String hint = category == ErrorCategory.AUTHENTICATION
                ? "check corc.providers.jclouds.identity and credential (or JCLOUDS_IDENTITY/JCLOUDS_CREDENTIAL)"
                : "'corc check' shows whether " + settings.provider() + " answers";
        return new CorcException(category, settings.provider() + ": " + e.getMessage(), provider(), operation, hint, e);
    }

    @Override
    public Optional<Resource> get(String id) {
        if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,199}")) {
            return Optional.empty();
        }
        return records.get(RECORD_TYPE, id).map(record -> resource(record, node(record)));
    }

    private NodeMetadata node(StateRecord record) {
        String nodeId = record.string("node_id");
        if (nodeId == null || !settings.configured()) {
            return null;
        }
        try {
            return compute().getNodeMetadata(nodeId);
        } catch (RuntimeException e) {
            throw translate(e, "get");
        }
    }

    @Override
    public List<Resource> list() {
        List<Resource> resources = new ArrayList<>();
        for (StateRecord record : records.list(RECORD_TYPE)) {
            resources.add(resource(record, node(record)));
        }
        return resources;
    }

    private Resource resource(StateRecord record, NodeMetadata node) {
        ResourceState state = node == null
                ? ("creating".equals(record.status()) ? ResourceState.FAILED : ResourceState.UNKNOWN)
                : switch (node.getStatus()) {
                    case RUNNING -> ResourceState.RUNNING;
                    case PENDING -> ResourceState.STARTING;
                    case SUSPENDED, TERMINATED -> ResourceState.STOPPED;
                    case ERROR -> ResourceState.FAILED;
                    default -> ResourceState.UNKNOWN;
                };
        List<Endpoint> endpoints = new ArrayList<>();
        List<CloudObject> objects = new ArrayList<>();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("jclouds_provider", String.valueOf(record.string("provider")));
        details.put("shape", String.valueOf(record.string("hardware")));
        if (node == null && "creating".equals(record.status())) {
            details.put("reason", "the start did not finish (corc stopped while the node was being created)");
        }
        if (node != null) {
            objects.add(new CloudObject("node", node.getId(), true));
            String user = !settings.sshUser().isBlank()
                    ? settings.sshUser()
                    : node.getCredentials() != null && node.getCredentials().getUser() != null
                            ? node.getCredentials().getUser()
                            : "root";
            String host = node.getPublicAddresses().isEmpty()
                    ? node.getPrivateAddresses().stream().findFirst().orElse(null)
                    : node.getPublicAddresses().iterator().next();
            if (host != null) {
                endpoints.add(new Endpoint("ssh", host, node.getLoginPort() > 0 ? node.getLoginPort() : 22, user));
            }
            org.jclouds.domain.Location location = node.getLocation();
            // a node's location may be its host (OpenStack): report the region or zone it belongs to
            while (location != null
                    && location.getScope() == org.jclouds.domain.LocationScope.HOST
                    && location.getParent() != null) {
                location = location.getParent();
            }
            if (location != null) {
                details.put("location", location.getId());
            }
        }
        String expires = record.string("expires_at");
        return new Resource(
                record.id(),
                provider(),
                ResourceKind.INSTANCE,
                String.valueOf(record.string("name")),
                state,
                endpoints,
                objects,
                record.createdAt(),
                expires == null ? null : Instant.parse(expires),
                details);
    }

    @Override
    public void stop(String id, ProgressListener progress) {
        if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,199}")) {
            return;
        }
        Optional<StateRecord> record = records.get(RECORD_TYPE, id);
        if (record.isEmpty()) {
            return;
        }
        String nodeId = record.get().string("node_id");
        if (nodeId == null) {
            // corc stopped between asking for the node and recording its id: find it by corc's metadata
            nodeId = nodeByMetadata(id);
        }
        if (nodeId != null) {
            if (progress != null) {
                progress.onProgress("destroying node " + nodeId, 0, 1);
            }
            try {
                compute().destroyNode(nodeId);
            } catch (RuntimeException e) {
                throw translate(e, "stop").withHint("the record stays; 'corc gc --apply' retries");
            }
        }
        records.delete(RECORD_TYPE, id);
    }

    /** The id of the live node whose user metadata names resource {@code id}, or {@code null}. */
    private String nodeByMetadata(String id) {
        try {
            return compute().listNodesDetailsMatching(node -> node != null).stream()
                    .filter(node -> node.getStatus() != NodeMetadata.Status.TERMINATED)
                    .filter(node -> id.equals(node.getUserMetadata().get("corc-resource")))
                    .map(NodeMetadata::getId)
                    .findFirst()
                    .orElse(null);
        } catch (RuntimeException e) {
            throw translate(e, "stop").withHint("the record stays; 'corc gc --apply' retries");
        }
    }

    /**
     * Every hardware profile that meets the minimums (smallest first, at most {@value #MAX_CHOICES}), each pinned
     * with {@code hardware_id}, so placement ranks them with the other providers' offers.
     */
    @Override
    public List<io.corc.api.PlanChoice> plans(ResourceSpec spec) {
        if (spec.options().containsKey("hardware_id")) {
            return List.of(new io.corc.api.PlanChoice(plan(spec), Map.of()));
        }
        Plan first = plan(spec); // the errors of plan (GPUs, nothing fits) apply to the whole list
        List<io.corc.api.PlanChoice> choices = new ArrayList<>();
        for (Hardware hardware : fitting(spec)) {
            if (choices.size() == MAX_CHOICES) {
                break;
            }
            Map<String, String> options = new LinkedHashMap<>(spec.options());
            options.put("hardware_id", hardware.getId());
            Plan plan = hardware.getId().equals(first.shape()) ? first : plan(withOptions(spec, options));
            choices.add(new io.corc.api.PlanChoice(plan, Map.of("hardware_id", hardware.getId())));
        }
        return choices;
    }

    static final int MAX_CHOICES = 3;

    private List<Hardware> fitting(ResourceSpec spec) {
        return compute().listHardwareProfiles().stream()
                .filter(h -> cores(h) >= spec.minCores() && h.getRam() / 1024.0 >= spec.minMemoryGb())
                .sorted(Comparator.comparingDouble((Hardware h) -> cores(h))
                        .thenComparingInt(Hardware::getRam)
                        .thenComparing(Hardware::getId))
                .map(h -> (Hardware) h)
                .toList();
    }

    private static ResourceSpec withOptions(ResourceSpec spec, Map<String, String> options) {
        return new ResourceSpec(
                spec.name(),
                spec.kind(),
                spec.minCores(),
                spec.minMemoryGb(),
                spec.gpus(),
                spec.architecture(),
                spec.image(),
                spec.region(),
                spec.zone(),
                spec.spot(),
                spec.ttl(),
                spec.tags(),
                spec.sshPublicKeys(),
                options);
    }

    /** Whether the node is gone or terminated at the provider (for tests). */
    boolean nodeGone(String nodeId) {
        NodeMetadata node = compute().getNodeMetadata(nodeId);
        return node == null || node.getStatus() == NodeMetadata.Status.TERMINATED;
    }
}
