package io.corc.spawner;

import static java.util.Objects.requireNonNull;

import io.corc.api.ImageSpec;
import java.util.Map;

/**
 * One named option of a deployment file: where a user's session may run.
 *
 * @param name unique across all resource types of the file
 * @param resourceType {@code virtual_machine}, {@code container} or {@code bare_metal}
 * @param provider the orchestrator plug-in that starts the resource, e.g. {@code oci}, {@code local}
 * @param image the image to boot ({@link ImageSpec#ANY} when the file names none)
 * @param template the template to use when a spawn names none, or {@code null} for the file's default
 * @param options provider settings passed on in the resource spec (shape name ...), never secrets
 */
public record Deployment(
        String name,
        String resourceType,
        String provider,
        ImageSpec image,
        String template,
        Map<String, String> options) {
    /** The resource types a deployment file may list, as in MultipleSpawner. */
    public static final java.util.List<String> RESOURCE_TYPES =
            java.util.List.of("virtual_machine", "container", "bare_metal");

    public Deployment {
        requireNonNull(name, "name is null");
        requireNonNull(resourceType, "resourceType is null");
        requireNonNull(provider, "provider is null");
        image = image == null ? ImageSpec.ANY : image;
        options = options == null ? Map.of() : Map.copyOf(options);
    }
}
