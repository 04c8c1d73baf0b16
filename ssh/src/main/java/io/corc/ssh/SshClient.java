package io.corc.ssh;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.ProgressListener;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.io.resource.PathResource;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.server.forward.AgentForwardingFilter;
import org.apache.sshd.server.forward.ForwardingFilter;
import org.apache.sshd.server.forward.TcpForwardingFilter;
import org.apache.sshd.server.forward.X11ForwardingFilter;

/**
 * corc's SSH client: one MINA SSHD client, started on first use and shared by all sessions it opens. It logs in
 * with the target's key only (no agent, no {@code ~/.ssh/config}, no passwords) and checks host keys against the
 * {@link KnownHosts} passed per connection. Closing it closes every session it opened.
 */
public final class SshClient implements AutoCloseable {
    /** Per connection: the known_hosts to check the server's key against, and the refusal if it was refused. */
    private static final AttributeRepository.AttributeKey<HostKeyCheck> HOST_KEY_CHECK =
            new AttributeRepository.AttributeKey<>();

    /** How long a key the server refuses is retried by {@link #awaitReachable}: cloud-init may still install it. */
    static final Duration REFUSED_KEY_GRACE = Duration.ofSeconds(60);

    private org.apache.sshd.client.SshClient client;
    private boolean closed;

    /**
     * Connects and logs in.
     *
     * @throws CorcException UNAVAILABLE when the host does not answer (in time), AUTHENTICATION when the key is
     *     refused, CONFLICT when the host key changed, NOT_FOUND/INVALID_INPUT for a missing or unreadable key file
     */
    public SshSession connect(SshTarget target, KnownHosts knownHosts, Duration timeout) {
        KeyPair identity = loadIdentity(target);
        long deadline = System.nanoTime() + timeout.toNanos();
        HostKeyCheck check = new HostKeyCheck(target, knownHosts);
        ClientSession session;
        try {
            session = mina().connect(
                            target.user(),
                            target.host(),
                            target.port(),
                            AttributeRepository.ofKeyValuePair(HOST_KEY_CHECK, check),
                            null)
                    .verify(remaining(deadline))
                    .getSession();
        } catch (IOException e) {
            throw unreachable(target, e);
        }
        try {
            session.addPublicKeyIdentity(identity);
            session.auth().verify(remaining(deadline));
            return new MinaSshSession(target, session);
        } catch (IOException | RuntimeException e) {
            closeQuietly(session);
            if (check.refusal != null) {
                throw check.refusal;
            }
            if (isAuthFailure(e)) {
                throw new CorcException(
                                ErrorCategory.AUTHENTICATION,
                                target.login() + " refused the key " + target.privateKey() + ": " + e.getMessage())
                        .withHint("check that its public key (" + target.privateKey()
                                + ".pub) is in ~/.ssh/authorized_keys of " + target.user() + " on " + target.host())
                        .withCause(e);
            }
            throw unreachable(target, e);
        }
    }

    /**
     * Connects once the host's SSH server answers and accepts the key, retrying with backoff until {@code
     * timeout}. A refused key is retried for a short grace only ({@link #REFUSED_KEY_GRACE}: a booting VM's
     * cloud-init may not have installed it yet); a changed host key is never retried.
     */
    public SshSession awaitReachable(
            SshTarget target, KnownHosts knownHosts, Duration timeout, ProgressListener progress) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long firstRefusal = -1;
        long backoffMillis = 250;
        int attempt = 0;
        while (true) {
            attempt++;
            Duration attemptTimeout = Duration.ofNanos(Math.max(
                    Duration.ofMillis(500).toNanos(),
                    Math.min(Duration.ofSeconds(15).toNanos(), deadline - System.nanoTime())));
            CorcException failure;
            try {
                return connect(target, knownHosts, attemptTimeout);
            } catch (CorcException e) {
                failure = e;
            }
            long now = System.nanoTime();
            if (failure.category() == ErrorCategory.AUTHENTICATION) {
                firstRefusal = firstRefusal < 0 ? now : firstRefusal;
                if (now - firstRefusal >= REFUSED_KEY_GRACE.toNanos()) {
                    throw failure;
                }
            } else if (failure.category() != ErrorCategory.UNAVAILABLE) {
                throw failure;
            }
            if (now + backoffMillis * 1_000_000 >= deadline) {
                throw new CorcException(
                        failure.category(),
                        "SSH on " + target.login() + " was not ready within " + timeout.toSeconds() + " s (" + attempt
                                + " attempts): " + failure.getMessage(),
                        null,
                        null,
                        failure.hint().orElse(null),
                        failure);
            }
            progress.onProgress(
                    "waiting for SSH on " + target.address() + " (" + failure.getMessage() + ")", attempt, -1);
            try {
                Thread.sleep(backoffMillis); // waiting for a remote machine: there is nothing local to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CorcException(
                        ErrorCategory.CANCELLED, "interrupted while waiting for SSH on " + target.address());
            }
            backoffMillis = Math.min(backoffMillis * 2, 5000);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (client != null) {
            client.stop();
            client = null;
        }
    }

    private synchronized org.apache.sshd.client.SshClient mina() {
        if (closed) {
            throw new IllegalStateException("SshClient is closed");
        }
        if (client == null) {
            org.apache.sshd.client.SshClient created = ClientBuilder.builder()
                    .serverKeyVerifier(SshClient::verifyServerKey)
                    .hostConfigEntryResolver(HostConfigEntryResolver.EMPTY) // never read ~/.ssh/config
                    .signatureFactories(signaturePreference())
                    // TCP forwards only (corc's own tunnels; a remote forward's target is the one corc registered,
                    // not what the server names); never agent or X11 forwarding
                    .forwardingFilter(ForwardingFilter.asForwardingFilter(
                            AgentForwardingFilter.of(false), X11ForwardingFilter.of(false), new TcpForwardingFilter() {
                                @Override
                                public boolean canListen(SshdSocketAddress address, Session session) {
                                    return true;
                                }

                                @Override
                                public boolean canConnect(Type type, SshdSocketAddress address, Session session) {
                                    return true;
                                }
                            }))
                    .build();
            created.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER); // never read ~/.ssh/id_*
            created.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
            created.start();
            client = created;
        }
        return client;
    }

    /**
     * Ed25519 first: the host key a provider prints on the console and corc pins is usually the Ed25519 one, and
     * OpenSSH clients (Ansible) prefer it too, so both see the same key.
     */
    private static List<NamedFactory<Signature>> signaturePreference() {
        List<NamedFactory<Signature>> order = new ArrayList<>();
        for (BuiltinSignatures s : List.of(
                BuiltinSignatures.ed25519,
                BuiltinSignatures.nistp256,
                BuiltinSignatures.nistp384,
                BuiltinSignatures.nistp521,
                BuiltinSignatures.rsaSHA512,
                BuiltinSignatures.rsaSHA256)) {
            if (s.isSupported()) {
                order.add(s);
            }
        }
        return order;
    }

    private static boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey key) {
        HostKeyCheck check = session.getConnectionContext() == null
                ? null
                : session.getConnectionContext().getAttribute(HOST_KEY_CHECK);
        if (check == null) {
            return false; // not a connection corc opened through connect(): refuse rather than trust
        }
        try {
            check.knownHosts.verify(check.target.host(), check.target.port(), PublicKeyEntry.toString(key));
            return true;
        } catch (CorcException e) {
            check.refusal = e;
            return false;
        }
    }

    static KeyPair loadIdentity(SshTarget target) {
        Path file = target.privateKey();
        try (InputStream in = Files.newInputStream(file)) {
            Iterable<KeyPair> pairs =
                    SecurityUtils.loadKeyPairIdentities(null, new PathResource(file), in, FilePasswordProvider.EMPTY);
            if (pairs == null || !pairs.iterator().hasNext()) {
                throw CorcException.invalidInput("no private key in " + file)
                        .withHint("give an OpenSSH or PEM private key file without a passphrase");
            }
            return pairs.iterator().next();
        } catch (NoSuchFileException e) {
            throw CorcException.notFound("SSH private key " + file + " does not exist")
                    .withHint("corc makes <corc home>/ssh/id_ed25519 when it starts an instance at a provider with SSH"
                            + " access; else point private_key to an existing key");
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (e instanceof CorcException corc) {
                throw corc;
            }
            throw CorcException.invalidInput("cannot read SSH private key " + file + ": " + e.getMessage())
                    .withHint("corc needs an OpenSSH or PEM private key without a passphrase, readable by this user")
                    .withCause(e);
        }
    }

    private static boolean isAuthFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("No more authentication methods available")) {
                return true;
            }
        }
        return false;
    }

    private static CorcException unreachable(SshTarget target, Throwable e) {
        String reason = describe(e);
        return new CorcException(
                ErrorCategory.UNAVAILABLE,
                "cannot reach SSH on " + target.address() + ": " + reason,
                null,
                null,
                "check that the host is running, that port " + target.port()
                        + " is open to this machine, and the address",
                e);
    }

    private static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "connection refused";
            }
            if (t instanceof UnknownHostException) {
                return "unknown host";
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host";
            }
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
    }

    static void closeQuietly(ClientSession session) {
        try {
            session.close(true);
        } catch (RuntimeException ignored) {
            // closing a broken session: nothing left to do
        }
    }

    /** The known_hosts check of one connection; {@code refusal} is set by MINA's I/O thread before auth fails. */
    private static final class HostKeyCheck {
        final SshTarget target;
        final KnownHosts knownHosts;
        volatile CorcException refusal;

        HostKeyCheck(SshTarget target, KnownHosts knownHosts) {
            this.target = target;
            this.knownHosts = knownHosts;
        }
    }
}
