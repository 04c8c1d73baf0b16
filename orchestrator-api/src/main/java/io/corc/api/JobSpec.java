package io.corc.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A batch job: one command run as {@code numJobs} tasks with at most {@code numParallel} at once. Each task gets
 * its index in {@code CORC_TASK_INDEX}, its input directory in {@code CORC_INPUT} and the directory whose content
 * becomes its output in {@code CORC_OUTPUT}.
 *
 * @param id corc job id, assigned by core before staging
 * @param name display name
 * @param command argv of the command; run without a shell unless the command is a shell
 * @param image container image for container schedulers, or {@code null}
 * @param env extra environment of the command (never secrets: schedulers pass credentials their own way)
 * @param workingDir working directory inside the execution environment, or {@code null} for the task directory
 * @param numJobs number of tasks, at least 1
 * @param numParallel at most this many tasks at once, at least 1
 * @param resources compute requested per task
 * @param timeLimit wall-clock limit per task, or {@code null}
 * @param capture whether stdout and stderr are captured to files in the task's output
 * @param staging where inputs are read from and outputs written to, or {@code null} to leave outputs in place
 * @param options scheduler-specific settings (namespace, partition, ...)
 */
public record JobSpec(
        String id,
        String name,
        List<String> command,
        String image,
        Map<String, String> env,
        String workingDir,
        int numJobs,
        int numParallel,
        ResourceRequest resources,
        Duration timeLimit,
        boolean capture,
        Staging staging,
        Map<String, String> options) {

    public JobSpec {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(command, "command is null");
        if (command.isEmpty()) {
            throw CorcException.invalidInput("the job has no command")
                    .withHint("put the command after --, e.g. corc job run -- echo hello");
        }
        if (command.get(0) == null || command.get(0).isBlank()) {
            throw CorcException.invalidInput("the job's command is empty")
                    .withHint("put the program to run first, e.g. corc job run -- echo hello");
        }
        if (numJobs < 1) {
            throw CorcException.invalidInput("num_jobs must be at least 1, got " + numJobs);
        }
        if (numParallel < 1) {
            throw CorcException.invalidInput("num_parallel must be at least 1, got " + numParallel);
        }
        command = List.copyOf(command);
        env = env == null ? Map.of() : Map.copyOf(env);
        resources = resources == null ? ResourceRequest.NONE : resources;
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    /** A copy with the given staging and options. */
    public JobSpec withStaging(Staging newStaging, Map<String, String> newOptions) {
        return new JobSpec(
                id,
                name,
                command,
                image,
                env,
                workingDir,
                numJobs,
                numParallel,
                resources,
                timeLimit,
                capture,
                newStaging,
                newOptions);
    }

    /** A copy with output capture switched on or off. */
    public JobSpec withCapture(boolean newCapture) {
        return new JobSpec(
                id,
                name,
                command,
                image,
                env,
                workingDir,
                numJobs,
                numParallel,
                resources,
                timeLimit,
                newCapture,
                staging,
                options);
    }
}
