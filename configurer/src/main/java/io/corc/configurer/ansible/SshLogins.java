package io.corc.configurer.ansible;

import io.corc.api.CorcException;
import io.corc.api.Endpoint;
import io.corc.api.ErrorCategory;
import io.corc.api.PluginConfig;
import io.corc.api.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How corc logs in to a resource over SSH, as ansible needs it: the resource's {@code ssh} endpoint, corc's key
 * ({@code private_key} when set, else {@code <corc home>/ssh/id_ed25519}) and corc's known_hosts ({@code
 * <corc home>/ssh/known_hosts}), where the host key must already be pinned (by the orchestrator at start, or by
 * the SSH layer on first contact).
 */
final class SshLogins {
    private final Path home;
    private final PluginConfig section;

    SshLogins(Path home, PluginConfig section) {
        this.home = home;
        this.section = section;
    }

    AnsibleHost of(Resource resource) {
        Endpoint ssh = resource.endpoints().stream()
                .filter(e -> e.protocol().equals("ssh"))
                .findFirst()
                .orElseThrow(() -> CorcException.invalidInput(
                                "resource " + resource.id() + " (" + resource.provider() + ") has no SSH endpoint")
                        .withHint("the Ansible configurer configures resources reachable over SSH; "
                                + resource.provider() + " resources are not"));
        String user = ssh.user() != null ? ssh.user() : section.string("user", null);
        if (user == null) {
            throw CorcException.invalidInput("resource " + resource.id() + " names no SSH user")
                    .withHint("set configurers.ansible.user");
        }
        Path key = section.optionalString("private_key")
                .map(Path::of)
                .orElse(home.resolve("ssh").resolve("id_ed25519"));
        if (!Files.isRegularFile(key)) {
            throw CorcException.notFound("corc's SSH key " + key + " does not exist")
                    .withHint("corc creates it when it starts an instance; or set configurers.ansible.private_key");
        }
        Path knownHosts = section.optionalString("known_hosts")
                .map(Path::of)
                .orElse(home.resolve("ssh").resolve("known_hosts"));
        return new AnsibleHost(resource.id(), ssh.host(), ssh.port(), user, key, knownHosts);
    }

    /**
     * Returns once the host's SSH server sends its banner; a port that is merely open (a cloud load balancer, a
     * booting VM's firewall) is not enough.
     *
     * @throws CorcException UNAVAILABLE when it did not within {@code timeout}
     */
    static void awaitSsh(AnsibleHost host, Duration timeout, java.util.function.Consumer<String> progress) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        boolean announced = false;
        while (true) {
            try {
                if (banner(host).startsWith("SSH-")) {
                    return;
                }
                last = "no SSH banner";
            } catch (IOException e) {
                last = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                throw new CorcException(
                                ErrorCategory.UNAVAILABLE,
                                "SSH on " + host.host() + ":" + port(host) + " did not answer within "
                                        + timeout.toSeconds() + " s (" + last + ")")
                        .withHint("check that resource " + host.name() + " is running and reachable from here");
            }
            if (!announced) {
                progress.accept("waiting for SSH on " + host.host() + ":" + port(host));
                announced = true;
            }
            try {
                Thread.sleep(1000); // polling a remote port: there is nothing local to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CorcException(ErrorCategory.CANCELLED, "interrupted while waiting for SSH");
            }
        }
    }

    /** Whether corc's known_hosts pins a key for the host (ssh-keygen -F reads hashed entries too). */
    static boolean isPinned(AnsibleHost host) {
        if (!Files.isRegularFile(host.knownHosts())) {
            return false;
        }
        String name = port(host) == 22 ? host.host() : "[" + host.host() + "]:" + port(host);
        try {
            Process process = new ProcessBuilder(List.of(
                            "ssh-keygen", "-F", name, "-f", host.knownHosts().toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return process.waitFor() == 0;
        } catch (IOException e) {
            return true; // no ssh-keygen: let ssh itself decide, with StrictHostKeyChecking=yes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CorcException(ErrorCategory.CANCELLED, "interrupted");
        }
    }

    private static String banner(AnsibleHost host) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host.host(), port(host)), 5000);
            socket.setSoTimeout(5000);
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4];
            int read = in.readNBytes(buffer, 0, 4);
            return new String(buffer, 0, read, StandardCharsets.US_ASCII);
        }
    }

    private static int port(AnsibleHost host) {
        return host.port() > 0 ? host.port() : 22;
    }
}
