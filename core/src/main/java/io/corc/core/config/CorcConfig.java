package io.corc.core.config;

import static java.util.Objects.requireNonNull;

import io.corc.api.PluginConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The merged configuration (defaults, file, environment, overrides) as an immutable tree rooted at
 * {@code {"corc": {...}}}. Values are as written: a leading {@code ~} is not expanded (see
 * {@link ConfigLoader#expandHome(String)}).
 */
public final class CorcConfig {
    private static final CorcConfig DEFAULTS = new CorcConfig(CorcSchema.defaults(), null);

    private final Map<String, Object> root;
    private final Path source;

    CorcConfig(Map<String, Object> root, Path source) {
        this.root = Trees.asTree(Trees.freeze(requireNonNull(root, "root is null")));
        this.source = source;
    }

    /** The built-in defaults only. */
    public static CorcConfig defaults() {
        return DEFAULTS;
    }

    /**
     * The section at {@code dottedPath}, e.g. {@code corc.providers.oci}; an empty section with that path when absent.
     *
     * @throws IllegalArgumentException when the path names a value that is not a mapping
     */
    public PluginConfig section(String dottedPath) {
        requireNonNull(dottedPath, "dottedPath is null");
        Object current = root;
        for (String key : dottedPath.split("\\.", -1)) {
            if (current == null) {
                break;
            }
            if (!(current instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException(dottedPath + " is not a section of the configuration");
            }
            current = map.get(key);
        }
        if (current == null) {
            return PluginConfig.empty(dottedPath);
        }
        if (!(current instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(dottedPath + " is a value, not a section of the configuration");
        }
        return new PluginConfig(dottedPath, Trees.asTree(map));
    }

    /** The whole tree, unmodifiable, in file order (defaults' order for keys the file does not set). */
    public Map<String, Object> asMap() {
        return root;
    }

    /** The file this configuration was read from, if one was. */
    public Optional<Path> source() {
        return Optional.ofNullable(source);
    }

    /** The whole merged tree as block-style YAML. */
    public String toYaml() {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        options.setWidth(120);
        return new Yaml(options).dump(Trees.copy(root));
    }

    @Override
    public String toString() {
        return "CorcConfig[" + (source == null ? "defaults" : source) + "]";
    }
}
