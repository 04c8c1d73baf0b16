package io.corc.provider.ec2;

import static java.util.Objects.requireNonNull;

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
import io.corc.api.TestPause;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AuthorizeSecurityGroupIngressRequest;
import software.amazon.awssdk.services.ec2.model.CreateSecurityGroupRequest;
import software.amazon.awssdk.services.ec2.model.DeleteKeyPairRequest;
import software.amazon.awssdk.services.ec2.model.DeleteSecurityGroupRequest;
import software.amazon.awssdk.services.ec2.model.DescribeAvailabilityZonesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeKeyPairsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSecurityGroupsRequest;
import software.amazon.awssdk.services.ec2.model.GetConsoleOutputRequest;
import software.amazon.awssdk.services.ec2.model.ImportKeyPairRequest;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceMarketOptionsRequest;
import software.amazon.awssdk.services.ec2.model.InstanceNetworkInterfaceSpecification;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.KeyPairInfo;
import software.amazon.awssdk.services.ec2.model.MarketType;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.SpotMarketOptions;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest;

/**
 * EC2 instances. A resource is one {@code ec2-instance} record naming the objects corc created for it, in order: the
 * key pair holding the first SSH key, a security group allowing SSH from one CIDR, the instance. Each object is
 * recorded (name, state {@code creating}) before its create call and with its id after it, so that a crash leaves
 * enough to find it again (by name, or by the RunInstances ClientToken) and {@code stop} / rollback remove it.
 */
final class Ec2InstanceOrchestrator implements Orchestrator {
    static final String RECORD_TYPE = "ec2-instance";
    static final String OWNER_TAG = "corc-owner";
    static final String RESOURCE_TAG = "corc-resource";
    static final Features FEATURES = Features.of(
                    Feature.INSTANCES,
                    Feature.SHAPE_SELECTION,
                    Feature.GPUS,
                    Feature.SPOT,
                    Feature.PRICING,
                    Feature.SSH_ACCESS)
            .without(Feature.CLUSTERS, Ec2OrchestratorFactory.NO_CLUSTERS);

    private static final String KEY_PAIR = "key-pair";
    private static final String SECURITY_GROUP = "security-group";
    private static final String INSTANCE = "instance";

    private final Ec2Settings settings;
    private final RecordStore records;
    private final Random jitter;
    private final Duration baseDelay;
    private final Ec2Credentials credentials;
    private final Map<String, Ec2Calls> clients = new ConcurrentHashMap<>();
    private final SecureRandom ids = new SecureRandom();
    private volatile PriceCatalog prices;

    Ec2InstanceOrchestrator(Ec2Settings settings, RecordStore records, Random jitter, Duration baseDelay) {
        this.settings = requireNonNull(settings, "settings is null");
        this.records = requireNonNull(records, "records is null");
        this.jitter = requireNonNull(jitter, "jitter is null");
        this.baseDelay = requireNonNull(baseDelay, "baseDelay is null");
        this.credentials = new Ec2Credentials(settings);
    }

    @Override
    public String provider() {
        return Ec2OrchestratorFactory.NAME;
    }

    @Override
    public ResourceKind kind() {
        return ResourceKind.INSTANCE;
    }

    @Override
    public Features features() {
        return FEATURES;
    }

    // ---- check -------------------------------------------------------------------------------------------------

    @Override
    public CheckResult check() {
        Optional<String> source = credentials.source();
        boolean metadata = !"true".equalsIgnoreCase(settings.env().getOrDefault("AWS_EC2_METADATA_DISABLED", ""));
        Optional<String> region;
        try {
            region = credentials.region(null);
        } catch (CorcException e) {
            return CheckResult.failed(
                    provider(),
                    e.getMessage() + e.hint().map(h -> " (" + h + ")").orElse(""));
        }
        if (source.isEmpty() && region.isEmpty()) {
            return CheckResult.notConfigured(provider(), credentials.whatIsMissing() + "; no AWS region is set");
        }
        if (region.isEmpty()) {
            return CheckResult.failed(
                    provider(),
                    "no AWS region: set providers.ec2.profile.region, AWS_REGION or 'region' in profile '"
                            + settings.profileName() + "' of " + settings.configFile());
        }
        if (source.isEmpty() && !metadata) {
            return CheckResult.failed(provider(), credentials.whatIsMissing());
        }
        try {
            int zones = calls(region.get())
                    .call("DescribeAvailabilityZones", ec2 -> ec2.describeAvailabilityZones(
                                    DescribeAvailabilityZonesRequest.builder().build())
                            .availabilityZones())
                    .size();
            return CheckResult.ok(
                    provider(),
                    "region " + region.get() + " (" + zones + " zones), credentials from "
                            + source.orElse("the instance or container metadata endpoint"));
        } catch (CorcException e) {
            String reason = e.getMessage() + e.hint().map(h -> " (" + h + ")").orElse("");
            if (source.isEmpty() && e.category() == ErrorCategory.AUTHENTICATION) {
                return CheckResult.failed(provider(), credentials.whatIsMissing());
            }
            return CheckResult.failed(provider(), reason);
        }
    }

    // ---- plan --------------------------------------------------------------------------------------------------

    /** Everything start needs, decided without side effects. */
    private record Decision(
            String region,
            Ec2Calls calls,
            Network.Placement placement,
            InstanceTypes.Selection types,
            Images.Choice image) {}

    private Decision decide(ResourceSpec spec) {
        String region = credentials.requireRegion(spec.region());
        Ec2Calls calls = calls(region);
        Network.Placement placement = new Network(calls).resolve(settings, spec.zone());
        String named = spec.options().getOrDefault("instance_type", settings.instanceType());
        InstanceTypes.Selection types =
                new InstanceTypes(calls, prices()).select(spec, named, region, placement.zones());
        Images.Choice image =
                new Images(calls).resolve(spec.image(), settings, types.first().architecture());
        return new Decision(region, calls, placement, types, image);
    }

    @Override
    public Plan plan(ResourceSpec spec) {
        requireNonNull(spec, "spec is null");
        Decision decision = withContext("plan", () -> decide(spec));
        return planOf(spec, decision, decision.types().first(), true);
    }

    /** Placement ranks at most this many instance types of one EC2 plan (the smallest fitting ones). */
    static final int MAX_OFFERS = 3;

    /**
     * The smallest fitting instance types (up to {@value #MAX_OFFERS}, from the same describe calls as {@link
     * #plan}), each pinned with {@code instance_type} so that placement ranks them by their own prices against every
     * other provider's offers. A type named by the spec or the settings gives that one offer.
     */
    @Override
    public List<io.corc.api.PlanChoice> plans(ResourceSpec spec) {
        requireNonNull(spec, "spec is null");
        Decision decision = withContext("plan", () -> decide(spec));
        boolean pinned = spec.options().containsKey("instance_type")
                || !settings.instanceType().isBlank();
        List<InstanceTypes.Candidate> candidates = decision.types().candidates();
        if (pinned) {
            return List.of(new io.corc.api.PlanChoice(planOf(spec, decision, candidates.get(0), true), Map.of()));
        }
        List<io.corc.api.PlanChoice> choices = new ArrayList<>();
        for (InstanceTypes.Candidate type : candidates.subList(0, Math.min(MAX_OFFERS, candidates.size()))) {
            choices.add(new io.corc.api.PlanChoice(
                    planOf(spec, decision, type, false), Map.of("instance_type", type.name())));
        }
        return choices;
    }

    private Plan planOf(ResourceSpec spec, Decision decision, InstanceTypes.Candidate first, boolean withFallback) {
        List<String> toCreate = new ArrayList<>();
        if (!keys(spec).isEmpty()) {
            toCreate.add("key pair corc-<id> (" + keys(spec).size() + " SSH key(s))");
        }
        toCreate.add("security group corc-<id> in " + decision.placement().why() + ": SSH (tcp/" + settings.sshPort()
                + ") from " + (settings.sshCidr().isBlank() ? "this machine's public address" : settings.sshCidr()));
        toCreate.add((spec.spot() ? "spot " : "") + "instance " + first.name() + " in "
                + String.join(" or ", first.zones()) + " from "
                + decision.image().id() + " (" + decision.image().name()
                + "), login " + decision.image().user());
        String fallback = withFallback && attemptOrder(spec, decision.types()).size() > 1
                ? "; on capacity or quota errors corc tries " + describeAttempts(spec, decision.types())
                : "";
        return new Plan(
                provider(),
                ResourceKind.INSTANCE,
                decision.region(),
                first.name(),
                first.vcpus(),
                first.memoryGib(),
                first.gpus(),
                first.hourlyPrice(),
                toCreate,
                (withFallback
                                ? decision.types().reason()
                                : "offering " + first.name() + " of the "
                                        + decision.types().reason())
                        + (spec.spot() ? " (on-demand price; spot is usually lower)" : "") + "; "
                        + decision.image().why() + fallback);
    }

    // ---- start -------------------------------------------------------------------------------------------------

    /** One RunInstances try: a type in a zone, spot or on-demand. */
    private record Attempt(InstanceTypes.Candidate type, String zone, boolean spot) {
        String describe() {
            return type.name() + " in " + zone + (spot ? " (spot)" : "");
        }
    }

    @Override
    public Resource start(ResourceSpec spec, ProgressListener progress) {
        requireNonNull(spec, "spec is null");
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        listener.onProgress("choosing instance type, image and network", 0, -1);
        Decision decision = withContext("instance start", () -> decide(spec));
        String cidr = withContext("instance start", this::sshCidr);
        String id = "ec2-" + HexFormat.of().formatHex(randomBytes());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", spec.name());
        data.put("region", decision.region());
        data.put("vpc_id", decision.placement().vpcId());
        data.put("image_id", decision.image().id());
        data.put("ssh_user", decision.image().user());
        data.put("spot", spec.spot());
        data.put("objects", List.of());
        data.put("attempts", List.of());
        if (spec.ttl() != null) {
            data.put("expires_at", Instant.now().plus(spec.ttl()).toString());
        }
        records.put(StateRecord.create(RECORD_TYPE, id, "starting", data));
        TestPause.at("ec2:record");
        Ec2Calls calls = decision.calls();
        try {
            List<Tag> tags = tags(id, spec);
            List<String> keys = keys(spec);
            String keyName = null;
            if (!keys.isEmpty()) {
                keyName = importKeyPair(calls, id, keys.get(0), tags, listener);
            } else {
                listener.onProgress("no SSH public key given: the instance will not be reachable over SSH", 0, -1);
            }
            String groupId = createSecurityGroup(calls, id, decision.placement().vpcId(), cidr, tags, listener);
            Instance instance = launch(calls, id, spec, decision, keyName, groupId, keys, tags, listener);
            TestPause.at("ec2:instance");
            instance = waitForRunning(calls, id, instance.instanceId(), listener);
            Instance running = instance;
            records.update(RECORD_TYPE, id, r -> r.with("public_ip", nullToEmpty(running.publicIpAddress()))
                    .with("private_ip", nullToEmpty(running.privateIpAddress())));
            String instanceId = instance.instanceId();
            TestPause.at("ec2:ssh-wait");
            String hostKeys = waitForSsh(address(instance), () -> hostKeys(calls, instanceId), listener);
            if (!hostKeys.isEmpty()) {
                records.update(RECORD_TYPE, id, r -> r.with("ssh_host_keys", hostKeys));
            }
            StateRecord done = records.update(RECORD_TYPE, id, r -> r.withStatus("running"));
            listener.onProgress("instance " + instance.instanceId() + " is running", 1, 1);
            return toResource(done, instance);
        } catch (RuntimeException e) {
            listener.onProgress("start failed, rolling back what was created", 0, -1);
            RuntimeException failure =
                    e instanceof CorcException corc && corc.plugin().isEmpty()
                            ? corc.withContext(provider(), "instance start")
                            : e;
            List<String> left = remove(id, calls, listener);
            if (left.isEmpty()) {
                records.delete(RECORD_TYPE, id);
            } else {
                records.update(
                        RECORD_TYPE,
                        id,
                        r -> r == null
                                ? null
                                : r.withStatus("rollback-pending").with("error", String.valueOf(failure.getMessage())));
                CorcException cleanup = new CorcException(
                                ErrorCategory.UNAVAILABLE, "rollback of " + id + " left: " + String.join("; ", left))
                        .withHint("run 'corc ec2 orchestration instance stop " + id + "' or 'corc gc --apply' later");
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[4];
        ids.nextBytes(bytes);
        return bytes;
    }

    private String importKeyPair(Ec2Calls calls, String id, String publicKey, List<Tag> tags, ProgressListener l) {
        String name = "corc-" + id;
        recordObject(id, KEY_PAIR, name, null, "creating", null);
        l.onProgress("importing key pair " + name, 0, -1);
        String keyId;
        try {
            keyId = calls.call("ImportKeyPair", ec2 -> ec2.importKeyPair(ImportKeyPairRequest.builder()
                            .keyName(name)
                            .publicKeyMaterial(
                                    software.amazon.awssdk.core.SdkBytes.fromString(publicKey, StandardCharsets.UTF_8))
                            .tagSpecifications(tagSpec(ResourceType.KEY_PAIR, tags))
                            .build())
                    .keyPairId());
        } catch (CorcException e) {
            if (!Ec2Errors.code(e.getCause()).equals("InvalidKeyPair.Duplicate")) {
                throw e;
            }
            // An earlier attempt of this very call created it and its answer was lost: the name holds our id.
            keyId = calls
                    .call("DescribeKeyPairs", ec2 -> ec2.describeKeyPairs(DescribeKeyPairsRequest.builder()
                                    .keyNames(name)
                                    .build())
                            .keyPairs())
                    .stream()
                    .map(KeyPairInfo::keyPairId)
                    .findFirst()
                    .orElse(null);
        }
        TestPause.at("ec2:key-pair");
        recordObject(id, KEY_PAIR, name, keyId == null ? name : keyId, "created", null);
        return name;
    }

    private String createSecurityGroup(
            Ec2Calls calls, String id, String vpcId, String cidr, List<Tag> tags, ProgressListener l) {
        String name = "corc-" + id;
        recordObject(id, SECURITY_GROUP, name, null, "creating", null);
        l.onProgress("creating security group " + name + " (SSH from " + cidr + ")", 0, -1);
        String groupId;
        try {
            groupId = calls.call(
                    "CreateSecurityGroup", ec2 -> ec2.createSecurityGroup(CreateSecurityGroupRequest.builder()
                                    .groupName(name)
                                    .description("corc " + id + ": SSH from " + cidr)
                                    .vpcId(vpcId)
                                    .tagSpecifications(tagSpec(ResourceType.SECURITY_GROUP, tags))
                                    .build())
                            .groupId());
        } catch (CorcException e) {
            if (!Ec2Errors.code(e.getCause()).equals("InvalidGroup.Duplicate")) {
                throw e;
            }
            groupId = findGroup(calls, name, vpcId).orElseThrow(() -> e);
        }
        TestPause.at("ec2:security-group");
        recordObject(id, SECURITY_GROUP, name, groupId, "created", null);
        String group = groupId;
        try {
            calls.call(
                    "AuthorizeSecurityGroupIngress",
                    ec2 -> ec2.authorizeSecurityGroupIngress(AuthorizeSecurityGroupIngressRequest.builder()
                            .groupId(group)
                            .ipPermissions(IpPermission.builder()
                                    .ipProtocol("tcp")
                                    .fromPort(settings.sshPort())
                                    .toPort(settings.sshPort())
                                    .ipRanges(IpRange.builder()
                                            .cidrIp(cidr)
                                            .description("corc SSH")
                                            .build())
                                    .build())
                            .build()));
        } catch (CorcException e) {
            if (!Ec2Errors.code(e.getCause()).equals("InvalidPermission.Duplicate")) {
                throw e;
            }
        }
        return groupId;
    }

    private Optional<String> findGroup(Ec2Calls calls, String name, String vpcId) {
        List<software.amazon.awssdk.services.ec2.model.Filter> filters = new ArrayList<>();
        filters.add(InstanceTypes.filter("group-name", name));
        if (vpcId != null && !vpcId.isBlank()) {
            filters.add(InstanceTypes.filter("vpc-id", vpcId));
        }
        return calls
                .call("DescribeSecurityGroups", ec2 -> ec2.describeSecurityGroups(
                                DescribeSecurityGroupsRequest.builder()
                                        .filters(filters)
                                        .build())
                        .securityGroups())
                .stream()
                .map(SecurityGroup::groupId)
                .findFirst();
    }

    private List<Attempt> attemptOrder(ResourceSpec spec, InstanceTypes.Selection types) {
        List<Boolean> markets = new ArrayList<>();
        if (spec.spot()) {
            markets.add(true);
            if (spotFallback(spec)) {
                markets.add(false);
            }
        } else {
            markets.add(false);
        }
        List<Attempt> attempts = new ArrayList<>();
        List<InstanceTypes.Candidate> candidates =
                types.candidates().subList(0, Math.min(types.candidates().size(), settings.maxInstanceTypes()));
        for (boolean spot : markets) {
            for (InstanceTypes.Candidate type : candidates) {
                for (String zone : type.zones()) {
                    attempts.add(new Attempt(type, zone, spot));
                }
            }
        }
        return attempts;
    }

    private String describeAttempts(ResourceSpec spec, InstanceTypes.Selection types) {
        List<Attempt> attempts = attemptOrder(spec, types);
        List<String> parts =
                attempts.stream().skip(1).limit(6).map(Attempt::describe).toList();
        return String.join(", ", parts) + (attempts.size() > 7 ? " and " + (attempts.size() - 7) + " more" : "");
    }

    private boolean spotFallback(ResourceSpec spec) {
        String option = spec.options().get("spot_fallback");
        return option == null ? settings.spotOnDemandFallback() : Boolean.parseBoolean(option.strip());
    }

    private Instance launch(
            Ec2Calls calls,
            String id,
            ResourceSpec spec,
            Decision decision,
            String keyName,
            String groupId,
            List<String> keys,
            List<Tag> tags,
            ProgressListener listener) {
        List<Attempt> attempts = attemptOrder(spec, decision.types());
        List<String> failures = new ArrayList<>();
        String maxPrice = spec.options().getOrDefault("spot_max_price", settings.spotMaxPrice());
        int number = 0;
        java.util.Set<String> overQuota = new java.util.HashSet<>();
        for (Attempt attempt : attempts) {
            if (overQuota.contains(attempt.type().name() + "/" + attempt.spot())) {
                continue; // a quota holds in every zone of the region: the next type may fit in it
            }
            number++;
            // The token is the resource id and the attempt number: the SDK's retries of this call resend it, so EC2
            // launches at most one instance per attempt, while a new attempt (another type or zone) gets its own.
            String token = id + "-" + number;
            listener.onProgress(
                    "attempt " + number + "/" + attempts.size() + ": launching " + attempt.describe(),
                    number - 1,
                    attempts.size());
            recordObject(id, INSTANCE, attempt.type().name(), null, "creating", token);
            RunInstancesRequest.Builder request = RunInstancesRequest.builder()
                    .imageId(decision.image().id())
                    .instanceType(attempt.type().name())
                    .minCount(1)
                    .maxCount(1)
                    .clientToken(token);
            List<Tag> named = withName(tags, spec.name());
            List<TagSpecification> tagSpecs = new ArrayList<>(List.of(
                    tagSpec(ResourceType.INSTANCE, named),
                    tagSpec(ResourceType.VOLUME, named),
                    tagSpec(ResourceType.NETWORK_INTERFACE, named)));
            String subnetId = decision.placement().subnetByZone().get(attempt.zone());
            if (settings.publicIp().equals("auto")) {
                request.subnetId(subnetId).securityGroupIds(groupId);
            } else {
                // Asking for (or against) a public address needs the network interface spelled out.
                request.networkInterfaces(InstanceNetworkInterfaceSpecification.builder()
                        .deviceIndex(0)
                        .subnetId(subnetId)
                        .groups(groupId)
                        .associatePublicIpAddress(settings.publicIp().equals("true"))
                        .deleteOnTermination(true)
                        .build());
            }
            if (keyName != null) {
                request.keyName(keyName);
            }
            if (keys.size() > 1) {
                request.userData(userData(keys));
            }
            if (attempt.spot()) {
                SpotMarketOptions.Builder options = SpotMarketOptions.builder()
                        .spotInstanceType("one-time")
                        .instanceInterruptionBehavior("terminate");
                if (maxPrice != null && !maxPrice.isBlank()) {
                    options.maxPrice(maxPrice.strip());
                }
                request.instanceMarketOptions(InstanceMarketOptionsRequest.builder()
                        .marketType(MarketType.SPOT)
                        .spotOptions(options.build())
                        .build());
                tagSpecs.add(tagSpec(ResourceType.SPOT_INSTANCES_REQUEST, named));
            }
            request.tagSpecifications(tagSpecs);
            try {
                Reservation reservation = calls.call("RunInstances", ec2 -> runInstances(ec2, request.build()));
                Instance instance = reservation.instances().get(0);
                records.update(RECORD_TYPE, id, r -> setObject(r, token, instance.instanceId(), "created")
                        .with("instance_type", attempt.type().name())
                        .with("zone", attempt.zone())
                        .with("subnet_id", decision.placement().subnetByZone().get(attempt.zone()))
                        .with("market", attempt.spot() ? "spot" : "on-demand")
                        .with("attempts", append(r, "attempts", attempt.describe() + ": launched")));
                listener.onProgress(
                        "attempt " + number + ": launched " + instance.instanceId() + " (" + attempt.describe() + ")",
                        number,
                        attempts.size());
                return instance;
            } catch (CorcException e) {
                if (e.getCause() == null || !Ec2Errors.isCapacity(e.getCause())) {
                    throw e;
                }
                String why = Ec2Errors.code(e.getCause()) + ": " + e.getMessage();
                failures.add(attempt.describe() + ": " + Ec2Errors.code(e.getCause()));
                if (Ec2Errors.isQuota(e.getCause())) {
                    overQuota.add(attempt.type().name() + "/" + attempt.spot());
                }
                // EC2 refused the launch, so this attempt created nothing: its intent can go.
                records.update(RECORD_TYPE, id, r -> dropObject(r, token)
                        .with("attempts", append(r, "attempts", attempt.describe() + ": " + why)));
                listener.onProgress(
                        "attempt " + number + " failed: " + attempt.describe() + ": " + Ec2Errors.code(e.getCause()),
                        number,
                        attempts.size());
            }
        }
        throw new CorcException(
                        ErrorCategory.CAPACITY,
                        "no instance could be launched after " + failures.size() + " attempt(s): "
                                + String.join("; ", failures))
                .withHint(
                        spec.spot() && !spotFallback(spec)
                                ? "allow on-demand instead (--option spot_fallback=true or providers.ec2.spot.on_demand_fallback),"
                                        + " raise --option spot_max_price, or try another region"
                                : "try another region (--region), raise providers.ec2.max_instance_types, or ask AWS for a"
                                        + " higher quota")
                .withContext(provider(), "instance start");
    }

    private static Reservation runInstances(Ec2Client ec2, RunInstancesRequest request) {
        var response = ec2.runInstances(request);
        return Reservation.builder()
                .reservationId(response.reservationId())
                .instances(response.instances())
                .build();
    }

    private static String userData(List<String> keys) {
        StringBuilder yaml = new StringBuilder("#cloud-config\nssh_authorized_keys:\n");
        for (String key : keys) {
            yaml.append("  - ").append(key.strip().replace("\n", " ")).append('\n');
        }
        return Base64.getEncoder().encodeToString(yaml.toString().getBytes(StandardCharsets.UTF_8));
    }

    private Instance waitForRunning(Ec2Calls calls, String id, String instanceId, ProgressListener listener) {
        listener.onProgress("waiting for " + instanceId + " to run", 0, -1);
        Instance[] last = new Instance[1];
        waitUntil("instance " + instanceId + " to run", settings.waitTimeout(), () -> {
            Optional<Instance> instance =
                    describe(calls, List.of(instanceId)).stream().findFirst();
            if (instance.isEmpty()) {
                return false; // eventual consistency: a new instance may not be described yet
            }
            last[0] = instance.get();
            String state = instance.get().state().nameAsString();
            if (state.equals("shutting-down") || state.equals("terminated") || state.equals("stopped")) {
                String reason = instance.get().stateReason() == null
                        ? state
                        : instance.get().stateReason().message();
                throw new CorcException(
                                ErrorCategory.CAPACITY,
                                "instance " + instanceId + " of " + id + " ended while starting: " + reason)
                        .withHint("spot capacity may have been reclaimed; try again or without --spot")
                        .withContext(provider(), "instance start");
            }
            return state.equals("running");
        });
        return last[0];
    }

    /**
     * Waits for the SSH banner (unless the wait is off) while reading the host keys cloud-init prints to the
     * console, so corc's first connection can be verified instead of trusted on first use.
     *
     * @return the host keys, one OpenSSH line each, or an empty string when the console did not show them (yet)
     */
    private String waitForSsh(String host, java.util.function.Supplier<String> consoleKeys, ProgressListener listener) {
        String[] keys = {""};
        if (settings.sshWait().isZero() || host == null) {
            keys[0] = consoleKeys.get();
            return keys[0];
        }
        listener.onProgress("waiting for SSH on " + host + ":" + settings.sshPort(), 0, -1);
        waitUntil("SSH on " + host + ":" + settings.sshPort() + " to answer", settings.sshWait(), () -> {
            if (keys[0].isEmpty()) {
                keys[0] = consoleKeys.get();
            }
            return sshAnswers(host);
        });
        return keys[0].isEmpty() ? consoleKeys.get() : keys[0];
    }

    /** The SSH host keys in the instance's console output (cloud-init's block), or "" when not there. */
    private String hostKeys(Ec2Calls calls, String instanceId) {
        try {
            String output = calls.call("GetConsoleOutput", ec2 -> ec2.getConsoleOutput(GetConsoleOutputRequest.builder()
                            .instanceId(instanceId)
                            .build())
                    .output());
            return parseHostKeys(output);
        } catch (CorcException e) {
            return ""; // the keys are a bonus: without them the first connection is trust-on-first-use
        }
    }

    static String parseHostKeys(String base64Output) {
        if (base64Output == null || base64Output.isBlank()) {
            return "";
        }
        String console;
        try {
            console = new String(Base64.getMimeDecoder().decode(base64Output), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            console = base64Output;
        }
        // the type and key only: the comment is the instance's host name at boot
        return SshProbe.hostKeysFromConsole(console)
                .lines()
                .map(line -> line.split(" ")[0] + " " + line.split(" ")[1])
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    private boolean sshAnswers(String host) {
        return SshProbe.answers(host, settings.sshPort());
    }

    // ---- get / list --------------------------------------------------------------------------------------------

    @Override
    public Optional<Resource> get(String id) {
        requireNonNull(id, "id is null");
        if (!isSafeId(id)) {
            return Optional.empty();
        }
        Optional<StateRecord> record = records.get(RECORD_TYPE, id);
        if (record.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(withInstances(List.of(record.get())).get(0));
    }

    @Override
    public List<Resource> list() {
        return withInstances(records.list(RECORD_TYPE));
    }

    private List<Resource> withInstances(List<StateRecord> list) {
        Map<String, List<String>> idsByRegion = new LinkedHashMap<>();
        for (StateRecord record : list) {
            instanceId(record).ifPresent(instance -> idsByRegion
                    .computeIfAbsent(record.string("region"), k -> new ArrayList<>())
                    .add(instance));
        }
        Map<String, Instance> instances = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        idsByRegion.forEach((region, instanceIds) -> {
            try {
                describe(calls(region), instanceIds).forEach(i -> instances.put(i.instanceId(), i));
            } catch (CorcException e) {
                errors.put(region, e.getMessage());
            }
        });
        List<Resource> resources = new ArrayList<>();
        for (StateRecord record : list) {
            Optional<String> instanceId = instanceId(record);
            Instance instance = instanceId.map(instances::get).orElse(null);
            Resource resource = toResource(record, instance);
            String error = errors.get(record.string("region"));
            if (error != null) {
                Map<String, String> details = new LinkedHashMap<>(resource.details());
                details.put("reason", "EC2 could not be asked: " + error);
                resource = new Resource(
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
            resources.add(resource);
        }
        return resources;
    }

    private Resource toResource(StateRecord record, Instance instance) {
        Map<String, String> details = new LinkedHashMap<>();
        String hostKeys = record.string("ssh_host_keys");
        if (hostKeys != null && !hostKeys.isBlank()) {
            details.put(Resource.SSH_HOST_KEYS, hostKeys);
        }
        for (String key : List.of("region", "zone", "instance_type", "market", "image_id", "vpc_id", "error")) {
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
        Duration longestStart = settings.waitTimeout().plus(settings.sshWait()).plus(Duration.ofMinutes(10));
        if (state == ResourceState.STARTING
                && record.updatedAt().plus(longestStart).isBefore(Instant.now())) {
            // No start takes this long: the process that ran it died. Stop (or corc gc --apply) cleans up.
            state = ResourceState.FAILED;
            details.put("reason", "its start has not finished since " + record.updatedAt() + " (the process died?)");
        }
        List<Endpoint> endpoints = new ArrayList<>();
        if (instance != null) {
            String ec2State = instance.state().nameAsString();
            details.put("instance_id", instance.instanceId());
            details.put("instance_state", ec2State);
            if (instance.publicIpAddress() != null) {
                details.put("public_ip", instance.publicIpAddress());
            }
            if (instance.privateIpAddress() != null) {
                details.put("private_ip", instance.privateIpAddress());
            }
            if (state == ResourceState.RUNNING) {
                state = switch (ec2State) {
                    case "running" -> ResourceState.RUNNING;
                    case "pending" -> ResourceState.STARTING;
                    case "stopping", "shutting-down" -> ResourceState.STOPPING;
                    case "stopped", "terminated" -> ResourceState.FAILED;
                    default -> ResourceState.UNKNOWN;
                };
                if (state == ResourceState.FAILED) {
                    details.put(
                            "reason",
                            "instance " + instance.instanceId() + " is " + ec2State
                                    + " outside corc; stop the resource to remove what is left");
                }
            }
            String host = address(instance);
            if (host != null && state == ResourceState.RUNNING) {
                endpoints.add(new Endpoint("ssh", host, settings.sshPort(), record.string("ssh_user")));
            }
        } else if (state == ResourceState.RUNNING && instanceId(record).isPresent()) {
            state = ResourceState.FAILED;
            details.put("reason", "instance " + instanceId(record).get() + " no longer exists at EC2");
        }
        String expires = record.string("expires_at");
        return new Resource(
                record.id(),
                provider(),
                ResourceKind.INSTANCE,
                record.string("name") == null ? record.id() : record.string("name"),
                state,
                endpoints,
                cloudObjects(record),
                record.createdAt(),
                expires == null ? null : Instant.parse(expires),
                details);
    }

    /** The objects corc created, then the network it used and leaves alone. */
    private static List<CloudObject> cloudObjects(StateRecord record) {
        List<CloudObject> objects = new ArrayList<>();
        objects(record).stream()
                .filter(o -> o.get("id") != null)
                .forEach(o ->
                        objects.add(new CloudObject(String.valueOf(o.get("type")), String.valueOf(o.get("id")), true)));
        String vpc = record.string("vpc_id");
        if (vpc != null && !vpc.isBlank()) {
            objects.add(new CloudObject("vpc", vpc, false));
        }
        String subnet = record.string("subnet_id");
        if (subnet != null && !subnet.isBlank()) {
            objects.add(new CloudObject("subnet", subnet, false));
        }
        return objects;
    }

    private static String address(Instance instance) {
        if (instance.publicIpAddress() != null && !instance.publicIpAddress().isBlank()) {
            return instance.publicIpAddress();
        }
        return instance.privateIpAddress();
    }

    private List<Instance> describe(Ec2Calls calls, List<String> instanceIds) {
        // A filter, not InstanceIds: an id EC2 forgot is then missing from the answer instead of failing the call.
        return calls
                .all("DescribeInstances", ec2 -> ec2.describeInstancesPaginator(DescribeInstancesRequest.builder()
                                .filters(InstanceTypes.filter("instance-id", instanceIds.toArray(String[]::new)))
                                .build())
                        .reservations())
                .stream()
                .flatMap(r -> r.instances().stream())
                .toList();
    }

    // ---- stop --------------------------------------------------------------------------------------------------

    @Override
    public void stop(String id, ProgressListener progress) {
        requireNonNull(id, "id is null");
        if (!isSafeId(id)) {
            return;
        }
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        Optional<StateRecord> record = records.get(RECORD_TYPE, id);
        if (record.isEmpty()) {
            return;
        }
        records.update(RECORD_TYPE, id, r -> r == null ? null : r.withStatus("stopping"));
        Ec2Calls calls = withContext("instance stop", () -> calls(record.get().string("region")));
        List<String> left = remove(id, calls, listener);
        if (!left.isEmpty()) {
            records.update(RECORD_TYPE, id, r -> r == null ? null : r.withStatus("rollback-pending"));
            throw new CorcException(ErrorCategory.UNAVAILABLE, "stopping " + id + " left: " + String.join("; ", left))
                    .withHint("run the stop again; what is removed stays removed")
                    .withContext(provider(), "instance stop");
        }
        records.delete(RECORD_TYPE, id);
        listener.onProgress("stopped " + id, 1, 1);
    }

    /**
     * Removes the recorded objects in reverse creation order; objects only intended (no id yet) are looked up by
     * name or ClientToken first. Each removed object leaves the record at once, so a later run resumes where this
     * one stopped.
     *
     * @return what could not be removed, in words (empty when everything is gone)
     */
    private List<String> remove(String id, Ec2Calls calls, ProgressListener listener) {
        List<String> left = new ArrayList<>();
        StateRecord record = records.get(RECORD_TYPE, id).orElse(null);
        if (record == null) {
            return left;
        }
        List<Map<String, Object>> objects = new ArrayList<>(objects(record));
        java.util.Collections.reverse(objects);
        for (Map<String, Object> object : objects) {
            String type = String.valueOf(object.get("type"));
            String name = String.valueOf(object.get("name"));
            String objectId = object.get("id") == null ? null : String.valueOf(object.get("id"));
            String key = objectKey(object);
            try {
                switch (type) {
                    case INSTANCE -> terminate(calls, objectId, key, listener);
                    case SECURITY_GROUP -> deleteGroup(calls, objectId, name, record.string("vpc_id"), listener);
                    case KEY_PAIR -> {
                        listener.onProgress("deleting key pair " + name, 0, -1);
                        calls.call(
                                "DeleteKeyPair",
                                ec2 -> ec2.deleteKeyPair(DeleteKeyPairRequest.builder()
                                        .keyName(name)
                                        .build()));
                    }
                    default -> throw CorcException.internal("unknown object type " + type + " in " + id, null);
                }
                records.update(RECORD_TYPE, id, r -> r == null ? null : dropObject(r, key));
            } catch (CorcException e) {
                left.add(type + " " + (objectId == null ? name : objectId) + ": " + e.getMessage());
            }
        }
        return left;
    }

    private void terminate(Ec2Calls calls, String instanceId, String clientToken, ProgressListener listener) {
        List<String> instanceIds = new ArrayList<>();
        if (instanceId != null) {
            instanceIds.add(instanceId);
        } else {
            // Only the intent was recorded: find what this attempt's RunInstances created, if anything.
            calls
                    .all("DescribeInstances", ec2 -> ec2.describeInstancesPaginator(DescribeInstancesRequest.builder()
                                    .filters(InstanceTypes.filter("client-token", clientToken))
                                    .build())
                            .reservations())
                    .stream()
                    .flatMap(r -> r.instances().stream())
                    .filter(i -> !i.state().nameAsString().equals("terminated"))
                    .forEach(i -> instanceIds.add(i.instanceId()));
        }
        if (instanceIds.isEmpty()) {
            return;
        }
        listener.onProgress("terminating " + String.join(", ", instanceIds), 0, -1);
        try {
            calls.call(
                    "TerminateInstances",
                    ec2 -> ec2.terminateInstances(TerminateInstancesRequest.builder()
                            .instanceIds(instanceIds)
                            .build()));
        } catch (CorcException e) {
            if (e.getCause() == null || !Ec2Errors.isNotFound(e.getCause())) {
                throw e;
            }
            return;
        }
        waitUntil(
                "instance " + String.join(", ", instanceIds) + " to terminate",
                settings.waitTimeout(),
                () -> describe(calls, instanceIds).stream()
                        .allMatch(i -> i.state().nameAsString().equals("terminated")));
    }

    private void deleteGroup(Ec2Calls calls, String groupId, String name, String vpcId, ProgressListener listener) {
        String id = groupId != null ? groupId : findGroup(calls, name, vpcId).orElse(null);
        if (id == null) {
            return;
        }
        listener.onProgress("deleting security group " + id, 0, -1);
        // The group stays in use for a while after its instance terminated (DependencyViolation): wait for that.
        waitUntil("security group " + id + " to be deleted", settings.waitTimeout(), () -> {
            try {
                calls.call(
                        "DeleteSecurityGroup",
                        ec2 -> ec2.deleteSecurityGroup(
                                DeleteSecurityGroupRequest.builder().groupId(id).build()));
                return true;
            } catch (CorcException e) {
                String code = e.getCause() == null ? "" : Ec2Errors.code(e.getCause());
                if (Ec2Errors.isNotFound(e.getCause())) {
                    return true;
                }
                if (code.equals("DependencyViolation")) {
                    return false;
                }
                throw e;
            }
        });
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private void waitUntil(String what, Duration timeout, BooleanSupplier condition) {
        try {
            Polling.until(
                    what,
                    timeout,
                    settings.pollInterval(),
                    condition,
                    "raise providers.ec2.wait_timeout_seconds (ssh_wait_seconds for SSH) or check the instance in the EC2 console");
        } catch (CorcException e) {
            throw e.withContext(provider(), null);
        }
    }

    private String sshCidr() {
        if (!settings.sshCidr().isBlank()) {
            String cidr = settings.sshCidr().strip();
            if (!cidr.matches("[0-9a-fA-F:.]+/[0-9]{1,3}")) {
                throw CorcException.invalidInput("providers.ec2.ssh_cidr is not a CIDR: '" + cidr + "'")
                        .withHint("write it as 203.0.113.7/32");
            }
            return cidr;
        }
        if (settings.callerIpUrl() == null) {
            throw CorcException.invalidInput("providers.ec2.ssh_cidr is not set and caller_ip_url is empty")
                    .withHint("set providers.ec2.ssh_cidr to the address range SSH may come from, e.g. 203.0.113.7/32");
        }
        try {
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(settings.callerIpUrl())
                            .timeout(Duration.ofSeconds(10))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            String ip = response.body().strip();
            if (response.statusCode() != 200 || !ip.matches("[0-9a-fA-F:.]+")) {
                throw new IOException("answer " + response.statusCode() + " '" + ip + "'");
            }
            return ip + (ip.contains(":") ? "/128" : "/32");
        } catch (IOException e) {
            throw CorcException.invalidInput("cannot learn this machine's public address from " + settings.callerIpUrl()
                            + ": " + e.getMessage())
                    .withHint("set providers.ec2.ssh_cidr to the address range SSH may come from, e.g. 203.0.113.7/32");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CorcException(ErrorCategory.CANCELLED, "interrupted");
        }
    }

    private List<String> keys(ResourceSpec spec) {
        List<String> keys = new ArrayList<>();
        for (String key : spec.sshPublicKeys()) {
            if (key != null && !key.isBlank()) {
                keys.add(key.strip());
            }
        }
        if (!settings.extraAuthorizedKey().isBlank()) {
            keys.add(settings.extraAuthorizedKey().strip());
        }
        return keys;
    }

    private List<Tag> tags(String id, ResourceSpec spec) {
        Map<String, String> tags = new LinkedHashMap<>(spec.tags());
        tags.put(OWNER_TAG, settings.owner());
        tags.put(RESOURCE_TAG, id);
        return tags.entrySet().stream()
                .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
                .toList();
    }

    private static List<Tag> withName(List<Tag> tags, String name) {
        List<Tag> named = new ArrayList<>(tags);
        if (tags.stream().noneMatch(t -> t.key().equals("Name"))) {
            named.add(Tag.builder().key("Name").value(name).build());
        }
        return named;
    }

    private static TagSpecification tagSpec(ResourceType type, List<Tag> tags) {
        return TagSpecification.builder().resourceType(type).tags(tags).build();
    }

    private void recordObject(String id, String type, String name, String objectId, String state, String token) {
        String key = token != null ? token : type + "/" + name;
        records.update(RECORD_TYPE, id, r -> {
            List<Map<String, Object>> objects = new ArrayList<>(objects(r));
            objects.removeIf(o -> key.equals(objectKey(o)));
            Map<String, Object> object = new LinkedHashMap<>();
            object.put("type", type);
            object.put("name", name);
            if (objectId != null) {
                object.put("id", objectId);
            }
            object.put("state", state);
            if (token != null) {
                object.put("client_token", token);
            }
            objects.add(object);
            return r.with("objects", objects);
        });
    }

    private static StateRecord setObject(StateRecord r, String key, String objectId, String state) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Map<String, Object> o : objects(r)) {
            if (key.equals(objectKey(o))) {
                Map<String, Object> copy = new LinkedHashMap<>(o);
                copy.put("id", objectId);
                copy.put("state", state);
                objects.add(copy);
            } else {
                objects.add(o);
            }
        }
        return r.with("objects", objects);
    }

    private static StateRecord dropObject(StateRecord r, String key) {
        List<Map<String, Object>> objects = new ArrayList<>(objects(r));
        objects.removeIf(o -> key.equals(objectKey(o)));
        return r.with("objects", objects);
    }

    /** An object's key in the record: its ClientToken (instances), else type and name (unique per resource). */
    private static String objectKey(Map<String, Object> object) {
        Object token = object.get("client_token");
        return token != null ? String.valueOf(token) : object.get("type") + "/" + object.get("name");
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

    private static List<Object> append(StateRecord record, String key, String value) {
        List<Object> list = new ArrayList<>();
        if (record.data().get(key) instanceof List<?> existing) {
            list.addAll(existing);
        }
        list.add(value);
        return list;
    }

    private static Optional<String> instanceId(StateRecord record) {
        return objects(record).stream()
                .filter(o -> INSTANCE.equals(o.get("type")) && o.get("id") != null)
                .map(o -> String.valueOf(o.get("id")))
                .findFirst();
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }

    private Ec2Calls calls(String region) {
        return clients.computeIfAbsent(
                region,
                r -> new Ec2Calls(Ec2ClientFactory.build(settings, r, credentials.provider(), jitter, baseDelay), r));
    }

    private PriceCatalog prices() {
        PriceCatalog catalog = prices;
        if (catalog == null) {
            catalog = PriceCatalog.load(settings.priceCatalog());
            prices = catalog;
        }
        return catalog;
    }

    private <T> T withContext(String operation, java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (CorcException e) {
            return throwWith(e, operation);
        }
    }

    private <T> T throwWith(CorcException e, String operation) {
        throw e.plugin().isPresent() && e.operation().isPresent() ? e : e.withContext(provider(), operation);
    }

    private static boolean isSafeId(String id) {
        return id.matches("ec2-[0-9a-f]{1,32}");
    }
}
