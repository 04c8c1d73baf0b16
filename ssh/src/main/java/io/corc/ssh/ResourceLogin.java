package io.corc.ssh;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.Endpoint;
import io.corc.api.PluginConfig;
import io.corc.api.Resource;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How corc logs in to a resource over SSH; the one rule shared by the SSH authenticator, the SSH and Ansible
 * configurers and the SSH schedulers:
 *
 * <ul>
 *   <li>address: the resource's first {@link Endpoint} with protocol {@code ssh} (port 0 means 22);
 *   <li>user: the endpoint's user, else the section's {@code user};
 *   <li>key: the section's {@code private_key}, else corc's default key {@code <corc home>/ssh/id_ed25519};
 *   <li>host keys: the section's {@code known_hosts}, else {@code <corc home>/ssh/known_hosts} (see {@link
 *       KnownHosts} for the policy).
 * </ul>
 *
 * @param section the plug-in's configuration section, for {@code user}, {@code private_key}, {@code known_hosts}
 */
public record ResourceLogin(Path corcHome, PluginConfig section) {
    /** The name of corc's default key pair in {@code <corc home>/ssh}. */
    public static final String DEFAULT_KEY_NAME = "id_ed25519";

    public ResourceLogin {
        requireNonNull(corcHome, "corcHome is null");
        requireNonNull(section, "section is null");
    }

    /** corc's own key directory, {@code <corc home>/ssh}. */
    public static Path sshDirectory(Path corcHome) {
        return corcHome.resolve("ssh");
    }

    /** The private key corc logs in with. */
    public Path privateKey() {
        return section.optionalString("private_key")
                .map(ResourceLogin::expandHome)
                .orElse(sshDirectory(corcHome).resolve(DEFAULT_KEY_NAME));
    }

    public KnownHosts knownHosts() {
        return section.optionalString("known_hosts")
                .map(p -> new KnownHosts(expandHome(p)))
                .orElse(KnownHosts.inHome(corcHome));
    }

    /**
     * Where and as whom to log in to {@code resource}.
     *
     * @throws CorcException INVALID_INPUT when it has no {@code ssh} endpoint or no user is known
     */
    public SshTarget target(Resource resource) {
        Endpoint ssh = sshEndpoint(resource).orElseThrow(() -> CorcException.invalidInput(
                        "resource " + resource.id() + " (" + resource.provider() + ") has no SSH endpoint")
                .withHint("corc reaches resources over SSH only when their provider reports an ssh endpoint"));
        String user = ssh.user() != null && !ssh.user().isBlank()
                ? ssh.user()
                : section.optionalString("user").orElseThrow(() -> CorcException.invalidInput(
                                "resource " + resource.id() + " names no SSH user")
                        .withHint("set " + section.path() + ".user"));
        return new SshTarget(ssh.host(), ssh.port(), user, privateKey());
    }

    public static Optional<Endpoint> sshEndpoint(Resource resource) {
        return resource.endpoints().stream()
                .filter(e -> e.protocol().equals("ssh"))
                .findFirst();
    }

    private static Path expandHome(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + path.substring(1));
        }
        return Path.of(path);
    }
}
