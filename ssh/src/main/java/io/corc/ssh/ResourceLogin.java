package io.corc.ssh;

import static java.util.Objects.requireNonNull;

import io.corc.api.Authenticator;
import io.corc.api.CorcException;
import io.corc.api.Endpoint;
import io.corc.api.PluginConfig;
import io.corc.api.Resource;
import java.nio.file.Path;
import java.util.List;
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
 *       KnownHosts} for the policy), where the keys the provider reported ({@link Resource#SSH_HOST_KEYS}) are
 *       pinned before the first connection.
 * </ul>
 *
 * <p>Everything that connects to a resource gets its login from {@link #login(Resource)}.
 *
 * @param section the plug-in's configuration section, for {@code user}, {@code private_key}, {@code known_hosts}
 */
public record ResourceLogin(Path corcHome, PluginConfig section) {
    /** The name of corc's default key pair in {@code <corc home>/ssh}. */
    public static final String DEFAULT_KEY_NAME = Authenticator.DEFAULT_KEY_NAME;

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

    /** Where and as whom to log in, and the known_hosts that checks the host's key. */
    public record Login(SshTarget target, KnownHosts knownHosts) {
        public Login {
            requireNonNull(target, "target is null");
            requireNonNull(knownHosts, "knownHosts is null");
        }
    }

    /**
     * How to log in to {@code resource}: {@link #target} and {@link #knownHosts}, with the host keys its provider
     * reported ({@link Resource#SSH_HOST_KEYS}) pinned first, so the first connection is verified rather than
     * trusted on first use.
     *
     * @throws CorcException INVALID_INPUT as {@link #target} does, or for a reported line that is not a public key;
     *     CONFLICT when known_hosts records another key of the same type for the host (never replaced silently)
     */
    public Login login(Resource resource) {
        SshTarget target = target(resource);
        KnownHosts knownHosts = knownHosts();
        List<String> reported = reportedHostKeys(resource);
        if (!reported.isEmpty()) {
            knownHosts.pin(target.host(), target.port(), reported);
        }
        return new Login(target, knownHosts);
    }

    /** The non-blank, non-comment lines of the resource's {@link Resource#SSH_HOST_KEYS} detail. */
    static List<String> reportedHostKeys(Resource resource) {
        String value = resource.details().getOrDefault(Resource.SSH_HOST_KEYS, "");
        return value.lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList();
    }

    /**
     * Where and as whom to log in to {@code resource}. Connections take {@link #login(Resource)}, which also pins
     * the host keys the provider reported.
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
