package io.corc.jobio;

/**
 * Hears what a {@link JobRunner} is doing. Called on the runner's thread; implementations must be fast and must
 * not throw. Every method is a no-op by default.
 */
public interface TaskListener {

    /** A listener that ignores everything. */
    TaskListener NONE = new TaskListener() {};

    /** The runner entered {@code phase}: {@code stage-in}, {@code running}, {@code stage-out} or {@code done}. */
    default void phase(String phase) {}

    /** The command's process started; a scheduler may record it, or kill its tree with {@link io.corc.api.ProcessTrees}. */
    default void started(ProcessHandle process) {}
}
