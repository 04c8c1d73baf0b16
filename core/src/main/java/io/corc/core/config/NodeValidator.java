package io.corc.core.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Walks a composed YAML node tree against the {@link Schema}, turning it into a plain tree and recording every
 * problem (unknown or duplicate key, wrong type) with its dotted path and line instead of stopping at the first.
 * A {@code null} value means "not set": the default applies.
 */
final class NodeValidator {
    private final Path file;
    private final List<ConfigProblem> problems = new ArrayList<>();
    private final ScalarConstructor scalars = new ScalarConstructor();

    NodeValidator(Path file) {
        this.file = file;
    }

    /** The values found in {@code root}, which must be a mapping with the key {@code corc}; never {@code null}. */
    Map<String, Object> validate(Node root) {
        if (root == null || isNull(root)) {
            return new LinkedHashMap<>();
        }
        Object tree = value(CorcSchema.ROOT, root, "");
        return tree == null ? new LinkedHashMap<>() : Trees.asTree(tree);
    }

    List<ConfigProblem> problems() {
        return List.copyOf(problems);
    }

    private Object value(Schema schema, Node node, String path) {
        if (isNull(node)) {
            return null;
        }
        if (schema instanceof Schema.Scalar scalar) {
            return scalar(scalar, node, path);
        }
        if (schema instanceof Schema.OneOf oneOf) {
            return node instanceof MappingNode ? any(node, path) : scalar(oneOf.text(), node, path);
        }
        if (schema instanceof Schema.Mapping mapping && node instanceof MappingNode map) {
            return mapping(mapping, map, path);
        }
        if (schema instanceof Schema.ListOf list && node instanceof SequenceNode sequence) {
            return list(list, sequence, path);
        }
        if (schema instanceof Schema.Open && node instanceof MappingNode) {
            return any(node, path);
        }
        return wrong(schema, node, path);
    }

    private Object scalar(Schema.Scalar schema, Node node, String path) {
        if (!(node instanceof ScalarNode scalar)) {
            return wrong(schema, node, path);
        }
        Scalars.Conversion conversion = Scalars.fromYaml(schema, construct(scalar, path), scalar.getValue());
        if (conversion.failed()) {
            problem(path, node, conversion.problem());
        }
        return conversion.value();
    }

    private Map<String, Object> mapping(Schema.Mapping schema, MappingNode node, String path) {
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (NodeTuple tuple : node.getValue()) {
            String key = key(tuple.getKeyNode(), path);
            if (key == null || duplicate(key, tuple.getKeyNode(), seen, path)) {
                continue;
            }
            String canonical = schema.aliases().getOrDefault(key, key);
            Schema child = schema.fields().get(canonical);
            if (child == null) {
                problem(
                        path,
                        tuple.getKeyNode(),
                        KeySuggestions.unknownKey(key, schema.fields().keySet()));
            } else if (canonical.equals(key) || !duplicate(canonical, tuple.getKeyNode(), seen, path)) {
                putIfSet(values, canonical, value(child, tuple.getValueNode(), Trees.child(path, canonical)));
            }
        }
        return values;
    }

    private List<Object> list(Schema.ListOf schema, SequenceNode node, String path) {
        List<Object> values = new ArrayList<>();
        List<Node> items = node.getValue();
        for (int i = 0; i < items.size(); i++) {
            String itemPath = path + "[" + i + "]";
            Object item = schema.element() == null
                    ? any(items.get(i), itemPath)
                    : value(schema.element(), items.get(i), itemPath);
            if (item instanceof Map<?, ?> map && schema.element() instanceof Schema.Mapping mapping) {
                item = Trees.merge(mapping.defaultValue(), Trees.asTree(map));
            }
            values.add(item);
        }
        return values;
    }

    /** Any value, as in an open mapping; only duplicate keys are problems. */
    private Object any(Node node, String path) {
        if (node instanceof MappingNode mapping) {
            Map<String, Object> values = new LinkedHashMap<>();
            Map<String, Integer> seen = new HashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                String key = key(tuple.getKeyNode(), path);
                if (key != null && !duplicate(key, tuple.getKeyNode(), seen, path)) {
                    values.put(key, any(tuple.getValueNode(), Trees.child(path, key)));
                }
            }
            return values;
        }
        if (node instanceof SequenceNode sequence) {
            List<Object> values = new ArrayList<>();
            List<Node> items = sequence.getValue();
            for (int i = 0; i < items.size(); i++) {
                values.add(any(items.get(i), path + "[" + i + "]"));
            }
            return values;
        }
        return construct((ScalarNode) node, path);
    }

    private Object construct(ScalarNode node, String path) {
        try {
            return scalars.construct(node);
        } catch (YAMLException e) {
            problem(path, node, "cannot read value '" + node.getValue() + "': " + ConfigFiles.shortReason(e));
            return node.getValue();
        }
    }

    private String key(Node keyNode, String path) {
        if (keyNode instanceof ScalarNode scalar && !isNull(scalar)) {
            return scalar.getValue();
        }
        problem(path, keyNode, "keys must be plain strings");
        return null;
    }

    private boolean duplicate(String key, Node keyNode, Map<String, Integer> seen, String path) {
        Integer first = seen.putIfAbsent(key, line(keyNode));
        if (first != null) {
            problem(path, keyNode, "duplicate key '" + key + "' (first at line " + first + ")");
            return true;
        }
        return false;
    }

    private Object wrong(Schema schema, Node node, String path) {
        String got;
        if (node instanceof MappingNode) {
            got = "a mapping";
        } else if (node instanceof SequenceNode) {
            got = "a list";
        } else {
            got = "'" + ((ScalarNode) node).getValue() + "'";
        }
        problem(path, node, "must be " + schema.expected() + ", got " + got);
        return null;
    }

    private void problem(String path, Node node, String message) {
        problems.add(new ConfigProblem(file, path, line(node), message));
    }

    private static void putIfSet(Map<String, Object> values, String key, Object value) {
        if (value != null) {
            values.put(key, value);
        }
    }

    private static int line(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    /** Builds scalar values by YAML 1.1 rules (ints, floats, booleans, timestamps as written). */
    private static final class ScalarConstructor extends SafeConstructor {
        ScalarConstructor() {
            super(new LoaderOptions());
        }

        Object construct(ScalarNode node) {
            return Tag.TIMESTAMP.equals(node.getTag()) ? node.getValue() : constructObject(node);
        }
    }
}
