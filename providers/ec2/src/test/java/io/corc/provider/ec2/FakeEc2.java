package io.corc.provider.ec2;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A stateful EC2 in WireMock: it answers the Query API actions the provider uses with EC2's XML (namespace
 * 2016-11-15, {@code <Response><Errors><Error>} errors with EC2's codes and HTTP statuses), keeps key pairs, security
 * groups and instances, honours RunInstances ClientTokens as EC2 does, pages Describe* answers with NextToken, and can
 * fail calls by rule or at random (seeded) for the chaos test. Every request stays in WireMock's journal, so tests
 * assert what was sent.
 */
public final class FakeEc2 implements ResponseDefinitionTransformerV2 {
    static final String NS = "http://ec2.amazonaws.com/doc/2016-11-15/";
    static final String REGION = "us-east-1";
    static final List<String> ZONES = List.of("us-east-1a", "us-east-1b", "us-east-1c");

    record Type(String name, int vcpus, int memoryMib, String arch, int gpus, String gpuName, String gpuMaker) {}

    record Img(String id, String name, String owner, String arch, String created) {}

    public record Err(int status, String code, String message) {}

    static final class Inst {
        final String id;
        final String type;
        final String zone;
        final String token;
        final String groupId;
        final Map<String, String> tags;
        final boolean spot;
        String state = "pending";

        Inst(
                String id,
                String type,
                String zone,
                String token,
                String groupId,
                Map<String, String> tags,
                boolean spot) {
            this.id = id;
            this.type = type;
            this.zone = zone;
            this.token = token;
            this.groupId = groupId;
            this.tags = tags;
            this.spot = spot;
        }
    }

    final List<Type> types = new ArrayList<>();
    final Map<String, List<String>> offerings = new LinkedHashMap<>();
    final List<Img> images = new ArrayList<>();
    final Map<String, String> subnets = new LinkedHashMap<>(); // subnet id -> zone
    final Map<String, String> keyPairs = new LinkedHashMap<>(); // name -> id
    final Map<String, String[]> groups = new LinkedHashMap<>(); // id -> {name, vpc}
    final Map<String, Inst> instances = new LinkedHashMap<>();
    final Map<String, Integer> created = new TreeMap<>(); // "kind:name-or-resource" -> creations
    final List<Function<Map<String, String>, Err>> rules = new ArrayList<>();
    int pageSize = 3;
    double chaosRate;
    Random chaos;
    int timeoutMillis = 0;
    final AtomicInteger ids = new AtomicInteger(100);
    /** Latency added to every answer (the bench's stand-in for the network and EC2's own time). */
    volatile int latencyMillis;
    /** Actions whose answer always comes {@link #timeoutMillis} late (after taking effect). */
    final java.util.Set<String> lateActions = java.util.concurrent.ConcurrentHashMap.newKeySet();

    final Map<String, Integer> chaosInjected = new TreeMap<>();

    private final WireMockServer server;

    public FakeEc2() {
        server = new WireMockServer(WireMockConfiguration.options()
                .bindAddress("127.0.0.1")
                .dynamicPort()
                .containerThreads(20)
                .extensions(this));
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)));
        subnets.put("subnet-a", ZONES.get(0));
        subnets.put("subnet-b", ZONES.get(1));
        subnets.put("subnet-c", ZONES.get(2));
    }

    public WireMockServer server() {
        return server;
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    /** Adds {@code millis} to every answer. */
    public FakeEc2 latency(int millis) {
        this.latencyMillis = millis;
        return this;
    }

    /** How many requests were answered so far. */
    public int requestCount() {
        return server.getAllServeEvents().size();
    }

    /** Forgets the requests answered so far (the bench's runs would otherwise keep them all). */
    public void forgetRequests() {
        server.resetRequests();
    }

    /** The form parameters of every request with this action, oldest first. */
    public List<Map<String, String>> requests(String action) {
        List<Map<String, String>> found = new ArrayList<>();
        server.getAllServeEvents().forEach(event -> {
            Map<String, String> params = parse(event.getRequest().getBodyAsString());
            if (action.equals(params.get("Action"))) {
                found.add(0, params); // the journal is newest first
            }
        });
        return found;
    }

    public void shutdown() {
        server.stop();
    }

    public FakeEc2 type(String name, int vcpus, double memoryGib, String arch, String... zones) {
        return gpuType(name, vcpus, memoryGib, arch, 0, null, null, zones);
    }

    public FakeEc2 gpuType(
            String name,
            int vcpus,
            double memoryGib,
            String arch,
            int gpus,
            String gpuName,
            String maker,
            String... zones) {
        types.add(new Type(name, vcpus, (int) (memoryGib * 1024), arch, gpus, gpuName, maker));
        offerings.put(name, zones.length == 0 ? ZONES : List.of(zones));
        return this;
    }

    public FakeEc2 image(String id, String name, String owner, String arch, String created) {
        images.add(new Img(id, name, owner, arch, created));
        return this;
    }

    /** A small region: x86_64, arm64 and GPU types over three zones; Ubuntu and Amazon Linux images. */
    public FakeEc2 standardCatalogue() {
        type("t3.micro", 2, 1, "x86_64")
                .type("t3.medium", 2, 4, "x86_64")
                .type("t3a.medium", 2, 4, "x86_64", "us-east-1c")
                .type("m5.large", 2, 8, "x86_64")
                .type("c5.xlarge", 4, 8, "x86_64")
                .type("t3.xlarge", 4, 16, "x86_64")
                .gpuType("g5.xlarge", 4, 16, "x86_64", 1, "A10G", "NVIDIA")
                .gpuType("g4dn.xlarge", 4, 16, "x86_64", 1, "T4", "NVIDIA")
                .gpuType("p3.8xlarge", 32, 244, "x86_64", 4, "V100", "NVIDIA", "us-east-1a")
                .type("t4g.small", 2, 2, "arm64")
                .type("t4g.medium", 2, 4, "arm64");
        image(
                        "ami-ubuntu-old",
                        "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20240423",
                        Images.CANONICAL,
                        "x86_64",
                        "2024-04-23T10:00:00.000Z")
                .image(
                        "ami-ubuntu-new",
                        "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20261101",
                        Images.CANONICAL,
                        "x86_64",
                        "2026-11-01T10:00:00.000Z")
                .image(
                        "ami-ubuntu-arm",
                        "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20261101",
                        Images.CANONICAL,
                        "arm64",
                        "2026-11-01T10:00:00.000Z")
                .image(
                        "ami-ubuntu-pro",
                        "ubuntu-pro-server/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-pro-server-20261201",
                        Images.CANONICAL,
                        "x86_64",
                        "2026-12-01T10:00:00.000Z")
                .image(
                        "ami-jammy",
                        "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20261101",
                        Images.CANONICAL,
                        "x86_64",
                        "2026-11-02T10:00:00.000Z")
                .image(
                        "ami-al2023",
                        "al2023-ami-2023.6.20261101.0-kernel-6.1-x86_64",
                        "amazon",
                        "x86_64",
                        "2026-11-01T00:00:00.000Z")
                .image(
                        "ami-al2023-min",
                        "al2023-ami-minimal-2023.6.20261120.0-kernel-6.1-x86_64",
                        "amazon",
                        "x86_64",
                        "2026-11-20T00:00:00.000Z");
        return this;
    }

    /** A rule that answers an action with an error when it returns one (null: proceed). */
    public FakeEc2 rule(Function<Map<String, String>, Err> rule) {
        rules.add(rule);
        return this;
    }

    FakeEc2 chaos(long seed, double rate, int timeoutMillis) {
        this.chaos = new Random(seed);
        this.chaosRate = rate;
        this.timeoutMillis = timeoutMillis;
        return this;
    }

    /** Instances not terminated, security groups and key pairs that exist. */
    public synchronized List<String> leftovers() {
        List<String> left = new ArrayList<>();
        instances.values().stream()
                .filter(i -> !i.state.equals("terminated"))
                .forEach(i -> left.add(i.id + " " + i.state));
        left.addAll(groups.keySet());
        left.addAll(keyPairs.keySet());
        return left;
    }

    @Override
    public String getName() {
        return "fake-ec2";
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        if (!event.getRequest().getMethod().getName().equals("POST")) {
            return event.getResponseDefinition(); // other stubs, e.g. the caller's address
        }
        Map<String, String> params = parse(event.getRequest().getBodyAsString());
        String action = params.getOrDefault("Action", "?");
        boolean timeout = lateActions.contains(action);
        synchronized (this) {
            if (chaos != null && chaos.nextDouble() < chaosRate) {
                int kind = chaos.nextInt(4);
                chaosInjected.merge(
                        List.of("RequestLimitExceeded", "500", "503", "timeout").get(kind), 1, Integer::sum);
                switch (kind) {
                    case 0 -> {
                        return error(new Err(503, "RequestLimitExceeded", "Request limit exceeded."));
                    }
                    case 1 -> {
                        return error(new Err(500, "InternalError", "An internal error has occurred."));
                    }
                    case 2 -> {
                        return error(new Err(503, "Unavailable", "The server is overloaded."));
                    }
                    default -> timeout = true; // the call takes effect, its answer comes too late
                }
            }
            for (Function<Map<String, String>, Err> rule : rules) {
                Err err = rule.apply(params);
                if (err != null) {
                    return error(err);
                }
            }
        }
        ResponseDefinitionBuilder response;
        try {
            synchronized (this) {
                response = ok(action, handle(action, params));
            }
        } catch (EcError e) {
            response = errorBuilder(e.err);
        }
        if (timeout) {
            response = response.withFixedDelay(timeoutMillis);
        } else if (latencyMillis > 0) {
            response = response.withFixedDelay(latencyMillis);
        }
        return response.build();
    }

    private static final class EcError extends RuntimeException {
        final Err err;

        EcError(int status, String code, String message) {
            super(code);
            this.err = new Err(status, code, message);
        }
    }

    private String handle(String action, Map<String, String> p) {
        return switch (action) {
            case "DescribeAvailabilityZones" -> describeZones();
            case "DescribeInstanceTypes" -> describeTypes(p);
            case "DescribeInstanceTypeOfferings" -> describeOfferings(p);
            case "DescribeImages" -> describeImages(p);
            case "DescribeVpcs" ->
                "<vpcSet><item><vpcId>vpc-1</vpcId><state>available</state>"
                        + "<cidrBlock>172.31.0.0/16</cidrBlock><isDefault>true</isDefault></item></vpcSet>";
            case "DescribeSubnets" -> describeSubnets(p);
            case "ImportKeyPair" -> importKeyPair(p);
            case "DescribeKeyPairs" -> describeKeyPairs(p);
            case "DeleteKeyPair" -> {
                keyPairs.remove(p.get("KeyName"));
                yield "<return>true</return>";
            }
            case "CreateSecurityGroup" -> createGroup(p);
            case "AuthorizeSecurityGroupIngress" -> "<return>true</return>";
            case "DescribeSecurityGroups" -> describeGroups(p);
            case "DeleteSecurityGroup" -> deleteGroup(p);
            case "RunInstances" -> runInstances(p);
            case "DescribeInstances" -> describeInstances(p);
            case "TerminateInstances" -> terminate(p);
            case "GetConsoleOutput" -> consoleOutput(p);
            default -> throw new EcError(400, "InvalidAction", "The action " + action + " is not valid");
        };
    }

    private String describeZones() {
        StringBuilder xml = new StringBuilder("<availabilityZoneInfo>");
        for (String zone : ZONES) {
            xml.append("<item><zoneName>")
                    .append(zone)
                    .append("</zoneName><zoneState>available</zoneState>")
                    .append("<regionName>")
                    .append(REGION)
                    .append("</regionName></item>");
        }
        return xml.append("</availabilityZoneInfo>").toString();
    }

    private String describeTypes(Map<String, String> p) {
        List<String> named = values(p, "InstanceType");
        Map<String, List<String>> filters = filters(p);
        List<Type> matching = new ArrayList<>();
        for (Type type : types) {
            if (!named.isEmpty() && !named.contains(type.name())) {
                continue;
            }
            List<String> arch = filters.get("processor-info.supported-architecture");
            if (arch != null && !arch.contains(type.arch())) {
                continue;
            }
            matching.add(type);
        }
        for (String name : named) {
            if (types.stream().noneMatch(t -> t.name().equals(name))) {
                throw new EcError(
                        400,
                        "InvalidInstanceType",
                        "The following supplied instance types do not exist: [" + name + "]");
            }
        }
        int start =
                p.containsKey("NextToken") ? Integer.parseInt(p.get("NextToken").substring(5)) : 0;
        int end = Math.min(matching.size(), start + pageSize);
        StringBuilder xml = new StringBuilder("<instanceTypeSet>");
        for (Type t : matching.subList(start, end)) {
            xml.append("<item><instanceType>")
                    .append(t.name())
                    .append("</instanceType>")
                    .append("<currentGeneration>true</currentGeneration>")
                    .append("<processorInfo><supportedArchitectures><item>")
                    .append(t.arch())
                    .append("</item></supportedArchitectures></processorInfo>")
                    .append("<vCpuInfo><defaultVCpus>")
                    .append(t.vcpus())
                    .append("</defaultVCpus></vCpuInfo>")
                    .append("<memoryInfo><sizeInMiB>")
                    .append(t.memoryMib())
                    .append("</sizeInMiB></memoryInfo>");
            if (t.gpus() > 0) {
                xml.append("<gpuInfo><gpus><item><name>")
                        .append(t.gpuName())
                        .append("</name><manufacturer>")
                        .append(t.gpuMaker())
                        .append("</manufacturer><count>")
                        .append(t.gpus())
                        .append("</count></item></gpus></gpuInfo>");
            }
            xml.append("</item>");
        }
        xml.append("</instanceTypeSet>");
        if (end < matching.size()) {
            xml.append("<nextToken>page-").append(end).append("</nextToken>");
        }
        return xml.toString();
    }

    private String describeOfferings(Map<String, String> p) {
        Map<String, List<String>> filters = filters(p);
        List<String[]> rows = new ArrayList<>();
        offerings.forEach((type, zones) -> {
            for (String zone : zones) {
                if (filters.containsKey("location") && !filters.get("location").contains(zone)) {
                    continue;
                }
                if (filters.containsKey("instance-type")
                        && !filters.get("instance-type").contains(type)) {
                    continue;
                }
                rows.add(new String[] {type, zone});
            }
        });
        int start =
                p.containsKey("NextToken") ? Integer.parseInt(p.get("NextToken").substring(5)) : 0;
        int end = Math.min(rows.size(), start + pageSize * 2);
        StringBuilder xml = new StringBuilder("<instanceTypeOfferingSet>");
        for (String[] row : rows.subList(start, end)) {
            xml.append("<item><instanceType>")
                    .append(row[0])
                    .append("</instanceType><locationType>availability-zone</locationType><location>")
                    .append(row[1])
                    .append("</location></item>");
        }
        xml.append("</instanceTypeOfferingSet>");
        if (end < rows.size()) {
            xml.append("<nextToken>page-").append(end).append("</nextToken>");
        }
        return xml.toString();
    }

    private String describeImages(Map<String, String> p) {
        List<String> ids = values(p, "ImageId");
        List<String> owners = values(p, "Owner");
        Map<String, List<String>> filters = filters(p);
        StringBuilder xml = new StringBuilder("<imagesSet>");
        for (Img img : images) {
            if (!ids.isEmpty() && !ids.contains(img.id())) {
                continue;
            }
            if (!owners.isEmpty() && !owners.contains(img.owner())) {
                continue;
            }
            if (filters.containsKey("architecture")
                    && !filters.get("architecture").contains(img.arch())) {
                continue;
            }
            if (filters.containsKey("name") && !glob(filters.get("name").get(0), img.name())) {
                continue;
            }
            xml.append("<item><imageId>")
                    .append(img.id())
                    .append("</imageId><imageState>available</imageState>")
                    .append("<imageOwnerId>")
                    .append(img.owner().equals("amazon") ? "137112412989" : img.owner())
                    .append("</imageOwnerId><creationDate>")
                    .append(img.created())
                    .append("</creationDate>")
                    .append("<architecture>")
                    .append(img.arch())
                    .append("</architecture><name>")
                    .append(img.name())
                    .append("</name><rootDeviceType>ebs</rootDeviceType>")
                    .append("<virtualizationType>hvm</virtualizationType></item>");
        }
        if (!ids.isEmpty() && images.stream().noneMatch(i -> ids.contains(i.id()))) {
            throw new EcError(400, "InvalidAMIID.NotFound", "The image id '[" + ids.get(0) + "]' does not exist");
        }
        return xml.append("</imagesSet>").toString();
    }

    private static boolean glob(String pattern, String value) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : java.util.regex.Pattern.quote(String.valueOf(c)));
        }
        return value.matches(regex.toString());
    }

    private String describeSubnets(Map<String, String> p) {
        List<String> ids = values(p, "SubnetId");
        StringBuilder xml = new StringBuilder("<subnetSet>");
        subnets.forEach((id, zone) -> {
            if (!ids.isEmpty() && !ids.contains(id)) {
                return;
            }
            xml.append("<item><subnetId>")
                    .append(id)
                    .append("</subnetId><state>available</state>")
                    .append("<vpcId>vpc-1</vpcId><availabilityZone>")
                    .append(zone)
                    .append("</availabilityZone>")
                    .append("<defaultForAz>true</defaultForAz><mapPublicIpOnLaunch>true</mapPublicIpOnLaunch></item>");
        });
        return xml.append("</subnetSet>").toString();
    }

    private String importKeyPair(Map<String, String> p) {
        String name = p.get("KeyName");
        if (keyPairs.containsKey(name)) {
            throw new EcError(400, "InvalidKeyPair.Duplicate", "The keypair already exists");
        }
        String id = "key-" + ids.incrementAndGet();
        keyPairs.put(name, id);
        created.merge("key-pair:" + name, 1, Integer::sum);
        return "<keyFingerprint>aa:bb</keyFingerprint><keyName>" + name + "</keyName><keyPairId>" + id + "</keyPairId>";
    }

    private String describeKeyPairs(Map<String, String> p) {
        List<String> names = values(p, "KeyName");
        StringBuilder xml = new StringBuilder("<keySet>");
        for (String name : names) {
            if (!keyPairs.containsKey(name)) {
                throw new EcError(400, "InvalidKeyPair.NotFound", "The key pair '" + name + "' does not exist");
            }
            xml.append("<item><keyPairId>")
                    .append(keyPairs.get(name))
                    .append("</keyPairId><keyName>")
                    .append(name)
                    .append("</keyName></item>");
        }
        return xml.append("</keySet>").toString();
    }

    private String createGroup(Map<String, String> p) {
        String name = p.get("GroupName");
        if (groups.values().stream().anyMatch(g -> g[0].equals(name))) {
            throw new EcError(400, "InvalidGroup.Duplicate", "The security group '" + name + "' already exists");
        }
        String id = "sg-" + ids.incrementAndGet();
        groups.put(id, new String[] {name, p.get("VpcId")});
        created.merge("security-group:" + name, 1, Integer::sum);
        return "<return>true</return><groupId>" + id + "</groupId>";
    }

    private String describeGroups(Map<String, String> p) {
        Map<String, List<String>> filters = filters(p);
        StringBuilder xml = new StringBuilder("<securityGroupInfo>");
        groups.forEach((id, g) -> {
            if (filters.containsKey("group-name") && !filters.get("group-name").contains(g[0])) {
                return;
            }
            xml.append("<item><ownerId>123456789012</ownerId><groupId>")
                    .append(id)
                    .append("</groupId><groupName>")
                    .append(g[0])
                    .append("</groupName><groupDescription>corc</groupDescription><vpcId>")
                    .append(g[1])
                    .append("</vpcId></item>");
        });
        return xml.append("</securityGroupInfo>").toString();
    }

    private String deleteGroup(Map<String, String> p) {
        String id = p.get("GroupId");
        if (!groups.containsKey(id)) {
            throw new EcError(400, "InvalidGroup.NotFound", "The security group '" + id + "' does not exist");
        }
        if (instances.values().stream().anyMatch(i -> id.equals(i.groupId) && !i.state.equals("terminated"))) {
            throw new EcError(400, "DependencyViolation", "resource " + id + " has a dependent object");
        }
        groups.remove(id);
        return "<return>true</return>";
    }

    private String runInstances(Map<String, String> p) {
        String token = p.get("ClientToken");
        if (token != null) {
            for (Inst existing : instances.values()) {
                if (token.equals(existing.token)) {
                    return reservation(existing); // EC2: same token, same answer, no second instance
                }
            }
        }
        String subnet = p.getOrDefault("SubnetId", p.get("NetworkInterface.1.SubnetId"));
        String zone = subnets.getOrDefault(subnet, ZONES.get(0));
        Map<String, String> tags = new LinkedHashMap<>();
        for (int i = 1; p.containsKey("TagSpecification." + i + ".ResourceType"); i++) {
            if (p.get("TagSpecification." + i + ".ResourceType").equals("instance")) {
                for (int t = 1; p.containsKey("TagSpecification." + i + ".Tag." + t + ".Key"); t++) {
                    tags.put(
                            p.get("TagSpecification." + i + ".Tag." + t + ".Key"),
                            p.get("TagSpecification." + i + ".Tag." + t + ".Value"));
                }
            }
        }
        Inst inst = new Inst(
                "i-" + Integer.toHexString(ids.incrementAndGet()),
                p.get("InstanceType"),
                zone,
                token,
                p.getOrDefault("SecurityGroupId.1", p.get("NetworkInterface.1.SecurityGroupId.1")),
                tags,
                "spot".equals(p.get("InstanceMarketOptions.MarketType")));
        instances.put(inst.id, inst);
        created.merge("instance:" + tags.get("corc-resource"), 1, Integer::sum);
        return reservation(inst);
    }

    private String reservation(Inst inst) {
        return "<reservationId>r-" + inst.id.substring(2) + "</reservationId><ownerId>123456789012</ownerId>"
                + "<groupSet/><instancesSet>" + instanceXml(inst) + "</instancesSet>";
    }

    private String instanceXml(Inst inst) {
        int code =
                switch (inst.state) {
                    case "pending" -> 0;
                    case "running" -> 16;
                    case "shutting-down" -> 32;
                    default -> 48;
                };
        StringBuilder xml = new StringBuilder("<item><instanceId>")
                .append(inst.id)
                .append("</instanceId>")
                .append("<instanceState><code>")
                .append(code)
                .append("</code><name>")
                .append(inst.state)
                .append("</name></instanceState><instanceType>")
                .append(inst.type)
                .append("</instanceType>")
                .append("<placement><availabilityZone>")
                .append(inst.zone)
                .append("</availabilityZone></placement>")
                .append("<privateIpAddress>10.0.0.")
                .append(inst.id.length())
                .append("</privateIpAddress>");
        if (inst.state.equals("running")) {
            xml.append("<ipAddress>127.0.0.1</ipAddress>");
        }
        if (inst.token != null) {
            xml.append("<clientToken>").append(inst.token).append("</clientToken>");
        }
        if (inst.spot) {
            xml.append("<instanceLifecycle>spot</instanceLifecycle>");
        }
        xml.append("<tagSet>");
        inst.tags.forEach((k, v) -> xml.append("<item><key>")
                .append(k)
                .append("</key><value>")
                .append(v)
                .append("</value></item>"));
        return xml.append("</tagSet></item>").toString();
    }

    private String describeInstances(Map<String, String> p) {
        Map<String, List<String>> filters = filters(p);
        StringBuilder xml = new StringBuilder("<reservationSet>");
        for (Inst inst : instances.values()) {
            if (filters.containsKey("instance-id")
                    && !filters.get("instance-id").contains(inst.id)) {
                continue;
            }
            if (filters.containsKey("client-token")
                    && !filters.get("client-token").contains(inst.token)) {
                continue;
            }
            xml.append("<item><reservationId>r-")
                    .append(inst.id.substring(2))
                    .append("</reservationId><ownerId>123456789012</ownerId><instancesSet>")
                    .append(instanceXml(inst))
                    .append("</instancesSet></item>");
            // Time passes between two looks: pending becomes running, shutting-down becomes terminated.
            if (inst.state.equals("pending")) {
                inst.state = "running";
            } else if (inst.state.equals("shutting-down")) {
                inst.state = "terminated";
            }
        }
        return xml.append("</reservationSet>").toString();
    }

    /** What cloud-init prints: the host keys block, unless {@link #consoleHostKeys} is off. */
    volatile boolean consoleHostKeys = true;

    static final String HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyOfTheFakeInstance";

    private String consoleOutput(Map<String, String> p) {
        String id = p.get("InstanceId");
        if (!instances.containsKey(id)) {
            throw new EcError(400, "InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
        }
        String console = "[   0.000000] Linux version 6.8.0\nci-info: no authorized SSH keys fingerprints found\n"
                + (consoleHostKeys
                        ? "-----BEGIN SSH HOST KEY KEYS-----\necdsa-sha2-nistp256 AAAAE2VjZHNhFakeEcdsa root@ip-10-0-0-1\n"
                                + HOST_KEY + " root@ip-10-0-0-1\n-----END SSH HOST KEY KEYS-----\n"
                        : "")
                + "Cloud-init v. 24.1 finished\n";
        return "<instanceId>" + id + "</instanceId><timestamp>2026-12-04T10:00:00.000Z</timestamp><output>"
                + java.util.Base64.getEncoder().encodeToString(console.getBytes(StandardCharsets.UTF_8))
                + "</output>";
    }

    private String terminate(Map<String, String> p) {
        StringBuilder xml = new StringBuilder("<instancesSet>");
        for (String id : values(p, "InstanceId")) {
            Inst inst = instances.get(id);
            if (inst == null) {
                throw new EcError(400, "InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
            }
            String previous = inst.state;
            if (!inst.state.equals("terminated")) {
                inst.state = "shutting-down";
            }
            xml.append("<item><instanceId>")
                    .append(id)
                    .append("</instanceId><currentState><code>32</code><name>")
                    .append(inst.state)
                    .append("</name></currentState><previousState><code>16</code><name>")
                    .append(previous)
                    .append("</name></previousState></item>");
        }
        return xml.append("</instancesSet>").toString();
    }

    // ---- wire format -------------------------------------------------------------------------------------------

    private static ResponseDefinitionBuilder ok(String action, String body) {
        return aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "text/xml;charset=UTF-8")
                .withBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + action + "Response xmlns=\"" + NS
                        + "\"><requestId>" + java.util.UUID.randomUUID() + "</requestId>" + body + "</" + action
                        + "Response>");
    }

    private static ResponseDefinition error(Err err) {
        return errorBuilder(err).build();
    }

    private static ResponseDefinitionBuilder errorBuilder(Err err) {
        return aResponse()
                .withStatus(err.status())
                .withHeader("Content-Type", "text/xml;charset=UTF-8")
                .withBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + err.code()
                        + "</Code><Message>" + err.message() + "</Message></Error></Errors><RequestID>"
                        + java.util.UUID.randomUUID() + "</RequestID></Response>");
    }

    public static Map<String, String> parse(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        if (body == null || body.isEmpty()) {
            return params;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }

    /** {@code Prefix.1}, {@code Prefix.2} ... */
    static List<String> values(Map<String, String> p, String prefix) {
        List<String> values = new ArrayList<>();
        for (int i = 1; p.containsKey(prefix + "." + i); i++) {
            values.add(p.get(prefix + "." + i));
        }
        return values;
    }

    /** {@code Filter.N.Name} / {@code Filter.N.Value.M}. */
    static Map<String, List<String>> filters(Map<String, String> p) {
        Map<String, List<String>> filters = new LinkedHashMap<>();
        for (int i = 1; p.containsKey("Filter." + i + ".Name"); i++) {
            filters.put(p.get("Filter." + i + ".Name"), values(p, "Filter." + i + ".Value"));
        }
        return Collections.unmodifiableMap(filters);
    }
}
