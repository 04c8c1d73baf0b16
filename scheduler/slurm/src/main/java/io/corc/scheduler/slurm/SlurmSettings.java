package io.corc.scheduler.slurm;

import io.corc.api.CorcException;
import io.corc.api.PluginConfig;
import io.corc.ssh.KnownHosts;
import io.corc.ssh.ResourceLogin;
import io.corc.ssh.Shell;
import io.corc.ssh.SshTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The settings of {@code corc.schedulers.slurm}; see docs/slurm.md.
 *
 * @param partition {@code --partition}, or {@code null} for the cluster's default
 * @param account {@code --account}, or {@code null}
 * @param qos {@code --qos}, or {@code null}
 * @param workDir where job directories live on the Slurm host, shared with the compute nodes; {@code null} for the
 *     default ({@code <corc home>/slurm/jobs} here, {@code ~/.corc/slurm/jobs} on a login node)
 * @param runner the shell words that start corc's job runner on a node, or {@code null} for the default: this
 *     JVM's java with its class path (valid when the nodes see this machine's files), on a login node {@code corc
 *     jobio run}
 * @param extraSbatchOptions added to every {@code sbatch} command line as they are
 * @param login the login node to submit on over SSH, or {@code null} to run Slurm's commands here
 * @param pollInterval the longest pause between two looks at a job while waiting for it
 * @param stagingTime added to a job's time limit in {@code --time}: the runner stops the command at the limit itself
 *     and then still uploads the outputs
 * @param commandTimeout how long one Slurm command may take
 */
record SlurmSettings(
        String partition,
        String account,
        String qos,
        String workDir,
        String runner,
        List<String> extraSbatchOptions,
        LoginSettings login,
        Duration pollInterval,
        Duration stagingTime,
        Duration commandTimeout) {

    /**
     * Where to submit over SSH.
     *
     * @param key the private key, or {@code null} for corc's key
     * @param section {@code login} itself, for the rest of corc's login rule ({@link ResourceLogin}: {@code
     *     known_hosts}, else corc's known hosts)
     */
    record LoginSettings(String host, int port, String user, Path key, PluginConfig section) {
        /** {@code key}, else corc's key {@code <corc home>/ssh/id_ed25519}. */
        SshTarget target(Path corcHome) {
            return new SshTarget(
                    host, port, user, key != null ? key : rule(corcHome).privateKey());
        }

        /** {@code known_hosts}, else corc's {@code <corc home>/ssh/known_hosts}. */
        KnownHosts knownHosts(Path corcHome) {
            return rule(corcHome).knownHosts();
        }

        private ResourceLogin rule(Path corcHome) {
            return new ResourceLogin(corcHome, section);
        }
    }

    SlurmSettings {
        extraSbatchOptions = List.copyOf(extraSbatchOptions);
    }

    static SlurmSettings from(PluginConfig config) {
        return new SlurmSettings(
                config.optionalString("partition").orElse(null),
                config.optionalString("account").orElse(null),
                config.optionalString("qos").orElse(null),
                config.optionalString("work_dir").orElse(null),
                runner(config),
                config.strings("extra_sbatch_options"),
                config.has("login") ? login(config.section("login")) : null,
                seconds(config, "poll_interval", 2),
                seconds(config, "staging_time", 600),
                seconds(config, "command_timeout", 60));
    }

    /** A string is used as shell words as written; a list is quoted word by word. */
    private static String runner(PluginConfig config) {
        Object value = config.asMap().get("runner");
        if (value instanceof List<?>) {
            return Shell.join(config.strings("runner"));
        }
        return config.optionalString("runner").orElse(null);
    }

    private static LoginSettings login(PluginConfig login) {
        String host = login.optionalString("host")
                .orElseThrow(() -> CorcException.invalidInput(login.path() + ".host is missing")
                        .withHint("name the login node, e.g. host: login.cluster.example.org"));
        String user = login.string("user", System.getProperty("user.name"));
        int port = login.integer("port", 22);
        if (port < 1 || port > 65535) {
            throw CorcException.invalidInput(login.path() + ".port must be 1 to 65535, got " + port);
        }
        Path key = login.optionalString("key").map(SlurmSettings::expandHome).orElse(null);
        return new LoginSettings(host, port, user, key, login);
    }

    private static Duration seconds(PluginConfig config, String key, double defaultSeconds) {
        double value = config.number(key, defaultSeconds);
        if (value <= 0) {
            throw CorcException.invalidInput(config.path() + "." + key + " must be more than 0 seconds, got " + value);
        }
        return Duration.ofMillis(Math.round(value * 1000));
    }

    static Path expandHome(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + path.substring(1));
        }
        return Path.of(path);
    }
}
