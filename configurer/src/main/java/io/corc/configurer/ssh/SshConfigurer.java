package io.corc.configurer.ssh;

import static java.util.Objects.requireNonNull;

import io.corc.api.Configurer;
import io.corc.api.ConfigurerSpec;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.PluginConfig;
import io.corc.api.ProgressListener;
import io.corc.api.Resource;
import io.corc.ssh.ResourceLogin;
import io.corc.ssh.Shell;
import io.corc.ssh.SshClient;
import io.corc.ssh.SshSession;
import java.nio.file.Path;
import java.util.List;

/**
 * Configures a resource over plain SSH: waits for SSH, then, in this order, creates {@code users}, copies {@code
 * files}, uploads and runs {@code scripts} and runs {@code commands}. Output lines of scripts and commands are
 * reported to the progress listener as they arrive; the first non-zero exit stops the run with an error naming
 * the step. It logs in as {@link ResourceLogin} says (corc's key and known_hosts, with the host keys the provider
 * reported pinned first).
 *
 * <p>Idempotent where the task allows: a user is created only when missing, authorized keys are added only when
 * absent, the sudoers drop-in is checked with {@code visudo -cf} before it is installed, files are replaced.
 * Scripts and commands are the user's to make idempotent. Steps that need root use {@code sudo -n} unless the
 * login user is root.
 */
public final class SshConfigurer implements Configurer {
    public static final String NAME = "ssh";

    private final PluginConfig section;
    private final ResourceLogin login;
    private final Path cwd;

    public SshConfigurer(PluginConfig section, Path corcHome, Path cwd) {
        this.section = requireNonNull(section, "section is null");
        this.login = new ResourceLogin(corcHome, section);
        this.cwd = requireNonNull(cwd, "cwd is null");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void apply(Resource resource, ConfigurerSpec spec, ProgressListener progress) {
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        SshConfigurerSettings settings = SshConfigurerSettings.of(section, spec.options(), cwd);
        ResourceLogin.Login ssh = login.login(resource);
        int total = settings.users().size()
                + settings.files().size()
                + settings.scripts().size()
                + settings.commands().size();
        try (SshClient client = new SshClient();
                SshSession session =
                        client.awaitReachable(ssh.target(), ssh.knownHosts(), settings.sshWait(), listener)) {
            Steps steps = new Steps(session, listener, total, settings, resource);
            for (SshConfigurerSettings.UserSpec user : settings.users()) {
                steps.run("user " + user.name(), UserScript.of(user));
            }
            for (SshConfigurerSettings.FileSpec file : settings.files()) {
                steps.copy(file);
            }
            for (Path script : settings.scripts()) {
                steps.script(script);
            }
            for (String command : settings.commands()) {
                steps.run(command, command);
            }
        }
    }

    /** Runs the steps in order, numbering them for the progress listener. */
    private static final class Steps {
        private final SshSession session;
        private final ProgressListener progress;
        private final long total;
        private final SshConfigurerSettings settings;
        private final Resource resource;
        private long done;

        Steps(
                SshSession session,
                ProgressListener progress,
                long total,
                SshConfigurerSettings settings,
                Resource resource) {
            this.session = session;
            this.progress = progress;
            this.total = total;
            this.settings = settings;
            this.resource = resource;
        }

        void run(String name, String command) {
            progress.onProgress(name, done, total);
            StringBuilder lastError = new StringBuilder();
            int code = session.exec(
                    command,
                    line -> progress.onProgress(line, done, total),
                    line -> {
                        progress.onProgress(line, done, total);
                        lastError.setLength(0);
                        lastError.append(line);
                    },
                    settings.commandTimeout());
            if (code != 0) {
                throw new CorcException(
                                ErrorCategory.INVALID_INPUT,
                                "configuring " + resource.id() + " failed at '" + name + "' (exit " + code + ")"
                                        + (lastError.isEmpty() ? "" : ": " + lastError))
                        .withContext(NAME, "configure")
                        .withHint("fix the step and apply again (corc configurer apply " + resource.id()
                                + "); earlier steps are safe to repeat");
            }
            done++;
        }

        void copy(SshConfigurerSettings.FileSpec file) {
            progress.onProgress("copy " + file.source() + " to " + file.destination(), done, total);
            session.upload(file.source(), file.destination());
            if (file.mode() >= 0) {
                run(
                        "chmod " + Integer.toOctalString(file.mode()) + " " + file.destination(),
                        "chmod " + Integer.toOctalString(file.mode()) + " " + remotePath(file.destination()));
            } else {
                done++;
            }
        }

        void script(Path script) {
            String remote = ".corc/configurer/" + script.getFileName();
            session.upload(script, remote);
            run("script " + script.getFileName(), "chmod 700 " + Shell.quote(remote) + " && ./" + Shell.quote(remote));
        }
    }

    /** A remote path for the shell: {@code ~/} kept unquoted so the shell expands it. */
    static String remotePath(String path) {
        return path.startsWith("~/") ? "~/" + Shell.quote(path.substring(2)) : Shell.quote(path);
    }

    /** The idempotent shell script that makes one user. */
    static final class UserScript {
        private UserScript() {}

        static String of(SshConfigurerSettings.UserSpec user) {
            String name = Shell.quote(user.name());
            StringBuilder script = new StringBuilder()
                    .append("set -e; PATH=\"$PATH:/usr/sbin:/sbin\"; S=; [ \"$(id -u)\" -eq 0 ] || S='sudo -n'; ")
                    .append("id -u ")
                    .append(name)
                    .append(" >/dev/null 2>&1 || { $S useradd -m -s /bin/bash ")
                    .append(name)
                    .append(" && echo 'created user ' ")
                    .append(name)
                    .append("; }; ")
                    .append("H=$(getent passwd ")
                    .append(name)
                    .append(" | cut -d: -f6); G=$(id -gn ")
                    .append(name)
                    .append("); ")
                    .append("$S install -d -m 700 -o ")
                    .append(name)
                    .append(" -g \"$G\" \"$H/.ssh\"; A=\"$H/.ssh/authorized_keys\"; ")
                    .append("$S touch \"$A\"; $S chown ")
                    .append(name)
                    .append(":\"$G\" \"$A\"; $S chmod 600 \"$A\"; ");
            for (String key : user.authorizedKeys()) {
                String blob = key.split("\\s+")[1];
                script.append("$S grep -qF ")
                        .append(Shell.quote(blob))
                        .append(" \"$A\" || { printf '%s\\n' ")
                        .append(Shell.quote(key))
                        .append(" | $S tee -a \"$A\" >/dev/null; echo 'authorized a key for ' ")
                        .append(name)
                        .append("; }; ");
            }
            String dropIn = "/etc/sudoers.d/corc-" + user.name();
            if (user.sudo()) {
                script.append("T=$(mktemp); printf '%s\\n' ")
                        .append(Shell.quote(user.name() + " ALL=(ALL) NOPASSWD:ALL"))
                        .append(" > \"$T\"; ")
                        .append("if ! $S cmp -s \"$T\" ")
                        .append(dropIn)
                        .append("; then $S visudo -cf \"$T\" >/dev/null && $S install -m 0440 -o root -g root \"$T\" ")
                        .append(dropIn)
                        .append(" && echo 'sudo for ' ")
                        .append(name)
                        .append("; fi; rm -f \"$T\"");
            } else {
                script.append("if [ -e ")
                        .append(dropIn)
                        .append(" ]; then $S rm -f ")
                        .append(dropIn)
                        .append(" && echo 'no sudo for ' ")
                        .append(name)
                        .append("; fi");
            }
            return script.toString();
        }
    }

    @Override
    public String toString() {
        return "SshConfigurer " + List.of(section.path());
    }
}
