package io.corc.api;

/**
 * Compute a job's task asks for. Zero means "not asked": schedulers leave unset requests out entirely.
 *
 * @param cores CPU cores per task
 * @param memoryGb memory per task in GiB
 * @param gpus GPUs per task
 */
public record ResourceRequest(double cores, double memoryGb, GpuSpec gpus) {
    public static final ResourceRequest NONE = new ResourceRequest(0, 0, GpuSpec.NONE);

    public ResourceRequest {
        if (cores < 0 || memoryGb < 0) {
            throw CorcException.invalidInput("job cores and memory must be 0 or more");
        }
        gpus = gpus == null ? GpuSpec.NONE : gpus;
    }
}
