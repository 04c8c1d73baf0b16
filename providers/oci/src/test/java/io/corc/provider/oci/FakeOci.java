package io.corc.provider.oci;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * A stateful OCI (Compute, Virtual Network and Identity's availability domains) in WireMock, answering the REST paths
 * of API version 20160918 with OCI's JSON shapes: camelCase models with lifecycle states, lists paged with
 * {@code opc-next-page}, errors as {@code {"code", "message"}} with OCI's statuses. It honours {@code opc-retry-token}
 * as OCI does (a repeated create answers the first one's object), refuses to delete what is still in use (409), and
 * can fail calls by rule or at random (seeded). Every call stays in {@link #calls} for assertions.
 */
public final class FakeOci implements ResponseDefinitionTransformerV2 {
    static final String P = "/20160918/";
    static final String CE = "/20180222/";
    static final List<String> K8S_VERSIONS = List.of("v1.29.1", "v1.31.1", "v1.30.1");
    static final List<String> ADS = List.of("Uocm:PHX-AD-1", "Uocm:PHX-AD-2", "Uocm:PHX-AD-3");
    static final ObjectMapper JSON = new ObjectMapper();

    /** One call as the fake saw it: {@code key} is "METHOD collection", e.g. "POST vcns", "DELETE subnets". */
    public record Call(
            String key, String id, Map<String, String> query, String retryToken, JsonNode body, String auth) {}

    public record Err(int status, String code, String message) {}

    final Map<String, ObjectNode> objects = new LinkedHashMap<>(); // OCID -> object
    final Map<String, String> kinds = new LinkedHashMap<>(); // OCID -> collection
    final List<ObjectNode> shapes = new ArrayList<>();
    final List<ObjectNode> images = new ArrayList<>();
    final Map<String, String> retryTokens = new LinkedHashMap<>(); // collection + token -> OCID
    final Map<String, Integer> created = new TreeMap<>(); // "collection:corc-resource" -> creations
    final List<Function<Call, Err>> rules = new ArrayList<>();
    /** Calls that take effect but whose answer is a 500, as when a connection drops after the work was done. */
    final java.util.Set<String> lostAnswers = java.util.concurrent.ConcurrentHashMap.newKeySet();

    final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    final Map<String, Integer> chaosInjected = new TreeMap<>();
    final AtomicInteger ids = new AtomicInteger(100);
    int pageSize = 3;
    /** Every answer comes this late (benchmarks: a cloud's round trip). */
    volatile int latencyMillis;
    /** The public IP new instances get; null: one of 203.0.113.0/24. */
    volatile String publicIp;

    int provisioningPolls = 1;
    double chaosRate;
    Random chaos;
    int lateMillis;

    private final WireMockServer server;

    public FakeOci() {
        server = new WireMockServer(WireMockConfiguration.options()
                .bindAddress("127.0.0.1")
                .dynamicPort()
                .containerThreads(20)
                .extensions(this));
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)));
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    public void shutdown() {
        server.stop();
    }

    // ---- catalogue ---------------------------------------------------------------------------------------------

    public FakeOci fixedShape(String name, float ocpus, float memory, int gpus, String gpuDescription) {
        ObjectNode s = JSON.createObjectNode();
        s.put("shape", name);
        s.put("ocpus", ocpus);
        s.put("memoryInGBs", memory);
        s.put("gpus", gpus);
        if (gpuDescription != null) {
            s.put("gpuDescription", gpuDescription);
        }
        s.put("processorDescription", name.contains(".A1.") ? "3.0 GHz Ampere Altra" : "2.0 GHz Intel Xeon");
        s.put("isFlexible", false);
        s.put("someFieldOfANewerApi", "ignored");
        shapes.add(s);
        return this;
    }

    public FakeOci flexShape(String name, float maxOcpus, float minPerOcpu, float defaultPerOcpu, float maxPerOcpu) {
        ObjectNode s = JSON.createObjectNode();
        s.put("shape", name);
        s.put("ocpus", 1.0f);
        s.put("memoryInGBs", defaultPerOcpu);
        s.put("gpus", 0);
        s.put("processorDescription", name.contains(".A1.") ? "3.0 GHz Ampere Altra" : "2.55 GHz AMD EPYC");
        s.put("isFlexible", true);
        ObjectNode o = s.putObject("ocpuOptions");
        o.put("min", 1.0f);
        o.put("max", maxOcpus);
        ObjectNode m = s.putObject("memoryOptions");
        m.put("minInGBs", 1.0f);
        m.put("maxInGBs", maxOcpus * maxPerOcpu);
        m.put("defaultPerOcpuInGBs", defaultPerOcpu);
        m.put("minPerOcpuInGBs", minPerOcpu);
        m.put("maxPerOcpuInGBs", maxPerOcpu);
        shapes.add(s);
        return this;
    }

    public FakeOci image(String id, String os, String version, String created, String... shapeNames) {
        ObjectNode i = JSON.createObjectNode();
        i.put("id", id);
        i.put("compartmentId", (String) null);
        i.put("displayName", os.replace(' ', '-') + "-" + version + "-" + created.substring(0, 10));
        i.put("operatingSystem", os);
        i.put("operatingSystemVersion", version);
        i.put("lifecycleState", "AVAILABLE");
        i.put("createImageAllowed", true);
        i.put("timeCreated", created);
        ArrayNode compatible = i.putArray("compatibleShapes"); // the fake's own field: ListImages?shape= filters on it
        for (String shape : shapeNames) {
            compatible.add(shape);
        }
        images.add(i);
        return this;
    }

    /** Shapes and images like a small region's: fixed and flexible, x86 and Arm, GPU shapes, two OS lines. */
    public FakeOci standardCatalogue() {
        fixedShape("VM.Standard.E2.1.Micro", 1, 1, 0, null)
                .fixedShape("VM.Standard2.2", 2, 30, 0, null)
                .fixedShape("VM.Standard2.4", 4, 60, 0, null)
                .flexShape("VM.Standard.E4.Flex", 64, 1, 16, 64)
                .flexShape("VM.Standard.A1.Flex", 80, 1, 6, 64)
                .fixedShape("VM.GPU3.1", 6, 90, 1, "NVIDIA Tesla V100")
                .fixedShape("VM.GPU.A10.1", 15, 240, 1, "NVIDIA A10")
                .fixedShape("BM.GPU4.8", 64, 2048, 8, "NVIDIA A100");
        String[] x86 = {
            "VM.Standard.E2.1.Micro",
            "VM.Standard2.2",
            "VM.Standard2.4",
            "VM.Standard.E4.Flex",
            "VM.GPU3.1",
            "VM.GPU.A10.1",
            "BM.GPU4.8"
        };
        image("ocid1.image.oc1..ol9-old", "Oracle Linux", "9", "2026-01-10T10:00:00.000Z", x86)
                .image("ocid1.image.oc1..ol9-new", "Oracle Linux", "9", "2026-11-10T10:00:00.000Z", x86)
                .image(
                        "ocid1.image.oc1..ol9-arm",
                        "Oracle Linux",
                        "9",
                        "2026-11-12T10:00:00.000Z",
                        "VM.Standard.A1.Flex")
                .image("ocid1.image.oc1..ol8", "Oracle Linux", "8", "2026-11-20T10:00:00.000Z", x86)
                .image("ocid1.image.oc1..ubuntu", "Canonical Ubuntu", "24.04", "2026-11-01T10:00:00.000Z", x86);
        return this;
    }

    /** An existing, untagged network: VCN and subnet by these names, as a user would have made them. */
    public synchronized String[] existingNetwork(String vcnName, String subnetName) {
        ObjectNode vcn = newObject("vcns", "ocid1.vcn.oc1..existing", vcnName, JSON.createObjectNode());
        vcn.put("cidrBlock", "172.16.0.0/16");
        ObjectNode subnet = newObject("subnets", "ocid1.subnet.oc1..existing", subnetName, JSON.createObjectNode());
        subnet.put("vcnId", vcn.get("id").asText());
        subnet.put("cidrBlock", "172.16.1.0/24");
        return new String[] {vcn.get("id").asText(), subnet.get("id").asText()};
    }

    public FakeOci rule(Function<Call, Err> rule) {
        rules.add(rule);
        return this;
    }

    /** Fails the first {@code times} calls with this key, then lets them through. */
    public FakeOci failFirst(String key, int times, Err err) {
        int[] left = {times};
        return rule(c -> c.key().equals(key) && left[0]-- > 0 ? err : null);
    }

    FakeOci chaos(long seed, double rate, int lateMillis) {
        this.chaos = new Random(seed);
        this.chaosRate = rate;
        this.lateMillis = lateMillis;
        return this;
    }

    /** Objects that exist (not terminated) and carry a corc-resource tag. */
    public synchronized List<String> leftovers() {
        List<String> left = new ArrayList<>();
        objects.forEach((id, o) -> {
            String state = o.path("lifecycleState").asText();
            boolean corc = o.path("freeformTags").has(OciInstanceOrchestrator.RESOURCE_TAG);
            if (corc && !state.equals("TERMINATED") && !state.equals("DELETED")) {
                left.add(kinds.get(id) + " " + id + " " + state);
            }
        });
        return left;
    }

    public synchronized boolean exists(String id) {
        ObjectNode o = objects.get(id);
        return o != null
                && !o.path("lifecycleState").asText().equals("TERMINATED")
                && !o.path("lifecycleState").asText().equals("DELETED");
    }

    public FakeOci latency(int millis) {
        latencyMillis = millis;
        return this;
    }

    public int requestCount() {
        return calls.size();
    }

    public void forgetRequests() {
        calls.clear();
    }

    public List<Call> calls(String key) {
        synchronized (calls) {
            return calls.stream().filter(c -> c.key().equals(key)).toList();
        }
    }

    // ---- WireMock ----------------------------------------------------------------------------------------------

    @Override
    public String getName() {
        return "fake-oci";
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        var request = event.getRequest();
        String method = request.getMethod().getName();
        String url = request.getUrl();
        String path = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
        Map<String, String> query = query(url.contains("?") ? url.substring(url.indexOf('?') + 1) : "");
        if (!path.startsWith(P) && !path.startsWith(CE)) {
            return error(new Err(404, "NotAuthorizedOrNotFound", "no such path " + path));
        }
        String[] parts = path.substring(P.length()).replaceAll("/+$", "").split("/");
        String sub = parts.length > 2 ? parts[2] : null;
        String collection = parts[0];
        String id = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
        JsonNode body = null;
        try {
            String text = request.getBodyAsString();
            body = text == null || text.isBlank() ? null : JSON.readTree(text);
        } catch (Exception e) {
            return error(new Err(400, "InvalidParameter", "body is not JSON"));
        }
        Call call = new Call(
                method + " " + collection + (sub == null ? "" : "/" + sub),
                id,
                query,
                request.getHeader("opc-retry-token"),
                body,
                request.getHeader("Authorization"));
        calls.add(call);
        boolean late = false;
        synchronized (this) {
            if (chaos != null && chaos.nextDouble() < chaosRate) {
                int kind = chaos.nextInt(4);
                chaosInjected.merge(List.of("429", "500", "503", "timeout").get(kind), 1, Integer::sum);
                switch (kind) {
                    case 0 -> {
                        return error(new Err(429, "TooManyRequests", "Too many requests for the tenancy"));
                    }
                    case 1 -> {
                        return error(new Err(500, "InternalServerError", "Internal error."));
                    }
                    case 2 -> {
                        return error(new Err(503, "ServiceUnavailable", "Service unavailable."));
                    }
                    default -> late = true; // takes effect, but the answer comes after the client gave up
                }
            }
            for (Function<Call, Err> rule : rules) {
                Err err = rule.apply(call);
                if (err != null) {
                    return error(err);
                }
            }
        }
        ResponseDefinitionBuilder response;
        try {
            synchronized (this) {
                response = handle(call);
            }
        } catch (OciError e) {
            response = errorBuilder(e.err);
        }
        if (lostAnswers.contains(call.key())) {
            return error(new Err(500, "InternalServerError", "connection dropped after the work was done"));
        }
        if (late) {
            response = response.withFixedDelay(lateMillis + latencyMillis);
        } else if (latencyMillis > 0) {
            response = response.withFixedDelay(latencyMillis);
        }
        return response.build();
    }

    private static final class OciError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final Err err;

        OciError(int status, String code, String message) {
            super(code);
            this.err = new Err(status, code, message);
        }
    }

    private ResponseDefinitionBuilder handle(Call c) {
        String m = c.key().substring(0, c.key().indexOf(' '));
        String collection = c.key().substring(c.key().indexOf(' ') + 1);
        if (collection.equals("clusters/kubeconfig")) {
            ObjectNode cluster = find("clusters", c.id());
            return aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/octet-stream")
                    .withBody("apiVersion: v1\nkind: \"\"\nclusters:\n- name: cluster-" + c.id()
                            + "\n  cluster:\n    server: https://"
                            + cluster.path("endpoints").path("publicEndpoint").asText()
                            + "\ncontexts:\n- name: context-" + c.id() + "\ncurrent-context: context-" + c.id()
                            + "\nusers:\n- name: user-" + c.id() + "\n  user:\n    exec:\n      command: oci\n");
        }
        if (collection.equals("instanceConsoleHistories/data")) {
            ObjectNode history = find("instanceConsoleHistories", c.id());
            ObjectNode instance = objects.get(history.get("instanceId").asText());
            String keys = instance.path("hostKeys").asText("");
            return aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "text/plain")
                    .withBody("[  OK  ] Started Initial cloud-init job.\n"
                            + (keys.isEmpty()
                                    ? ""
                                    : io.corc.api.SshProbe.BEGIN + "\n" + keys + "\n" + io.corc.api.SshProbe.END + "\n")
                            + "Oracle Linux Server 9\nKernel on an x86_64\n");
        }
        if (collection.equals("clusterOptions")) {
            ObjectNode options = JSON.createObjectNode();
            options.set("kubernetesVersions", JSON.valueToTree(K8S_VERSIONS));
            return ok(options);
        }
        if (collection.equals("nodePoolOptions")) {
            ObjectNode options = JSON.createObjectNode();
            options.set("kubernetesVersions", JSON.valueToTree(K8S_VERSIONS));
            ArrayNode sources = options.putArray("sources");
            for (String[] image : new String[][] {
                {"Oracle-Linux-9.4-2026.09.01-0-OKE-1.31.1-700", "ocid1.image.oc1..oke-ol9-131-old"},
                {"Oracle-Linux-9.4-2026.11.01-0-OKE-1.31.1-750", "ocid1.image.oc1..oke-ol9-131"},
                {"Oracle-Linux-9.4-2026.11.20-0-OKE-1.30.1-760", "ocid1.image.oc1..oke-ol9-130"},
                {"Oracle-Linux-9.4-aarch64-2026.11.01-0-OKE-1.31.1-750", "ocid1.image.oc1..oke-ol9-arm"},
                {"Oracle-Linux-9.4-Gen2-GPU-2026.11.01-0-OKE-1.31.1-750", "ocid1.image.oc1..oke-ol9-gpu"}
            }) {
                ObjectNode source = sources.addObject();
                source.put("sourceType", "IMAGE");
                source.put("sourceName", image[0]);
                source.put("imageId", image[1]);
            }
            return ok(options);
        }
        if (collection.equals("workRequests") && c.id() != null) {
            return ok(workRequest(c.id()));
        }
        if (m.equals("POST") && c.id() == null) {
            return create(collection, c);
        }
        if (c.id() == null && m.equals("GET")) {
            return list(collection, c.query());
        }
        ObjectNode object = find(collection, c.id());
        return switch (m) {
            case "GET" -> ok(object);
            case "PUT" -> {
                if (collection.equals("routeTables")
                        && c.body() != null
                        && c.body().has("routeRules")) {
                    object.set("routeRules", c.body().get("routeRules"));
                }
                yield ok(object);
            }
            case "DELETE" -> delete(collection, object);
            default -> throw new OciError(405, "NotAllowed", m + " not allowed");
        };
    }

    private ObjectNode find(String collection, String id) {
        if (collection.equals("images")) {
            return images.stream()
                    .filter(i -> i.get("id").asText().equals(id))
                    .findFirst()
                    .map(i -> {
                        ObjectNode copy = i.deepCopy();
                        copy.remove("compatibleShapes");
                        return copy;
                    })
                    .orElseThrow(() -> notFound(id));
        }
        ObjectNode object = objects.get(id);
        if (object == null || !collection.equals(kinds.get(id))) {
            throw notFound(id);
        }
        if (collection.equals("instances")) {
            advance(object);
        }
        if (collection.equals("instanceConsoleHistories")
                && object.get("lifecycleState").asText().equals("REQUESTED")) {
            object.put("lifecycleState", "SUCCEEDED");
        }
        if (object.path("lifecycleState").asText().equals("TERMINATED") && !collection.equals("instances")) {
            throw notFound(id);
        }
        return object;
    }

    private static OciError notFound(String id) {
        return new OciError(
                404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found: " + id);
    }

    /** An instance moves PROVISIONING -> RUNNING after some reads, TERMINATING -> TERMINATED after one. */
    private void advance(ObjectNode instance) {
        String state = instance.get("lifecycleState").asText();
        int polls = instance.path("polls").asInt() + 1;
        instance.put("polls", polls);
        if (state.equals("PROVISIONING") && polls > provisioningPolls) {
            instance.put("lifecycleState", "RUNNING");
            String attachmentId = "ocid1.vnicattachment.oc1.." + ids.incrementAndGet();
            ObjectNode vnic = newObject("vnics", "ocid1.vnic.oc1.." + ids.incrementAndGet(), "vnic", null);
            vnic.put("subnetId", instance.get("subnetId").asText());
            vnic.put("publicIp", publicIp != null ? publicIp : "203.0.113." + (ids.get() % 250));
            vnic.put("privateIp", "10.0.1." + (ids.get() % 250));
            vnic.put("isPrimary", true);
            ObjectNode attachment = newObject("vnicAttachments", attachmentId, null, null);
            attachment.put("instanceId", instance.get("id").asText());
            attachment.put("vnicId", vnic.get("id").asText());
            attachment.put("subnetId", instance.get("subnetId").asText());
            attachment.put("lifecycleState", "ATTACHED");
            attachment.put(
                    "availabilityDomain", instance.get("availabilityDomain").asText());
        } else if (state.equals("TERMINATING")) {
            instance.put("lifecycleState", "TERMINATED");
        }
    }

    private ObjectNode newObject(String collection, String id, String displayName, JsonNode tags) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        o.put("compartmentId", "ocid1.compartment.oc1..test");
        if (displayName != null) {
            o.put("displayName", displayName);
        }
        o.put("lifecycleState", "AVAILABLE");
        o.put("timeCreated", "2026-12-04T10:00:00.000Z");
        o.set("freeformTags", tags == null ? JSON.createObjectNode() : tags.deepCopy());
        objects.put(id, o);
        kinds.put(id, collection);
        return o;
    }

    private ResponseDefinitionBuilder create(String collection, Call c) {
        JsonNode b = c.body();
        if (b == null) {
            throw new OciError(400, "InvalidParameter", "missing body");
        }
        String tokenKey = collection + "/" + c.retryToken();
        if (c.retryToken() != null && retryTokens.containsKey(tokenKey)) {
            ObjectNode first = objects.get(retryTokens.get(tokenKey));
            if (first.has("workRequestId")) {
                return aResponse()
                        .withStatus(202)
                        .withHeader(
                                "opc-work-request-id",
                                first.get("workRequestId").asText());
            }
            return ok(first); // OCI answers a repeated retry token with the first
        }
        String kind =
                switch (collection) {
                    case "vcns" -> "vcn";
                    case "internetGateways" -> "internetgateway";
                    case "routeTables" -> "routetable";
                    case "subnets" -> "subnet";
                    case "securityLists" -> "securitylist";
                    case "instanceConsoleHistories" -> "consolehistory";
                    case "instances" -> "instance";
                    case "clusters" -> "cluster";
                    case "nodePools" -> "nodepool";
                    default -> throw new OciError(404, "NotAuthorizedOrNotFound", "cannot create " + collection);
                };
        String vcnId = b.path("vcnId").asText(null);
        if (vcnId != null && !exists(vcnId)) {
            throw notFound(vcnId);
        }
        ObjectNode o = newObject(
                collection,
                "ocid1." + kind + ".oc1.." + ids.incrementAndGet(),
                b.path("displayName").asText(null),
                b.get("freeformTags"));
        for (String field : List.of(
                "vcnId",
                "cidrBlock",
                "dnsLabel",
                "routeTableId",
                "isEnabled",
                "routeRules",
                "securityListIds",
                "ingressSecurityRules",
                "egressSecurityRules")) {
            if (b.has(field)) {
                o.set(field, b.get(field));
            }
        }
        if (collection.equals("vcns")) {
            o.put(
                    "defaultRouteTableId",
                    "ocid1.routetable.oc1..default-" + o.get("id").asText());
        }
        if (collection.equals("clusters") || collection.equals("nodePools")) {
            o.put("lifecycleState", "CREATING");
            o.set("name", b.get("name"));
            o.set("kubernetesVersion", b.get("kubernetesVersion"));
            if (collection.equals("clusters")) {
                o.put("subnetId", b.path("endpointConfig").path("subnetId").asText());
                o.putObject("endpoints").put("publicEndpoint", "198.51.100." + (ids.get() % 250) + ":6443");
            } else {
                String clusterId = b.path("clusterId").asText();
                if (!exists(clusterId)) {
                    objects.remove(o.get("id").asText());
                    throw notFound(clusterId);
                }
                o.put("clusterId", clusterId);
                o.set("nodeShape", b.get("nodeShape"));
                o.set("nodeShapeConfig", b.get("nodeShapeConfig"));
                o.set("nodeConfigDetails", b.get("nodeConfigDetails"));
                o.set("nodeSourceDetails", b.get("nodeSourceDetails"));
                o.set("sshPublicKey", b.get("sshPublicKey"));
                o.put(
                        "subnetId",
                        b.path("nodeConfigDetails")
                                .path("placementConfigs")
                                .path(0)
                                .path("subnetId")
                                .asText());
            }
            String wr = newWorkRequest(collection, o.get("id").asText(), "CREATED", "ACTIVE");
            o.put("workRequestId", wr);
            if (c.retryToken() != null) {
                retryTokens.put(tokenKey, o.get("id").asText());
            }
            created.merge(
                    collection + ":"
                            + o.path("freeformTags")
                                    .path(OciInstanceOrchestrator.RESOURCE_TAG)
                                    .asText(),
                    1,
                    Integer::sum);
            return aResponse().withStatus(202).withHeader("opc-work-request-id", wr);
        }
        if (collection.equals("instanceConsoleHistories")) {
            o.put("lifecycleState", "REQUESTED");
            o.set("instanceId", b.get("instanceId"));
            o.put("availabilityDomain", ADS.get(0));
        }
        if (collection.equals("instances")) {
            String subnetId = b.path("createVnicDetails").path("subnetId").asText();
            if (!exists(subnetId)) {
                objects.remove(o.get("id").asText());
                throw new OciError(400, "InvalidParameter", "subnet " + subnetId + " does not exist");
            }
            o.put("lifecycleState", "PROVISIONING");
            o.put("subnetId", subnetId);
            o.set("availabilityDomain", b.get("availabilityDomain"));
            o.set("shape", b.get("shape"));
            o.set("shapeConfig", b.get("shapeConfig"));
            o.set("metadata", b.get("metadata"));
            o.put("imageId", b.path("sourceDetails").path("imageId").asText());
            o.put("region", "us-phoenix-1");
            o.put(
                    "hostKeys",
                    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTY"
                            + o.get("id").asText().hashCode()
                            + " root@fake\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"
                            + Math.abs(o.get("id").asText().hashCode())
                            + " root@fake");
        }
        if (c.retryToken() != null) {
            retryTokens.put(tokenKey, o.get("id").asText());
        }
        created.merge(
                collection + ":"
                        + o.path("freeformTags")
                                .path(OciInstanceOrchestrator.RESOURCE_TAG)
                                .asText(),
                1,
                Integer::sum);
        return ok(o);
    }

    private ResponseDefinitionBuilder delete(String collection, ObjectNode object) {
        String id = object.get("id").asText();
        switch (collection) {
            case "instances" -> {
                String state = object.get("lifecycleState").asText();
                if (!state.equals("TERMINATED")) {
                    object.put("lifecycleState", "TERMINATING");
                    object.put("polls", 0);
                }
                return aResponse().withStatus(204);
            }
            case "subnets" ->
                inUse(
                        id,
                        o -> List.of("instances", "clusters", "nodePools")
                                        .contains(kinds.get(o.get("id").asText()))
                                && id.equals(o.path("subnetId").asText()));
            case "clusters", "nodePools" -> {
                if (collection.equals("clusters")) {
                    inUse(id, o -> id.equals(o.path("clusterId").asText()));
                }
                String state = object.get("lifecycleState").asText();
                if (state.equals("DELETED")) {
                    throw notFound(id);
                }
                object.put("lifecycleState", "DELETING");
                String wr = newWorkRequest(collection, id, "DELETED", "DELETED");
                return aResponse().withStatus(202).withHeader("opc-work-request-id", wr);
            }
            case "routeTables" ->
                inUse(id, o -> id.equals(o.path("routeTableId").asText()));
            case "instanceConsoleHistories" -> {
                // deleted at once
            }
            case "securityLists" ->
                inUse(id, o -> {
                    for (JsonNode list : o.path("securityListIds")) {
                        if (id.equals(list.asText())) {
                            return true;
                        }
                    }
                    return false;
                });
            case "internetGateways" ->
                inUse(id, o -> {
                    for (JsonNode rule : o.path("routeRules")) {
                        if (id.equals(rule.path("networkEntityId").asText())) {
                            return true;
                        }
                    }
                    return false;
                });
            case "vcns" -> inUse(id, o -> id.equals(o.path("vcnId").asText()));
            default -> throw new OciError(405, "NotAllowed", "cannot delete " + collection);
        }
        object.put("lifecycleState", "TERMINATED");
        return aResponse().withStatus(204);
    }

    final Map<String, ObjectNode> workRequests = new LinkedHashMap<>();

    private String newWorkRequest(String collection, String objectId, String action, String finalState) {
        ObjectNode wr = JSON.createObjectNode();
        String id = "ocid1.clustersworkrequest.oc1.." + ids.incrementAndGet();
        wr.put("id", id);
        wr.put(
                "operationType",
                (collection.equals("clusters") ? "CLUSTER_" : "NODEPOOL_")
                        + (action.equals("CREATED") ? "CREATE" : "DELETE"));
        wr.put("status", "ACCEPTED");
        wr.put("compartmentId", "ocid1.compartment.oc1..test");
        ObjectNode resource = wr.putArray("resources").addObject();
        resource.put("actionType", action);
        resource.put("entityType", collection.equals("clusters") ? "cluster" : "nodepool");
        resource.put("identifier", objectId);
        resource.put("entityUri", "/" + collection + "/" + objectId);
        wr.put("timeAccepted", "2026-12-04T10:00:00.000Z");
        wr.put("finalState", finalState);
        workRequests.put(id, wr);
        return id;
    }

    /** A work request is IN_PROGRESS on its first read and SUCCEEDED (its object in its final state) after. */
    private ObjectNode workRequest(String id) {
        ObjectNode wr = workRequests.get(id);
        if (wr == null) {
            throw notFound(id);
        }
        String status = wr.get("status").asText();
        if (status.equals("ACCEPTED")) {
            wr.put("status", "IN_PROGRESS");
        } else if (status.equals("IN_PROGRESS")) {
            wr.put("status", "SUCCEEDED");
            ObjectNode object =
                    objects.get(wr.get("resources").get(0).get("identifier").asText());
            object.put("lifecycleState", wr.get("finalState").asText());
        }
        ObjectNode answer = wr.deepCopy();
        answer.remove("finalState");
        return answer;
    }

    private void inUse(String id, java.util.function.Predicate<ObjectNode> uses) {
        for (ObjectNode o : objects.values()) {
            String state = o.path("lifecycleState").asText();
            if (!state.equals("TERMINATED") && !state.equals("DELETED") && uses.test(o)) {
                throw new OciError(
                        409, "Conflict", id + " is in use by " + o.get("id").asText());
            }
        }
    }

    private ResponseDefinitionBuilder list(String collection, Map<String, String> q) {
        List<JsonNode> items = new ArrayList<>();
        switch (collection) {
            case "availabilityDomains" -> {
                for (String ad : ADS) {
                    ObjectNode a = JSON.createObjectNode();
                    a.put("name", ad);
                    a.put("id", "ocid1.availabilitydomain.oc1.." + ad.substring(ad.length() - 1));
                    a.put("compartmentId", q.get("compartmentId"));
                    items.add(a);
                }
                return ok(JSON.valueToTree(items)); // not paged at OCI
            }
            case "shapes" -> items.addAll(shapes);
            case "images" -> {
                List<ObjectNode> sorted = new ArrayList<>(images);
                sorted.sort((a, b) -> b.get("timeCreated")
                        .asText()
                        .compareTo(a.get("timeCreated").asText()));
                for (ObjectNode i : sorted) {
                    if (q.containsKey("operatingSystem")
                            && !q.get("operatingSystem")
                                    .equals(i.get("operatingSystem").asText())) {
                        continue;
                    }
                    if (q.containsKey("operatingSystemVersion")
                            && !q.get("operatingSystemVersion")
                                    .equals(i.get("operatingSystemVersion").asText())) {
                        continue;
                    }
                    if (q.containsKey("shape")) {
                        boolean compatible = false;
                        for (JsonNode s : i.get("compatibleShapes")) {
                            compatible |= s.asText().equals(q.get("shape"));
                        }
                        if (!compatible) {
                            continue;
                        }
                    }
                    ObjectNode copy = i.deepCopy();
                    copy.remove("compatibleShapes");
                    items.add(copy);
                }
            }
            default -> {
                for (Map.Entry<String, ObjectNode> e : objects.entrySet()) {
                    ObjectNode o = e.getValue();
                    if (!collection.equals(kinds.get(e.getKey()))) {
                        continue;
                    }
                    if (collection.equals("instances")) {
                        advance(o);
                    } else if (o.path("lifecycleState").asText().equals("TERMINATED")) {
                        continue;
                    }
                    if (q.containsKey("vcnId")
                            && !q.get("vcnId").equals(o.path("vcnId").asText())) {
                        continue;
                    }
                    if (q.containsKey("instanceId")
                            && !q.get("instanceId").equals(o.path("instanceId").asText())) {
                        continue;
                    }
                    if (q.containsKey("displayName")
                            && !q.get("displayName")
                                    .equals(o.path("displayName").asText())) {
                        continue;
                    }
                    items.add(o);
                }
            }
        }
        int start = q.containsKey("page") ? Integer.parseInt(q.get("page").replace("page-", "")) : 0;
        List<JsonNode> page = items.subList(Math.min(start, items.size()), Math.min(start + pageSize, items.size()));
        ResponseDefinitionBuilder response = ok(JSON.valueToTree(page));
        if (start + pageSize < items.size()) {
            response = response.withHeader("opc-next-page", "page-" + (start + pageSize));
        }
        return response;
    }

    private ResponseDefinitionBuilder ok(JsonNode body) {
        return aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withHeader("opc-request-id", "req-" + ids.incrementAndGet())
                .withHeader("etag", "etag-" + ids.get())
                .withBody(body.toString());
    }

    private static ResponseDefinition error(Err err) {
        return errorBuilder(err).build();
    }

    private static ResponseDefinitionBuilder errorBuilder(Err err) {
        ObjectNode body = JSON.createObjectNode();
        body.put("code", err.code());
        body.put("message", err.message());
        return aResponse()
                .withStatus(err.status())
                .withHeader("Content-Type", "application/json")
                .withHeader("opc-request-id", "req-error")
                .withBody(body.toString());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.put(k, v);
        }
        return q;
    }
}
