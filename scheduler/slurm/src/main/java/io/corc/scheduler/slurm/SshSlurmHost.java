package io.corc.scheduler.slurm;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.ssh.CommandResult;
import io.corc.ssh.KnownHosts;
import io.corc.ssh.Shell;
import io.corc.ssh.SshClient;
import io.corc.ssh.SshSession;
import io.corc.ssh.SshTarget;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Slurm's commands and a job's files on a login node, over one SSH connection ({@link io.corc.ssh}) opened on first
 * use. Every command runs in a login shell, {@code sh -l -c}, so that the PATH, {@code SLURM_CONF} and module set-up
 * of /etc/profile and ~/.profile apply as in an interactive login; its words are quoted with {@link Shell}. Files
 * move over SFTP, their mode set before any byte is written.
 *
 * <p>When the connection drops, an operation that is safe to repeat is tried once more on a new connection: every
 * one except an {@code sbatch} submission, whose answer may have been lost after Slurm accepted the job, and a
 * command that ran into its timeout.
 */
final class SshSlurmHost implements SlurmHost {
    /** How long connecting and logging in may take. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);

    private final SshTarget target;
    private final KnownHosts knownHosts;
    private final Duration connectTimeout;
    private SshClient client;
    private SshSession session;
    private String home;

    SshSlurmHost(SshTarget target, KnownHosts knownHosts, Duration connectTimeout) {
        this.target = requireNonNull(target, "target is null");
        this.knownHosts = requireNonNull(knownHosts, "knownHosts is null");
        this.connectTimeout = requireNonNull(connectTimeout, "connectTimeout is null");
    }

    @Override
    public String describe() {
        return "login node " + target.login();
    }

    /** A program the login shell does not find exits with 127, {@link CommandOutput#NOT_FOUND}, as locally. */
    @Override
    public CommandOutput run(List<String> argv, Duration timeout) {
        String command = inLoginShell(Shell.join(argv));
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean submission = argv.get(0).equals("sbatch") && !argv.contains("--version");
        CommandResult result =
                call(() -> !submission && System.nanoTime() < deadline, session -> session.run(command, timeout));
        return new CommandOutput(result.exitCode(), result.stdout(), result.stderr());
    }

    @Override
    public synchronized String homeDirectory() {
        if (home == null) {
            String printed = shell("printf '%s\\n' \"$HOME\"", "find the home directory");
            // the last line: a profile may print a banner first
            home = printed.strip().lines().reduce((first, second) -> second).orElse("");
            if (!home.startsWith("/")) {
                throw new CorcException(
                                ErrorCategory.UNAVAILABLE,
                                "the login shell on " + describe() + " names no home directory but '" + home + "'")
                        .withHint("set corc.schedulers.slurm.work_dir to an absolute path there");
            }
        }
        return home;
    }

    @Override
    public void createPrivateDirectory(String path) {
        String dir = Shell.quote(path);
        shell("umask 077 && mkdir -p -- " + dir + " && chmod 700 -- " + dir, "create the directory " + path);
    }

    @Override
    public void writeFile(String path, byte[] content, int mode) {
        call(() -> true, session -> {
            session.write(path, content, mode);
            return null;
        });
    }

    @Override
    public Optional<byte[]> readFile(String path) {
        return call(() -> true, session -> session.read(path));
    }

    @Override
    public void deleteTree(String path) {
        if (!path.startsWith("/") || path.replace("/", "").isEmpty()) {
            throw CorcException.internal("refusing to delete '" + path + "' on " + describe(), null);
        }
        shell("rm -rf -- " + Shell.quote(path), "delete " + path);
    }

    @Override
    public synchronized void close() {
        if (session != null) {
            forget(session);
        }
        if (client != null) {
            client.close();
            client = null;
        }
    }

    /** Runs {@code script} (safe to repeat) with the commands' default timeout; its stdout, or what it said. */
    private String shell(String script, String what) {
        String command = inLoginShell(script);
        CommandResult result = call(() -> true, session -> session.run(command, SshSession.DEFAULT_COMMAND_TIMEOUT));
        if (!result.succeeded()) {
            String said = result.stderr().isBlank() ? result.stdout() : result.stderr();
            // as SecureFiles reports the same failures on this machine
            throw new CorcException(
                            ErrorCategory.INTERNAL,
                            "could not " + what + " on " + describe() + " (exit code " + result.exitCode() + "): "
                                    + said.strip())
                    .withHint("check that " + target.user() + " may write there (corc.schedulers.slurm.work_dir)"
                            + " and the disk is not full");
        }
        return result.stdout();
    }

    private static String inLoginShell(String script) {
        return "sh -l -c " + Shell.quote(script);
    }

    /**
     * {@code operation} on the session; when it fails as UNAVAILABLE (a dropped connection) and {@code repeatable}
     * still holds, once more on a new connection.
     */
    private <T> T call(BooleanSupplier repeatable, Function<SshSession, T> operation) {
        SshSession current = session(); // a failed login is reported as it is, not retried
        try {
            return operation.apply(current);
        } catch (CorcException e) {
            if (e.category() != ErrorCategory.UNAVAILABLE || !repeatable.getAsBoolean()) {
                throw e;
            }
            forget(current);
            try {
                return operation.apply(session());
            } catch (CorcException again) {
                again.addSuppressed(e);
                throw again;
            }
        }
    }

    private synchronized SshSession session() {
        if (session == null) {
            if (client == null) {
                client = new SshClient();
            }
            try {
                session = client.connect(target, knownHosts, connectTimeout);
            } catch (CorcException e) {
                throw new CorcException(
                        e.category(),
                        "cannot log in to the Slurm login node " + target.login() + ": " + e.getMessage(),
                        null,
                        null,
                        e.hint().orElse("check corc.schedulers.slurm.login"),
                        e);
            }
        }
        return session;
    }

    /** Closes {@code broken}; the next call logs in again. */
    private synchronized void forget(SshSession broken) {
        broken.close();
        if (session == broken) {
            session = null;
        }
    }
}
