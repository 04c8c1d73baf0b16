package io.corc.provider.jclouds;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stateful OpenStack on WireMock for the jclouds provider: Keystone v3 ({@code POST /identity/v3/auth/tokens}, the
 * token in {@code X-Subject-Token} and the service catalog in the body) and Nova v2.1 under {@code /compute/v2.1}
 * (flavors and images in detail, servers created, listed, read and deleted with their metadata, extensions). The JSON
 * follows the shapes of the OpenStack API reference (Identity v3 "Password authentication with scoped authorization",
 * Compute "Servers", "Flavors", "Images (deprecated proxy)", "Extensions"), trimmed to the fields listed there; each
 * server goes BUILD -> ACTIVE on its next read, or ERROR with a fault when a test asks for no valid host.
 */
public final class FakeNova implements ResponseDefinitionTransformerV2 {
    static final String TOKEN = "gAAAAABf-corc-test-token";
    static final String PROJECT_ID = "5b3fd5c8ab1a4ec7b5ea4c8a0d8c9e11";
    private static final Gson GSON = new GsonBuilder().serializeNulls().create();

    /** A server as Nova keeps it. */
    public static final class Server {
        public final String id = UUID.randomUUID().toString();
        final String name;
        final String flavorId;
        final String imageId;
        public final Map<String, String> metadata;
        final String userData;
        final Instant created = Instant.now();
        String status = "BUILD";
        int reads;
        boolean deleted;

        Server(String name, String flavorId, String imageId, Map<String, String> metadata, String userData) {
            this.name = name;
            this.flavorId = flavorId;
            this.imageId = imageId;
            this.metadata = metadata;
            this.userData = userData;
        }
    }

    final Map<String, Server> servers = new LinkedHashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<JsonObject> authBodies = new CopyOnWriteArrayList<>();
    final List<JsonObject> createBodies = new CopyOnWriteArrayList<>();
    volatile boolean noValidHost;
    volatile boolean quotaExceeded;
    volatile boolean rejectPassword;

    private final WireMockServer server;

    public FakeNova() {
        server = new WireMockServer(WireMockConfiguration.options()
                .bindAddress("127.0.0.1")
                .dynamicPort()
                .extensions(this));
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)));
    }

    /** The Keystone v3 endpoint ({@code OS_AUTH_URL}). */
    public String keystone() {
        return base() + "/identity/v3";
    }

    private String base() {
        return "http://127.0.0.1:" + server.port();
    }

    private String compute() {
        return base() + "/compute/v2.1";
    }

    public void shutdown() {
        server.stop();
    }

    /** Servers not deleted. */
    public synchronized List<Server> live() {
        return servers.values().stream().filter(s -> !s.deleted).toList();
    }

    @Override
    public String getName() {
        return "fake-nova";
    }

    @Override
    public synchronized ResponseDefinition transform(ServeEvent event) {
        String method = event.getRequest().getMethod().getName();
        String path = event.getRequest().getUrl().replaceFirst("\\?.*", "");
        requests.add(method + " " + path);
        if (method.equals("POST") && path.equals("/identity/v3/auth/tokens")) {
            return authenticate(
                    JsonParser.parseString(event.getRequest().getBodyAsString()).getAsJsonObject());
        }
        if (method.equals("POST") && path.equals("/identity/v2.0/tokens")) {
            return authenticateV2(
                    JsonParser.parseString(event.getRequest().getBodyAsString()).getAsJsonObject());
        }
        if (!path.startsWith("/compute/v2.1")) {
            return error(404, "itemNotFound", "The resource could not be found.");
        }
        if (!TOKEN.equals(event.getRequest().getHeader("X-Auth-Token"))) {
            return json(
                    401,
                    Map.of(
                            "error",
                            Map.of(
                                    "code",
                                    401,
                                    "title",
                                    "Unauthorized",
                                    "message",
                                    "The request you have made requires authentication.")));
        }
        String api = path.substring("/compute/v2.1".length());
        if (method.equals("GET") && api.equals("/flavors/detail")) {
            return json(
                    200,
                    Map.of(
                            "flavors",
                            List.of(
                                    flavor("1", "m1.tiny", 512, 1, 1),
                                    flavor("2", "m1.small", 2048, 20, 1),
                                    flavor("3", "m1.medium", 4096, 40, 2),
                                    flavor("4", "m1.large", 8192, 80, 4))));
        }
        if (method.equals("GET") && api.equals("/images/detail")) {
            return json(
                    200,
                    Map.of(
                            "images",
                            List.of(
                                    image(UBUNTU, "ubuntu-22.04-server-cloudimg-amd64"),
                                    image(CIRROS, "cirros-0.6.2-x86_64-disk"))));
        }
        if (method.equals("GET") && api.startsWith("/images/")) {
            String id = api.substring("/images/".length());
            return id.equals(UBUNTU)
                    ? json(200, Map.of("image", image(UBUNTU, "ubuntu-22.04-server-cloudimg-amd64")))
                    : id.equals(CIRROS)
                            ? json(200, Map.of("image", image(CIRROS, "cirros-0.6.2-x86_64-disk")))
                            : error(404, "itemNotFound", "Image not found.");
        }
        if (method.equals("GET") && api.equals("/extensions")) {
            return json(200, Map.of("extensions", List.of()));
        }
        if (method.equals("GET") && api.equals("/servers/detail")) {
            return json(
                    200, Map.of("servers", live().stream().map(this::serverView).toList()));
        }
        if (method.equals("POST") && api.equals("/servers")) {
            return create(
                    JsonParser.parseString(event.getRequest().getBodyAsString()).getAsJsonObject());
        }
        if (api.startsWith("/servers/")) {
            String id = api.substring("/servers/".length());
            Server found = servers.get(id);
            if (found == null || found.deleted) {
                return error(404, "itemNotFound", "Instance " + id + " could not be found.");
            }
            if (method.equals("DELETE")) {
                found.deleted = true;
                return new ResponseDefinition(204, "");
            }
            if (method.equals("GET")) {
                found.reads++;
                if (found.status.equals("BUILD") && found.reads > 1) {
                    found.status = noValidHost ? "ERROR" : "ACTIVE";
                }
                return json(200, Map.of("server", serverView(found)));
            }
        }
        return error(404, "itemNotFound", "The resource could not be found.");
    }

    private ResponseDefinition authenticate(JsonObject body) {
        authBodies.add(body);
        if (rejectPassword) {
            return json(
                    401,
                    Map.of(
                            "error",
                            Map.of(
                                    "code",
                                    401,
                                    "title",
                                    "Unauthorized",
                                    "message",
                                    "The request you have made requires authentication.")));
        }
        JsonObject user = body.getAsJsonObject("auth")
                .getAsJsonObject("identity")
                .getAsJsonObject("password")
                .getAsJsonObject("user");
        Map<String, Object> endpoint = new LinkedHashMap<>();
        endpoint.put("id", "e6ec8a0c6ac04d1d8b0e2f1d3c4e5f60");
        endpoint.put("interface", "public");
        endpoint.put("region", "RegionOne");
        endpoint.put("region_id", "RegionOne");
        endpoint.put("url", compute());
        Map<String, Object> computeService = new LinkedHashMap<>();
        computeService.put("endpoints", List.of(endpoint));
        computeService.put("id", "0b2b6f9e5d2c4b1e9a7f3c8d2e1f0a9b");
        computeService.put("type", "compute");
        computeService.put("name", "nova");
        Map<String, Object> identityEndpoint = new LinkedHashMap<>(endpoint);
        identityEndpoint.put("id", "a1b2c3d4e5f60718293a4b5c6d7e8f90");
        identityEndpoint.put("url", keystone());
        Map<String, Object> identityService = new LinkedHashMap<>();
        identityService.put("endpoints", List.of(identityEndpoint));
        identityService.put("id", "9f8e7d6c5b4a39281706f5e4d3c2b1a0");
        identityService.put("type", "identity");
        identityService.put("name", "keystone");
        Map<String, Object> domain = Map.of("id", "default", "name", "Default");
        Map<String, Object> token = new LinkedHashMap<>();
        token.put("methods", List.of("password"));
        Map<String, Object> userView = new LinkedHashMap<>();
        userView.put("domain", domain);
        userView.put("id", "ee4dfb6e5540447cb3741905149d9b6e");
        userView.put("name", user.get("name").getAsString());
        userView.put("password_expires_at", null);
        token.put("user", userView);
        token.put("audit_ids", List.of("3T2dc1CGQxyJsHdDu1xkcw"));
        token.put("expires_at", Instant.now().plusSeconds(3600).toString());
        token.put("issued_at", Instant.now().toString());
        token.put("project", Map.of("domain", domain, "id", PROJECT_ID, "name", "physics"));
        token.put("is_domain", false);
        token.put("roles", List.of(Map.of("id", "51cc68287d524c759f47c811e6463340", "name", "member")));
        token.put("catalog", List.of(computeService, identityService));
        return new ResponseDefinitionBuilder() // 201 Created, the token in the header
                .withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withHeader("X-Subject-Token", TOKEN)
                .withBody(GSON.toJson(Map.of("token", token)))
                .build();
    }

    /** Keystone v2.0 ("Authenticate", POST /v2.0/tokens): the token and catalog in the body's {@code access}. */
    private ResponseDefinition authenticateV2(JsonObject body) {
        authBodies.add(body);
        JsonObject auth = body.getAsJsonObject("auth");
        if (rejectPassword || !auth.has("passwordCredentials")) {
            return json(
                    401,
                    Map.of(
                            "error",
                            Map.of(
                                    "code",
                                    401,
                                    "title",
                                    "Unauthorized",
                                    "message",
                                    "The request you have made requires authentication.")));
        }
        Map<String, Object> endpoint = new LinkedHashMap<>();
        endpoint.put("adminURL", compute());
        endpoint.put("region", "RegionOne");
        endpoint.put("internalURL", compute());
        endpoint.put("id", "2dad48f09e2a447a9bf852bcd93548ef");
        endpoint.put("publicURL", compute());
        Map<String, Object> computeService = new LinkedHashMap<>();
        computeService.put("endpoints", List.of(endpoint));
        computeService.put("endpoints_links", List.of());
        computeService.put("type", "compute");
        computeService.put("name", "nova");
        Map<String, Object> tenant = new LinkedHashMap<>();
        tenant.put("description", null);
        tenant.put("enabled", true);
        tenant.put("id", PROJECT_ID);
        tenant.put("name", auth.has("tenantName") ? auth.get("tenantName").getAsString() : "");
        Map<String, Object> token = new LinkedHashMap<>();
        token.put("issued_at", Instant.now().toString());
        token.put("expires", Instant.now().plusSeconds(3600).toString().replaceFirst("\\.\\d+Z$", "Z"));
        token.put("id", TOKEN);
        token.put("tenant", tenant);
        token.put("audit_ids", List.of("FSN8wl3RT7i9K-ovsJ2SBg"));
        String username =
                auth.getAsJsonObject("passwordCredentials").get("username").getAsString();
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("username", username);
        user.put("roles_links", List.of());
        user.put("id", "ee4dfb6e5540447cb3741905149d9b6e");
        user.put("roles", List.of(Map.of("name", "_member_")));
        user.put("name", username);
        Map<String, Object> access = new LinkedHashMap<>();
        access.put("token", token);
        access.put("serviceCatalog", List.of(computeService));
        access.put("user", user);
        access.put("metadata", Map.of("is_admin", 0, "roles", List.of("9fe2ff9ee4384b1894a90878d3e92bab")));
        return json(200, Map.of("access", access));
    }

    private ResponseDefinition create(JsonObject body) {
        createBodies.add(body);
        if (quotaExceeded) {
            return error(
                    403,
                    "forbidden",
                    "Quota exceeded for instances: Requested 1, but already used 10 of 10" + " instances");
        }
        JsonObject spec = body.getAsJsonObject("server");
        Map<String, String> metadata = new LinkedHashMap<>();
        if (spec.has("metadata")) {
            spec.getAsJsonObject("metadata")
                    .entrySet()
                    .forEach(e -> metadata.put(e.getKey(), e.getValue().getAsString()));
        }
        Server created = new Server(
                spec.get("name").getAsString(),
                spec.get("flavorRef").getAsString(),
                spec.get("imageRef").getAsString(),
                metadata,
                spec.has("user_data") ? spec.get("user_data").getAsString() : null);
        servers.put(created.id, created);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", created.id);
        answer.put("links", links("servers", created.id));
        answer.put("OS-DCF:diskConfig", "MANUAL");
        answer.put("security_groups", List.of(Map.of("name", "default")));
        answer.put("adminPass", "wfksH3GTTseP");
        return json(202, Map.of("server", answer));
    }

    private Map<String, Object> serverView(Server s) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", s.id);
        view.put("name", s.name);
        view.put("status", s.status);
        view.put("tenant_id", PROJECT_ID);
        view.put("user_id", "ee4dfb6e5540447cb3741905149d9b6e");
        view.put("metadata", s.metadata);
        view.put("hostId", s.status.equals("BUILD") ? "" : "92154fab69d5883ba2c8622b7e65f745dd33257221c07af363c51b29");
        view.put("image", Map.of("id", s.imageId, "links", links("images", s.imageId)));
        view.put("flavor", Map.of("id", s.flavorId, "links", links("flavors", s.flavorId)));
        view.put("created", s.created.toString().replaceFirst("\\.\\d+Z$", "Z"));
        view.put("updated", s.created.toString().replaceFirst("\\.\\d+Z$", "Z"));
        view.put(
                "addresses",
                s.status.equals("ACTIVE")
                        ? Map.of(
                                "private",
                                List.of(Map.of(
                                        "addr", "127.0.0.1",
                                        "version", 4,
                                        "OS-EXT-IPS:type", "fixed",
                                        "OS-EXT-IPS-MAC:mac_addr", "fa:16:3e:4c:2c:30")))
                        : Map.of());
        view.put("accessIPv4", "");
        view.put("accessIPv6", "");
        view.put("links", links("servers", s.id));
        view.put("key_name", null);
        view.put("config_drive", "");
        view.put("progress", s.status.equals("ACTIVE") ? 100 : 0);
        view.put(
                "OS-EXT-STS:vm_state",
                s.status.equals("ACTIVE") ? "active" : s.status.equals("ERROR") ? "error" : "building");
        view.put("OS-EXT-STS:task_state", s.status.equals("BUILD") ? "spawning" : null);
        view.put("OS-EXT-STS:power_state", s.status.equals("ACTIVE") ? 1 : 0);
        view.put("OS-EXT-AZ:availability_zone", "nova");
        view.put("security_groups", List.of(Map.of("name", "default")));
        if (s.status.equals("ERROR")) {
            view.put(
                    "fault",
                    Map.of(
                            "code",
                            500,
                            "created",
                            s.created.toString(),
                            "message",
                            "No valid host was found. There are not enough hosts available."));
        }
        return view;
    }

    public static final String UBUNTU = "70a599e0-31e7-49b7-b260-868f441e862b";
    static final String CIRROS = "155d900f-4e14-4e4c-a73d-069cbf4541e6";

    private Map<String, Object> image(String id, String name) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", id);
        view.put("name", name);
        view.put("status", "ACTIVE");
        view.put("progress", 100);
        view.put("minDisk", 0);
        view.put("minRam", 0);
        view.put("created", "2026-10-01T12:00:00Z");
        view.put("updated", "2026-10-01T12:05:00Z");
        view.put(
                "metadata",
                Map.of("architecture", "x86_64", "os_distro", name.startsWith("ubuntu") ? "ubuntu" : "cirros"));
        view.put("links", links("images", id));
        view.put("OS-EXT-IMG-SIZE:size", 21430272);
        return view;
    }

    private Map<String, Object> flavor(String id, String name, int ramMb, int diskGb, int vcpus) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", id);
        view.put("name", name);
        view.put("ram", ramMb);
        view.put("disk", diskGb);
        view.put("vcpus", vcpus);
        view.put("swap", "");
        view.put("rxtx_factor", 1.0);
        view.put("OS-FLV-EXT-DATA:ephemeral", 0);
        view.put("OS-FLV-DISABLED:disabled", false);
        view.put("os-flavor-access:is_public", true);
        view.put("links", links("flavors", id));
        return view;
    }

    private List<Map<String, String>> links(String collection, String id) {
        return List.of(
                Map.of("href", compute() + "/" + collection + "/" + id, "rel", "self"),
                Map.of("href", base() + "/compute/" + collection + "/" + id, "rel", "bookmark"));
    }

    private static ResponseDefinition error(int status, String kind, String message) {
        return json(status, Map.of(kind, Map.of("message", message, "code", status)));
    }

    private static ResponseDefinition json(int status, Object body) {
        return new ResponseDefinitionBuilder()
                .withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody(GSON.toJson(body))
                .build();
    }

    /** The requests answered, as {@code METHOD /path}, oldest first. */
    public List<String> requests() {
        return new ArrayList<>(requests);
    }
}
