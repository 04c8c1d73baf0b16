package io.corc.scheduler.slurm;

import io.corc.api.CorcException;
import io.corc.api.GpuSpec;
import io.corc.api.JobSpec;
import io.corc.api.ResourceRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code sbatch} command line of a job: one array of {@code num_jobs} tasks, at most {@code num_parallel} at
 * once, with only the options that are set. A job's {@code slurm.*} options ({@code corc job run
 * --scheduler-option slurm.partition=gpu}) override the configured ones; {@code slurm.extra_sbatch_options} adds
 * options (space separated) after the configured extra ones.
 */
final class SbatchArguments {
    static final String OPTION_PREFIX = "slurm.";

    private SbatchArguments() {}

    static List<String> build(JobSpec spec, SlurmSettings settings, JobLayout layout) {
        Map<String, String> options = spec.options();
        List<String> argv = new ArrayList<>();
        argv.add("sbatch");
        argv.add("--parsable");
        argv.add("--job-name=corc-" + spec.id());
        String array = "0-" + (spec.numJobs() - 1);
        if (spec.numParallel() < spec.numJobs()) {
            array += "%" + spec.numParallel();
        }
        argv.add("--array=" + array);
        argv.add("--output=" + layout.slurmDir() + "/%a.out");
        argv.add("--error=" + layout.slurmDir() + "/%a.err");
        argv.add("--chdir=" + layout.dir());
        addIfSet(argv, "--partition=", options.getOrDefault(OPTION_PREFIX + "partition", settings.partition()));
        addIfSet(argv, "--account=", options.getOrDefault(OPTION_PREFIX + "account", settings.account()));
        addIfSet(argv, "--qos=", options.getOrDefault(OPTION_PREFIX + "qos", settings.qos()));
        resources(argv, spec.resources());
        if (spec.timeLimit() != null) {
            argv.add("--time=" + slurmTime(spec.timeLimit().plus(settings.stagingTime())));
        }
        argv.addAll(settings.extraSbatchOptions());
        String extra = options.get(OPTION_PREFIX + "extra_sbatch_options");
        if (extra != null && !extra.isBlank()) {
            argv.addAll(List.of(extra.strip().split("\\s+")));
        }
        argv.add(layout.script());
        return List.copyOf(argv);
    }

    private static void resources(List<String> argv, ResourceRequest resources) {
        if (resources.cores() > 0) {
            argv.add("--cpus-per-task=" + (int) Math.ceil(resources.cores()));
        }
        if (resources.memoryGb() > 0) {
            argv.add("--mem=" + (long) Math.ceil(resources.memoryGb() * 1024) + "M");
        }
        GpuSpec gpus = resources.gpus();
        if (gpus.count() > 0) {
            String type = gpus.type() == null || gpus.type().isBlank() ? "" : gpus.type() + ":";
            if (type.contains(",") || type.contains(" ")) {
                throw CorcException.invalidInput("GPU type '" + gpus.type() + "' cannot be a Slurm gres type");
            }
            argv.add("--gres=gpu:" + type + gpus.count());
        }
    }

    /**
     * {@code days-hours:minutes:seconds}, rounded up to whole minutes: Slurm enforces limits at minute
     * resolution.
     */
    static String slurmTime(Duration limit) {
        long minutes = Math.max(1, (limit.toSeconds() + 59) / 60);
        return String.format("%d-%02d:%02d:00", minutes / (24 * 60), (minutes / 60) % 24, minutes % 60);
    }

    private static void addIfSet(List<String> argv, String option, String value) {
        if (value != null && !value.isBlank()) {
            argv.add(option + value);
        }
    }
}
