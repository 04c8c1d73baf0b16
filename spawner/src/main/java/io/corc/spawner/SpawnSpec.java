package io.corc.spawner;

/**
 * What a user asked for beyond the deployment: the MultipleSpawner form's memory, cores and GPUs.
 *
 * @param template the template to use, or {@code null} for the deployment's (or the default one)
 * @param minCores at least this many cores (0: any)
 * @param minMemoryGb at least this much memory in GiB (0: any)
 * @param gpus GPUs (0: none)
 * @param resourceId an existing resource to run the session on instead of starting one (it is left running when the
 *     session stops), or {@code null}
 */
public record SpawnSpec(String template, int minCores, double minMemoryGb, int gpus, String resourceId) {
    /** Any size, the deployment's template, a new resource. */
    public static final SpawnSpec DEFAULT = new SpawnSpec(null, 0, 0, 0, null);

    public SpawnSpec withTemplate(String name) {
        return new SpawnSpec(name, minCores, minMemoryGb, gpus, resourceId);
    }

    public SpawnSpec withResource(String id) {
        return new SpawnSpec(template, minCores, minMemoryGb, gpus, id);
    }
}
