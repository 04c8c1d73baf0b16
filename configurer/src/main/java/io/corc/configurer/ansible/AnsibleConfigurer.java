package io.corc.configurer.ansible;

import static java.util.Objects.requireNonNull;

import io.corc.api.Configurer;
import io.corc.api.ConfigurerSpec;
import io.corc.api.CorcException;
import io.corc.api.PluginConfig;
import io.corc.api.ProgressListener;
import io.corc.api.Resource;
import io.corc.api.SecureFiles;
import io.corc.ssh.ResourceLogin;
import io.corc.ssh.SshClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Configures a resource by running Ansible playbooks against it, as corc's AnsibleConfigurer did: corc logs in once
 * as {@link ResourceLogin} says (waiting for SSH, pinning or checking the host key), writes an inventory for the
 * resource (its SSH endpoint, corc's key and known_hosts, the configured host variables and group) and runs each
 * playbook with {@code ansible-playbook}, limited to that resource.
 *
 * <p>Every output line of ansible-playbook is reported to the progress listener as a step ({@code done} 0, {@code
 * total} -1) as it is printed. A failed run throws a {@link CorcException} naming the playbook, the failing task,
 * the host and ansible's message; later playbooks are not run.
 */
public final class AnsibleConfigurer implements Configurer {
    private final PluginConfig section;
    private final ResourceLogin logins;
    private final Map<String, String> environment;
    private final Path cwd;

    /**
     * @param section corc's {@code configurers.ansible} settings
     * @param home corc's home (its {@code ssh/} holds the key and known_hosts)
     * @param environment the caller's environment; only PATH, HOME and the locale are passed on to ansible
     * @param cwd where relative paths resolve when no {@code root_path} is set
     */
    public AnsibleConfigurer(PluginConfig section, Path home, Map<String, String> environment, Path cwd) {
        this.section = requireNonNull(section, "section is null");
        this.logins = new ResourceLogin(requireNonNull(home, "home is null"), section);
        this.environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        this.cwd = requireNonNull(cwd, "cwd is null");
    }

    @Override
    public String name() {
        return AnsibleConfigurerFactory.NAME;
    }

    @Override
    public void apply(Resource resource, ConfigurerSpec spec, ProgressListener progress) {
        run(resource, spec.options(), progress);
    }

    /**
     * As {@link #apply}, returning what each playbook did (its PLAY RECAP), e.g. to tell a first run (changes)
     * from a repeated one (none).
     */
    public List<PlaybookResult> run(Resource resource, PluginConfig options, ProgressListener progress) {
        requireNonNull(resource, "resource is null");
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        AnsibleSettings settings = AnsibleSettings.of(section, options, cwd);
        AnsibleHost host = new AnsibleHost(resource.id(), reachable(resource, settings.sshWait(), listener));
        Path work = privateTempDirectory();
        try {
            Path inventory = work.resolve("inventory.json");
            SecureFiles.writeAtomically(
                    inventory,
                    AnsibleInventory.json(List.of(host), settings.hostVariables(), settings.group())
                            .getBytes(StandardCharsets.UTF_8));
            List<Path> inventories = new ArrayList<>(List.of(inventory));
            if (settings.inventory() != null) {
                inventories.add(settings.inventory());
            }
            PlaybookRunner runner = new PlaybookRunner(settings.executable(), environment, settings.workingDirectory());
            List<PlaybookResult> results = new ArrayList<>();
            for (Path playbook : settings.playbooks()) {
                listener.onProgress("running " + playbook + " on " + resource.id(), 0, -1);
                results.add(runner.run(
                        work, playbook, inventories, List.of(host.name()), line -> listener.onProgress(line, 0, -1)));
            }
            return List.copyOf(results);
        } catch (CorcException e) {
            throw e.plugin().isPresent() ? e : e.withContext(name(), "configure " + resource.id());
        } finally {
            deleteTree(work);
        }
    }

    /**
     * The resource's login, once its SSH server accepts corc's key. Connecting once with corc's client records the
     * host key in corc's known_hosts on first use (after the keys the provider reported were pinned), or refuses a
     * changed one (CONFLICT); ansible's ssh then checks strictly against the same file, so it meets a known key and
     * never decides about trust itself.
     */
    private ResourceLogin.Login reachable(Resource resource, Duration wait, ProgressListener listener) {
        ResourceLogin.Login login = logins.login(resource);
        try (SshClient client = new SshClient()) {
            client.awaitReachable(login.target(), login.knownHosts(), wait, listener)
                    .close();
        }
        return login;
    }

    /** Short (ssh's control socket paths must stay under 108 bytes), private, and removed after the run. */
    private static Path privateTempDirectory() {
        try {
            return Files.createTempDirectory(
                    "corc-ansible-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw SecureFiles.ioFailure("create a temporary directory for ansible", e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
