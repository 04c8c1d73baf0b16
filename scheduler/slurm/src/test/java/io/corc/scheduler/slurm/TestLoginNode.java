package io.corc.scheduler.slurm;

import io.corc.api.KeyType;
import io.corc.api.PluginConfig;
import io.corc.ssh.SshKeys;
import io.corc.ssh.testing.MinaSshServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A login node for the tests: MINA SSHD in this JVM whose commands run on this machine (where the test's Slurm
 * runs), letting in corc's key from {@code corcHome}. Its {@code ~/.profile} sets what a real login node's login
 * shell sets: {@code SLURM_CONF}, and {@code ~/bin} first on the PATH for the tests' stand-in commands.
 */
final class TestLoginNode implements AutoCloseable {
    final MinaSshServer server;

    TestLoginNode(Path corcHome, Path loginHome) {
        server = MinaSshServer.start(loginHome);
        server.authorize(new SshKeys(corcHome, PluginConfig.empty("corc.authenticators.ssh"))
                .create("id_ed25519", KeyType.ED25519)
                .publicKey());
        try {
            Files.writeString(
                    loginHome.resolve(".profile"),
                    "export SLURM_CONF=" + SlurmCluster.CONF + "\nexport PATH=\"$HOME/bin:$PATH\"\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code corc.schedulers.slurm.login} for this node: only where and as whom; key and known_hosts are corc's. */
    Map<String, Object> login() {
        Map<String, Object> login = new LinkedHashMap<>();
        login.put("host", server.host());
        login.put("port", server.port());
        login.put("user", server.user());
        return login;
    }

    /** The login as the scheduler names it. */
    String describe() {
        return "login node " + server.user() + "@" + server.host() + ":" + server.port();
    }

    Path home() {
        return server.home();
    }

    @Override
    public void close() {
        server.close();
    }
}
