package io.corc.core;

import io.corc.api.Configurer;
import io.corc.api.ConfigurerFactory;
import io.corc.api.ConfigurerSpec;
import io.corc.api.CorcException;
import io.corc.api.PluginContext;
import io.corc.api.ProgressListener;
import io.corc.api.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A configurer for core's tests: writes {@code marker.txt} (option {@code content}, else the section's {@code
 * content}) into a local sandbox's home, or fails when the option {@code fail} is set.
 */
public final class MarkerConfigurerFactory implements ConfigurerFactory {
    @Override
    public String name() {
        return "marker";
    }

    @Override
    public String description() {
        return "test configurer that writes a marker file into a local sandbox";
    }

    @Override
    public Configurer create(PluginContext context) {
        return new Configurer() {
            @Override
            public String name() {
                return "marker";
            }

            @Override
            public void apply(Resource resource, ConfigurerSpec spec, ProgressListener progress) {
                if (spec.options().bool("fail", false)) {
                    throw CorcException.invalidInput("task 'marker' failed");
                }
                progress.onProgress("writing marker", 0, -1);
                String content =
                        spec.options().string("content", context.config().string("content", "default"));
                Path home = Path.of(resource.endpoints().get(0).host());
                try {
                    Files.writeString(home.resolve("marker.txt"), content);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }
}
