package io.corc.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The commented configuration file {@code corc config generate} writes: every section with its defaults. A test
 * keeps it equal to the schema's defaults.
 */
public final class DefaultConfig {
    private static final String RESOURCE = "default-config.yaml";

    private DefaultConfig() {}

    public static String yaml() {
        return Holder.YAML;
    }

    private static final class Holder {
        static final String YAML = load();

        private static String load() {
            try (InputStream in = DefaultConfig.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(RESOURCE + " is missing from the corc-core jar");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + RESOURCE, e);
            }
        }
    }
}
