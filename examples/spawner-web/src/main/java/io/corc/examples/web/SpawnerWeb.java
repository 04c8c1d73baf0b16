package io.corc.examples.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.corc.api.CorcException;
import io.corc.core.Corc;
import io.corc.spawner.Definitions;
import io.corc.spawner.Deployment;
import io.corc.spawner.Session;
import io.corc.spawner.SpawnSpec;
import io.corc.spawner.Spawner;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The spawn form MultipleSpawner showed its users (deployment by provider and resource type, memory, cores, GPUs,
 * minutes), a list of running sessions and their stop buttons, on the JDK's HTTP server over {@link Spawner}.
 *
 * <p>Run: {@code java -cp ... io.corc.examples.web.SpawnerWeb [port]} (default 8080, loopback only). With no
 * definition files in {@code <corc home>/spawner/}, it writes ones for the embedded default (a local sandbox), so
 * it works out of the box.
 */
public final class SpawnerWeb implements AutoCloseable {
    private final Spawner spawner;
    private final HttpServer server;

    public SpawnerWeb(Corc corc, int port) throws IOException {
        writeDefaults(Spawner.spawnerDir(corc.home()));
        this.spawner = Spawner.builder(corc).build();
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        SpawnerWeb web = new SpawnerWeb(Corc.builder().build(), port);
        Runtime.getRuntime().addShutdownHook(new Thread(web::close)); // stops the sessions this service started
        System.out.println("spawn form on http://127.0.0.1:" + web.port() + "/");
    }

    @Override
    public void close() {
        server.stop(0);
        spawner.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (method.equals("GET") && path.equals("/")) {
                send(exchange, 200, page(null));
            } else if (method.equals("POST") && path.equals("/spawn")) {
                Map<String, String> form = form(exchange);
                try {
                    spawner.spawn(
                            form.getOrDefault("user", ""),
                            form.getOrDefault("deployment", ""),
                            new SpawnSpec(
                                    null, integer(form, "cores"), integer(form, "memory"), integer(form, "gpus"), null),
                            Duration.ofMinutes(Math.max(1, integer(form, "minutes"))));
                    redirect(exchange);
                } catch (CorcException e) {
                    send(
                            exchange,
                            400,
                            page(e.getMessage()
                                    + e.hint().map(h -> " (" + h + ")").orElse("")));
                }
            } else if (method.equals("POST") && path.equals("/stop")) {
                spawner.stop(form(exchange).getOrDefault("id", ""));
                redirect(exchange);
            } else {
                send(exchange, 404, "not found");
            }
        }
    }

    private String page(String error) {
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html><html><head><meta charset=utf-8><title>corc spawner</title>")
                .append("<style>body{font-family:sans-serif;margin:2em}label{display:block;margin:.4em 0}")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em}")
                .append(".error{color:#b00}</style></head><body><h1>Start a session</h1>");
        if (error != null) {
            html.append("<p class=error id=error>").append(escape(error)).append("</p>");
        }
        html.append("<form method=post action=/spawn id=spawn>")
                .append("<label>User <input name=user id=user required pattern='[a-z_][a-z0-9_.-]*'></label>")
                .append("<label>Provider and resource type <select name=deployment id=deployment>");
        Definitions definitions;
        try {
            definitions = spawner.definitions();
        } catch (CorcException e) {
            definitions = new Definitions(Map.of(), Map.of());
            html.append("</select></label><p class=error>")
                    .append(escape(e.getMessage()))
                    .append("</p><select>");
        }
        for (String type : Deployment.RESOURCE_TYPES) {
            html.append("<optgroup label='").append(type.replace('_', ' ')).append("'>");
            for (Deployment d : definitions.deployments().values()) {
                if (d.resourceType().equals(type)) {
                    html.append("<option value='")
                            .append(escape(d.name()))
                            .append("'>")
                            .append(escape(d.name() + " (" + d.provider() + ")"))
                            .append("</option>");
                }
            }
            html.append("</optgroup>");
        }
        html.append("</select></label>")
                .append("<label>Memory (GiB) <input name=memory id=memory type=number min=0 value=0></label>")
                .append("<label>Cores <input name=cores id=cores type=number min=0 value=0></label>")
                .append("<label>GPUs <input name=gpus id=gpus type=number min=0 value=0></label>")
                .append("<label>Minutes <input name=minutes id=minutes type=number min=1 value=60></label>")
                .append("<button type=submit id=start>Start</button></form>")
                .append("<h2>Sessions</h2><table id=sessions><tr><th>Session</th><th>User</th><th>Deployment</th>")
                .append("<th>Provider</th><th>State</th><th>Port here</th><th>Until</th><th></th></tr>");
        for (Session listed : spawner.list()) {
            Session s;
            try {
                s = spawner.poll(listed.id());
            } catch (CorcException e) {
                s = listed;
            }
            html.append("<tr class=session><td>")
                    .append(escape(s.id()))
                    .append("</td><td>")
                    .append(escape(s.user()))
                    .append("</td><td>")
                    .append(escape(s.deployment()))
                    .append("</td><td>")
                    .append(escape(s.provider()))
                    .append("</td><td class=state>")
                    .append(escape(s.state()))
                    .append("</td><td>")
                    .append(s.localPort() == 0 ? "-" : s.localPort())
                    .append("</td><td>")
                    .append(s.expiresAt())
                    .append("</td><td>")
                    .append("<form method=post action=/stop><input type=hidden name=id value='")
                    .append(escape(s.id()))
                    .append("'><button type=submit class=stop>Stop</button></form></td></tr>");
        }
        return html.append("</table></body></html>").toString();
    }

    /** Definitions for the embedded default, written once when none exist. */
    static void writeDefaults(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path deployments = dir.resolve("deployments.yaml");
        Path templates = dir.resolve("templates.yaml");
        if (!Files.exists(deployments)) {
            Files.writeString(deployments, """
                    container:
                      - {name: sandbox, provider: local}
                    """);
        }
        if (!Files.exists(templates)) {
            Files.writeString(templates, """
                    templates:
                      - name: default
                        session:
                          command: "while true; do date > heartbeat-{user}.txt; sleep 5; done"
                    """);
        }
    }

    private static int integer(Map<String, String> form, String key) {
        try {
            return Integer.parseInt(form.getOrDefault(key, "0").strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Map<String, String> form(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(
                        URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private static void redirect(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Location", "/");
        exchange.sendResponseHeaders(303, -1);
    }

    private static void send(HttpExchange exchange, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String escape(String text) {
        return text == null
                ? ""
                : text.replace("&", "&amp;")
                        .replace("<", "&lt;")
                        .replace(">", "&gt;")
                        .replace("'", "&#39;")
                        .replace("\"", "&quot;");
    }
}
