package io.corc.core.job;

import static java.util.Objects.requireNonNull;

import io.corc.api.ResourceRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a user or embedder asks {@code Corc.runJob} for. Unset values ({@code null}, 0) come from the configuration
 * section {@code corc.job}.
 *
 * @param command argv of the command; empty for {@code corc.job.commands}
 * @param name display name, or {@code null} for the job id
 * @param scheduler scheduler name, or {@code null} for the configured default
 * @param inputs local files and directories staged as the job's input (each under its own file name)
 * @param numJobs number of tasks, or {@code null} for {@code corc.job.meta.num_jobs}
 * @param numParallel tasks at once, or {@code null} for {@code corc.job.meta.num_parallel}
 * @param env extra environment of the command
 * @param image container image for container schedulers, or {@code null}
 * @param workingDir working directory in the execution environment, or {@code null}
 * @param resources compute per task
 * @param timeLimit wall-clock limit per task, or {@code null}
 * @param capture whether stdout/stderr become part of the output; {@code null} for {@code corc.job.capture}
 * @param schedulerOptions settings for the scheduler of this job only, e.g. {@code kubernetes.namespace}; plain
 *     settings, never secrets (they travel in the job spec)
 */
public record JobRequest(
        List<String> command,
        String name,
        String scheduler,
        List<Path> inputs,
        Integer numJobs,
        Integer numParallel,
        Map<String, String> env,
        String image,
        String workingDir,
        ResourceRequest resources,
        Duration timeLimit,
        Boolean capture,
        Map<String, String> schedulerOptions) {

    public JobRequest {
        requireNonNull(command, "command is null");
        command = List.copyOf(command);
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
        env = env == null ? Map.of() : Map.copyOf(env);
        schedulerOptions = schedulerOptions == null ? Map.of() : Map.copyOf(schedulerOptions);
    }

    /** A request without scheduler options. */
    public JobRequest(
            List<String> command,
            String name,
            String scheduler,
            List<Path> inputs,
            Integer numJobs,
            Integer numParallel,
            Map<String, String> env,
            String image,
            String workingDir,
            ResourceRequest resources,
            Duration timeLimit,
            Boolean capture) {
        this(
                command,
                name,
                scheduler,
                inputs,
                numJobs,
                numParallel,
                env,
                image,
                workingDir,
                resources,
                timeLimit,
                capture,
                Map.of());
    }

    /** A request for {@code command} with every other value from the configuration. */
    public static JobRequest of(List<String> command) {
        return new JobRequest(command, null, null, null, null, null, null, null, null, null, null, null);
    }

    public JobRequest withInputs(List<Path> newInputs) {
        return new JobRequest(
                command,
                name,
                scheduler,
                newInputs,
                numJobs,
                numParallel,
                env,
                image,
                workingDir,
                resources,
                timeLimit,
                capture,
                schedulerOptions);
    }

    public JobRequest withTasks(Integer newNumJobs, Integer newNumParallel) {
        return new JobRequest(
                command,
                name,
                scheduler,
                inputs,
                newNumJobs,
                newNumParallel,
                env,
                image,
                workingDir,
                resources,
                timeLimit,
                capture,
                schedulerOptions);
    }
}
