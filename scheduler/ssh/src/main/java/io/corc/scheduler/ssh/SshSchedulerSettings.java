package io.corc.scheduler.ssh;

import io.corc.api.CorcException;
import io.corc.api.PluginConfig;
import io.corc.ssh.Shell;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The settings of {@code corc.schedulers.ssh}; see docs/ssh-scheduler.md.
 *
 * @param host the SSH host jobs run on when the scheduler is not bound to a resource, or {@code null}
 * @param port its SSH port
 * @param user the login user (default: this machine's user name)
 * @param key the private key for {@code host}, or {@code null} for corc's key ({@code private_key}, else
 *     {@code <corc home>/ssh/id_ed25519})
 * @param workDir where job directories live on the host; relative paths are relative to the login's home
 * @param staging how inputs and outputs move
 * @param runner the shell words that start corc's job runner on the host ({@link Staging#RUNNER} only)
 * @param pollInterval the longest pause between two looks at a job while waiting for it
 * @param connectTimeout how long connecting and logging in may take
 */
record SshSchedulerSettings(
        String host,
        int port,
        String user,
        Path key,
        String workDir,
        Staging staging,
        String runner,
        Duration pollInterval,
        Duration connectTimeout) {

    /** How a job's files get to the host and back. */
    enum Staging {
        /** corc copies inputs and outputs over SFTP between storage (read here) and the host: no Java there. */
        SFTP,
        /** corc's job runner on the host fetches and uploads through the job's storage itself. */
        RUNNER
    }

    static final String DEFAULT_WORK_DIR = ".corc/jobs";
    static final String DEFAULT_RUNNER = "corc jobio run";

    static SshSchedulerSettings from(PluginConfig config) {
        int port = config.integer("port", 22);
        if (port < 1 || port > 65535) {
            throw CorcException.invalidInput(config.path() + ".port must be 1 to 65535, got " + port)
                    .withHint("the SSH port of the host, usually 22");
        }
        return new SshSchedulerSettings(
                config.optionalString("host").orElse(null),
                port,
                config.string("user", System.getProperty("user.name")),
                config.optionalString("key")
                        .map(SshSchedulerSettings::expandHome)
                        .orElse(null),
                workDir(config),
                staging(config),
                runner(config),
                seconds(config, "poll_interval", 2),
                seconds(config, "connect_timeout", 20));
    }

    /** {@code ~/x} is {@code x}: SFTP and commands both start in the login's home. */
    private static String workDir(PluginConfig config) {
        String dir = config.string("work_dir", DEFAULT_WORK_DIR).strip();
        if (dir.equals("~") || dir.equals("~/")) {
            dir = ".";
        } else if (dir.startsWith("~/")) {
            dir = dir.substring(2);
        } else if (dir.startsWith("~")) {
            throw CorcException.invalidInput(config.path() + ".work_dir '" + dir + "' names another user's home")
                    .withHint("use a path relative to the login's home, e.g. .corc/jobs, or an absolute one");
        }
        while (dir.length() > 1 && dir.endsWith("/")) {
            dir = dir.substring(0, dir.length() - 1);
        }
        if (dir.isEmpty()) {
            dir = ".";
        }
        return dir;
    }

    private static Staging staging(PluginConfig config) {
        String value = config.string("staging", "sftp").strip().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "sftp" -> Staging.SFTP;
            case "runner" -> Staging.RUNNER;
            default ->
                throw CorcException.invalidInput(config.path() + ".staging must be sftp or runner, got '" + value + "'")
                        .withHint("sftp: corc copies files over SFTP (the host needs only sh);"
                                + " runner: corc's job runner on the host reaches the storage itself");
        };
    }

    /** A string is used as shell words as written; a list is quoted word by word. */
    private static String runner(PluginConfig config) {
        if (config.asMap().get("runner") instanceof List<?>) {
            return Shell.join(config.strings("runner"));
        }
        return config.string("runner", DEFAULT_RUNNER);
    }

    private static Duration seconds(PluginConfig config, String key, double defaultSeconds) {
        double value = config.number(key, defaultSeconds);
        if (value <= 0) {
            throw CorcException.invalidInput(config.path() + "." + key + " must be more than 0 seconds, got " + value)
                    .withHint("give a number of seconds, e.g. " + key + ": " + (int) defaultSeconds);
        }
        return Duration.ofMillis(Math.round(value * 1000));
    }

    private static Path expandHome(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + path.substring(1));
        }
        return Path.of(path);
    }
}
