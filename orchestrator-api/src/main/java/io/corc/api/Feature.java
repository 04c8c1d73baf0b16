package io.corc.api;

/** Optional abilities a plug-in may lack. A plug-in declares the missing ones with a reason in {@link Features}. */
public enum Feature {
    /** Orchestrate single instances. */
    INSTANCES,
    /** Orchestrate container clusters. */
    CLUSTERS,
    /** Choose a shape from minimum cores/memory/GPUs. */
    SHAPE_SELECTION,
    /** Provide GPUs. */
    GPUS,
    /** Spot / pre-emptible capacity. */
    SPOT,
    /** Hourly prices in plans. */
    PRICING,
    /** Install SSH public keys so the resource is reachable over SSH. */
    SSH_ACCESS,
    /** Run jobs in a container image. */
    CONTAINER_IMAGES,
    /** Follow logs while a job runs. */
    LOG_FOLLOW,
    /** Run several tasks of one job at once. */
    PARALLEL_TASKS,
    /** Verify transfers with checksums. */
    CHECKSUMS
}
