package io.corc.core.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/** Reads one configuration file: text, then YAML nodes, then the schema check. */
final class ConfigFiles {
    private ConfigFiles() {}

    /** Reads and checks {@code file}, which must exist; throws only when it cannot be read at all. */
    static Layer read(Path file) {
        return parse(file, text(file));
    }

    /** Checks {@code yaml} as if read from {@code file} ({@code null} when it has no file). */
    static Layer parse(Path file, String yaml) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(yaml));
        } catch (YAMLException e) {
            int line = e instanceof MarkedYAMLException marked && marked.getProblemMark() != null
                    ? marked.getProblemMark().getLine() + 1
                    : 0;
            return new Layer(
                    new LinkedHashMap<>(),
                    List.of(new ConfigProblem(file, "", line, "invalid YAML: " + shortReason(e))));
        }
        NodeValidator validator = new NodeValidator(file);
        Map<String, Object> values = validator.validate(root);
        return new Layer(values, new ArrayList<>(validator.problems()));
    }

    private static String text(Path file) {
        if (Files.isDirectory(file)) {
            throw ConfigException.unreadable(file, "it is a directory", null);
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (AccessDeniedException e) {
            throw ConfigException.unreadable(file, "permission denied", e);
        } catch (CharacterCodingException e) {
            throw ConfigException.unreadable(file, "it is not UTF-8 text", e);
        } catch (IOException e) {
            throw ConfigException.unreadable(file, String.valueOf(e.getMessage()), e);
        }
    }

    /** The parser's reason without marks or snippets: {@code mapping values are not allowed here}. */
    static String shortReason(YAMLException e) {
        if (e instanceof MarkedYAMLException marked && marked.getProblem() != null) {
            return marked.getProblem();
        }
        String message = String.valueOf(e.getMessage()).strip();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline).strip();
    }

    /** {@code ~} or {@code ~/x} with the user's home directory; any other text as a path unchanged. */
    static Path expandHome(String path) {
        String home = System.getProperty("user.home");
        if (path.equals("~")) {
            return Path.of(home);
        }
        if (path.startsWith("~/") || path.startsWith("~" + java.io.File.separator)) {
            return Path.of(home, path.substring(2));
        }
        return Path.of(path);
    }
}
