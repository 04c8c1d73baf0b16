package io.corc.api;

/**
 * GPUs a resource must have.
 *
 * @param count at least this many GPUs; 0 means none are required
 * @param type a vendor model such as {@code A100}, or {@code null} for any
 */
public record GpuSpec(int count, String type) {
    public static final GpuSpec NONE = new GpuSpec(0, null);

    public GpuSpec {
        if (count < 0) {
            throw CorcException.invalidInput("GPU count must be 0 or more, got " + count);
        }
    }
}
