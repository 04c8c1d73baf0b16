package io.corc.spawner;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.ImageSpec;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The deployment and template definitions as one immutable snapshot. A spawn takes the snapshot current when it
 * starts and keeps it, so a file changed while it runs affects only later spawns.
 *
 * <p>{@link Source} reads both files again whenever they changed (their content, not their modification time, is
 * compared: two writes within the file system's timestamp resolution are still seen).
 */
public record Definitions(Map<String, Deployment> deployments, Map<String, Template> templates) {
    public Definitions {
        deployments = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(deployments));
        templates = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(templates));
    }

    /** The deployment called {@code name}. */
    public Deployment deployment(String name) {
        Deployment found = deployments.get(name);
        if (found == null) {
            throw CorcException.notFound("unknown deployment '" + name + "'")
                    .withHint(
                            deployments.isEmpty()
                                    ? "the deployment file defines none; add one under virtual_machine, container or bare_metal"
                                    : "known deployments: " + String.join(", ", deployments.keySet()));
        }
        return found;
    }

    /**
     * The template called {@code name}; with {@code name} null, the deployment's template, else the one called
     * {@code default}, else the only one.
     */
    public Template template(String name, Deployment deployment) {
        String wanted = name != null ? name : deployment.template();
        if (wanted == null) {
            if (templates.containsKey("default")) {
                return templates.get("default");
            }
            if (templates.size() == 1) {
                return templates.values().iterator().next();
            }
            throw CorcException.invalidInput("deployment '" + deployment.name() + "' names no template and there is "
                            + (templates.isEmpty() ? "none" : "no template called 'default'"))
                    .withHint(
                            templates.isEmpty()
                                    ? "add a template to the template file"
                                    : "name one (" + String.join(", ", templates.keySet())
                                            + ") in the spawn or the deployment");
        }
        Template found = templates.get(wanted);
        if (found == null) {
            throw CorcException.notFound("unknown template '" + wanted + "'")
                    .withHint(
                            templates.isEmpty()
                                    ? "the template file defines none"
                                    : "known templates: " + String.join(", ", templates.keySet()));
        }
        return found;
    }

    /** Loads both files; a missing file defines nothing. */
    public static Definitions load(Path deploymentFile, Path templateFile) {
        return new Definitions(
                parseDeployments(read(deploymentFile), deploymentFile.toString()),
                parseTemplates(read(templateFile), templateFile.toString()));
    }

    /** The two files, read again on {@link #current()} whenever their content changed. */
    public static final class Source {
        private final Path deploymentFile;
        private final Path templateFile;
        private byte[] deploymentDigest;
        private byte[] templateDigest;
        private Definitions current;

        public Source(Path deploymentFile, Path templateFile) {
            this.deploymentFile = deploymentFile;
            this.templateFile = templateFile;
        }

        public Path deploymentFile() {
            return deploymentFile;
        }

        public Path templateFile() {
            return templateFile;
        }

        /**
         * The definitions as the files say now: parsed again when either changed since the last call.
         *
         * @throws CorcException INVALID_INPUT naming the file and line when one does not parse or holds an unknown
         *     placeholder; the previous snapshot is not used then, so a broken file is noticed at once
         */
        public synchronized Definitions current() {
            String deployments = read(deploymentFile);
            String templates = read(templateFile);
            byte[] d = digest(deployments);
            byte[] t = digest(templates);
            if (current == null || !Arrays.equals(d, deploymentDigest) || !Arrays.equals(t, templateDigest)) {
                Definitions parsed = new Definitions(
                        parseDeployments(deployments, deploymentFile.toString()),
                        parseTemplates(templates, templateFile.toString()));
                current = parsed;
                deploymentDigest = d;
                templateDigest = t;
            }
            return current;
        }
    }

    private static String read(Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new CorcException(ErrorCategory.INVALID_INPUT, "cannot read " + file + ": " + e.getMessage())
                    .withCause(e);
        }
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object yaml(String text, String file) {
        try {
            return new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (YAMLException e) {
            throw CorcException.invalidInput(
                            file + " is not valid YAML: " + e.getMessage().replace('\n', ' '))
                    .withHint("fix the file; running sessions are not affected and the next spawn reads it again")
                    .withCause(e);
        }
    }

    static Map<String, Deployment> parseDeployments(String text, String file) {
        Object root = yaml(text, file);
        Map<String, Deployment> out = new LinkedHashMap<>();
        if (root == null) {
            return out;
        }
        Map<?, ?> types = asMap(root, file, "the top level (resource types)");
        for (Map.Entry<?, ?> type : types.entrySet()) {
            String resourceType = String.valueOf(type.getKey());
            if (!Deployment.RESOURCE_TYPES.contains(resourceType)) {
                throw invalid(
                        file,
                        "unknown resource type '" + resourceType + "'",
                        "resource types are " + String.join(", ", Deployment.RESOURCE_TYPES));
            }
            if (type.getValue() == null) {
                continue;
            }
            if (!(type.getValue() instanceof List<?> options)) {
                throw invalid(
                        file, resourceType + " must be a list of named options", "e.g. '- {name: x, provider: local}'");
            }
            for (Object option : options) {
                String at = file + ": " + resourceType;
                Map<?, ?> entry = asMap(option, file, resourceType + " entries");
                String name = required(entry, "name", at);
                at = at + "." + name;
                String provider = required(entry, "provider", at);
                ImageSpec image = image(entry.get("image"), at);
                Object template = entry.get("template");
                Map<String, String> options2 = new LinkedHashMap<>();
                if (entry.get("options") != null) {
                    asMap(entry.get("options"), file, at + ".options")
                            .forEach((k, v) -> options2.put(String.valueOf(k), String.valueOf(v)));
                }
                for (Object key : entry.keySet()) {
                    if (!List.of("name", "provider", "image", "template", "options")
                            .contains(String.valueOf(key))) {
                        throw invalid(
                                file,
                                "unknown key '" + key + "' in " + at,
                                "keys are name, provider, image, template, options");
                    }
                }
                if (out.containsKey(name)) {
                    throw invalid(
                            file,
                            "deployment '" + name + "' is defined twice",
                            "names are unique across resource types");
                }
                out.put(
                        name,
                        new Deployment(
                                name,
                                resourceType,
                                provider,
                                image,
                                template == null ? null : String.valueOf(template),
                                options2));
            }
        }
        return out;
    }

    private static ImageSpec image(Object value, String at) {
        if (value == null) {
            return ImageSpec.ANY;
        }
        if (value instanceof Map<?, ?> map) {
            Object os = map.get("operating_system");
            Object version = map.get("version");
            Object id = map.get("id");
            return new ImageSpec(
                    id == null ? null : String.valueOf(id),
                    os == null ? null : String.valueOf(os),
                    version == null ? null : String.valueOf(version));
        }
        return ImageSpec.ofId(String.valueOf(value));
    }

    static Map<String, Template> parseTemplates(String text, String file) {
        Object root = yaml(text, file);
        Map<String, Template> out = new LinkedHashMap<>();
        if (root == null) {
            return out;
        }
        Object list = root instanceof Map<?, ?> m && m.containsKey("templates") ? m.get("templates") : root;
        if (list == null) {
            return out;
        }
        if (!(list instanceof List<?> entries)) {
            throw invalid(
                    file, "templates must be a list", "e.g. 'templates: [{name: notebook, session: {command: ...}}]'");
        }
        for (Object value : entries) {
            Map<?, ?> entry = asMap(value, file, "templates entries");
            String name = required(entry, "name", file + ": templates");
            String at = "template '" + name + "' of " + file;
            for (Object key : entry.keySet()) {
                if (!List.of("name", "configurer", "authenticator", "session").contains(String.valueOf(key))) {
                    throw invalid(
                            file,
                            "unknown key '" + key + "' in " + at,
                            "keys are name, configurer, authenticator, session");
                }
            }
            Part configurer = part(entry.get("configurer"), file, at + ": configurer");
            Part authenticator = part(entry.get("authenticator"), file, at + ": authenticator");
            String command = null;
            int port = 0;
            if (entry.get("session") != null) {
                Map<?, ?> session = asMap(entry.get("session"), file, at + ": session");
                command = session.get("command") == null ? null : String.valueOf(session.get("command"));
                Object p = session.get("port");
                if (p != null) {
                    try {
                        port = Integer.parseInt(String.valueOf(p));
                    } catch (NumberFormatException e) {
                        throw invalid(file, at + ": session.port must be a number, got '" + p + "'", "e.g. port: 8888");
                    }
                    if (port < 0 || port > 65535) {
                        throw invalid(file, at + ": session.port " + port + " is out of range", "1 to 65535");
                    }
                }
            }
            List<String> unknown = new ArrayList<>();
            unknown.addAll(Placeholders.unknownIn(configurer.options));
            unknown.addAll(Placeholders.unknownIn(authenticator.options));
            if (command != null) {
                unknown.addAll(Placeholders.unknown(command));
            }
            if (!unknown.isEmpty()) {
                throw Placeholders.unknownPlaceholder(unknown.get(0), at);
            }
            if (out.containsKey(name)) {
                throw invalid(file, "template '" + name + "' is defined twice", "template names are unique");
            }
            out.put(
                    name,
                    new Template(
                            name,
                            configurer.name,
                            configurer.options,
                            authenticator.name,
                            authenticator.options,
                            command,
                            port));
        }
        return out;
    }

    private record Part(String name, Map<String, Object> options) {}

    private static Part part(Object value, String file, String at) {
        if (value == null) {
            return new Part(null, Map.of());
        }
        if (value instanceof String s) {
            return new Part(s, Map.of());
        }
        Map<?, ?> map = asMap(value, file, at);
        String name = required(map, "name", file + ": " + at);
        Map<String, Object> options = new LinkedHashMap<>();
        if (map.get("options") != null) {
            asMap(map.get("options"), file, at + ".options").forEach((k, v) -> options.put(String.valueOf(k), v));
        }
        return new Part(name, options);
    }

    private static Map<?, ?> asMap(Object value, String file, String what) {
        if (value instanceof Map<?, ?> map) {
            return map;
        }
        throw invalid(
                file,
                what + " must be a mapping, got " + (value == null ? "nothing" : "'" + value + "'"),
                "see docs/spawner.md for the format");
    }

    private static String required(Map<?, ?> map, String key, String at) {
        Object value = map.get(key);
        if (value == null || String.valueOf(value).isBlank()) {
            throw CorcException.invalidInput(at + ": '" + key + "' is missing")
                    .withHint("see docs/spawner.md for the format");
        }
        return String.valueOf(value);
    }

    private static CorcException invalid(String file, String message, String hint) {
        return CorcException.invalidInput(message.startsWith(file) ? message : file + ": " + message)
                .withHint(hint);
    }
}
