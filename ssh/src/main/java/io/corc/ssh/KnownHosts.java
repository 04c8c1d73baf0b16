package io.corc.ssh;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.SecureFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * corc's known_hosts file, in OpenSSH's format so that {@code ssh} and Ansible read it too ({@code -o
 * UserKnownHostsFile=<file> -o StrictHostKeyChecking=yes}). Lines are {@code host keytype base64} for port 22 and
 * {@code [host]:port keytype base64} otherwise; hashed ({@code |1|...}) and comma-separated host entries written by
 * OpenSSH are read too.
 *
 * <p>Policy on connect ({@link #verify}): a host with no entry is trusted on first use and recorded; a host whose
 * entry of the presented key type matches is accepted; any other key is refused (CONFLICT) with both
 * fingerprints and how to forget the old key. {@link #pin} records keys learnt out of band (a provider's console
 * output) before the first connection, under the same rule: a different key of the same type is refused, never
 * replaced.
 *
 * <p>The file is 0600 in a 0700 directory. Changes are a read-modify-write under a file lock (other processes)
 * and a JVM lock (other threads), written by atomic replacement, so readers never see a torn file.
 */
public final class KnownHosts {
    private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final Path file;

    public KnownHosts(Path file) {
        this.file = requireNonNull(file, "file is null").toAbsolutePath().normalize();
    }

    /** corc's known_hosts: {@code <corc home>/ssh/known_hosts}. */
    public static KnownHosts inHome(Path corcHome) {
        return new KnownHosts(corcHome.resolve("ssh").resolve("known_hosts"));
    }

    public Path file() {
        return file;
    }

    /**
     * Records {@code publicKeyLines} ({@code "ssh-ed25519 AAAA... [comment]"} each), keys learnt out of band (a
     * provider's console output, {@link io.corc.api.Resource#SSH_HOST_KEYS}), as keys of {@code host:port} before
     * the first connection. A key already recorded stays as it is; a key of a type with no entry is added.
     *
     * @throws CorcException INVALID_INPUT when a line is not a public key; CONFLICT, writing nothing, when another
     *     key of the same type is recorded: a pin never replaces a key (forget it first, as the hint says)
     */
    public void pin(String host, int port, List<String> publicKeyLines) {
        Set<HostKey> keys = new LinkedHashSet<>();
        publicKeyLines.forEach(line -> keys.add(HostKey.parse(line)));
        String name = hostName(host, port);
        modify(lines -> {
            List<HostKey> known = keysOf(lines, name);
            List<String> updated = new ArrayList<>(lines);
            for (HostKey key : keys) {
                if (known.contains(key)) {
                    continue;
                }
                for (HostKey recorded : known) {
                    if (recorded.type().equals(key.type())) {
                        throw changed(host, port, recorded, key, "the provider reports");
                    }
                }
                updated.add(name + " " + key);
            }
            return updated.size() == lines.size() ? null : updated;
        });
    }

    /** {@link #pin(String, int, List)} of one key. */
    public void pin(String host, int port, String publicKeyLine) {
        pin(host, port, List.of(publicKeyLine));
    }

    /** The first recorded key of {@code host:port} as {@code "keytype base64"}, or empty. */
    public Optional<String> lookup(String host, int port) {
        return keys(host, port).stream().findFirst().map(HostKey::toString);
    }

    /** Removes every entry of {@code host:port}; returns whether there was one. Idempotent. */
    public boolean forget(String host, int port) {
        String name = hostName(host, port);
        boolean[] removed = {false};
        modify(lines -> {
            List<String> kept = new ArrayList<>();
            for (String line : lines) {
                Entry entry = Entry.parse(line);
                if (entry != null && entry.matches(name)) {
                    removed[0] = true;
                } else {
                    kept.add(line);
                }
            }
            return kept;
        });
        return removed[0];
    }

    /**
     * Checks the key {@code host:port} presented ({@code "keytype base64"}): recorded on first use, accepted when
     * it matches.
     *
     * @throws CorcException CONFLICT when another key of that type is recorded, or only keys of other types are
     */
    void verify(String host, int port, String presentedKey) {
        HostKey presented = HostKey.parse(presentedKey);
        String name = hostName(host, port);
        modify(lines -> {
            List<HostKey> known = keysOf(lines, name);
            if (known.contains(presented)) {
                return null;
            }
            if (!known.isEmpty()) {
                HostKey recorded = known.stream()
                        .filter(k -> k.type().equals(presented.type()))
                        .findFirst()
                        .orElse(known.get(0));
                throw changed(host, port, recorded, presented, "the server presented");
            }
            List<String> updated = new ArrayList<>(lines);
            updated.add(name + " " + presented);
            return updated;
        });
    }

    /** @param source who shows the new key: "the server presented", "the provider reports" */
    private CorcException changed(String host, int port, HostKey recorded, HostKey presented, String source) {
        return new CorcException(
                        ErrorCategory.CONFLICT,
                        "the host key of " + host + ":" + port + " has changed: " + file + " records "
                                + recorded.type() + " " + recorded.fingerprint() + ", " + source + " "
                                + presented.type() + " " + presented.fingerprint()
                                + " (a re-created machine at the same address, or someone in between)")
                .withHint("if the machine was re-created, forget the old key with `ssh-keygen -R '"
                        + hostName(host, port) + "' -f " + file + "` and connect again");
    }

    private List<HostKey> keys(String host, int port) {
        return keysOf(readLines(), hostName(host, port)); // atomic replacement: no lock needed to read
    }

    private static List<HostKey> keysOf(List<String> lines, String name) {
        List<HostKey> keys = new ArrayList<>();
        for (String line : lines) {
            Entry entry = Entry.parse(line);
            if (entry != null && entry.matches(name)) {
                keys.add(entry.key);
            }
        }
        return keys;
    }

    /** How OpenSSH names a host in known_hosts. */
    static String hostName(String host, int port) {
        return port == 22 || port == 0 ? host : "[" + host + "]:" + port;
    }

    /** A change of the file's lines: returns the new lines, or null to leave the file as it is. */
    private interface Change {
        List<String> apply(List<String> lines);
    }

    private void modify(Change change) {
        SecureFiles.privateDirectory(file.getParent());
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
        jvmLock.lock();
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = channel.lock()) {
            SecureFiles.makePrivate(lockFile);
            List<String> updated = change.apply(readLines());
            if (updated != null) {
                String content = updated.isEmpty() ? "" : String.join("\n", updated) + "\n";
                SecureFiles.writeAtomically(file, content.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw SecureFiles.ioFailure("update " + file, e);
        } finally {
            jvmLock.unlock();
        }
    }

    private List<String> readLines() {
        try {
            return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return new ArrayList<>();
        } catch (IOException e) {
            throw SecureFiles.ioFailure("read " + file, e);
        }
    }

    @Override
    public String toString() {
        return file.toString();
    }

    /** One public key: its type and its base64 blob. */
    record HostKey(String type, String base64) {
        static HostKey parse(String line) {
            String[] parts = line == null ? new String[0] : line.strip().split("\\s+");
            if (parts.length < 2 || !parts[1].startsWith("AAAA")) {
                throw CorcException.invalidInput("not an SSH public key: '" + line + "'")
                        .withHint("give the key as one line 'ssh-ed25519 AAAA...' (as in a .pub file)");
            }
            try {
                Base64.getDecoder().decode(parts[1]);
            } catch (IllegalArgumentException e) {
                throw CorcException.invalidInput("not an SSH public key (bad base64): '" + line + "'")
                        .withHint("give the key as one line 'ssh-ed25519 AAAA...' (as in a .pub file)");
            }
            return new HostKey(parts[0], parts[1]);
        }

        /** {@code SHA256:<base64 without padding>}, as {@code ssh-keygen -l} prints it. */
        String fingerprint() {
            return fingerprintOf(Base64.getDecoder().decode(base64));
        }

        @Override
        public String toString() {
            return type + " " + base64;
        }
    }

    static String fingerprintOf(byte[] keyBlob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(keyBlob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** One known_hosts line: host patterns (plain, comma-separated or hashed) and a key; markers are skipped. */
    private record Entry(String hosts, HostKey key) {
        static Entry parse(String line) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith("@")) {
                return null;
            }
            String[] parts = trimmed.split("\\s+");
            if (parts.length < 3) {
                return null;
            }
            try {
                return new Entry(parts[0], HostKey.parse(parts[1] + " " + parts[2]));
            } catch (CorcException e) {
                return null; // a line corc cannot read is kept as it is and matches nothing
            }
        }

        boolean matches(String name) {
            if (hosts.startsWith("|1|")) {
                return hashedMatches(name);
            }
            for (String host : hosts.split(",")) {
                if (host.equals(name)) {
                    return true;
                }
            }
            return false;
        }

        /** OpenSSH's HashKnownHosts: {@code |1|base64(salt)|base64(HMAC-SHA1(salt, name))}. */
        private boolean hashedMatches(String name) {
            String[] parts = hosts.split("\\|");
            if (parts.length != 4) {
                return false;
            }
            try {
                byte[] salt = Base64.getDecoder().decode(parts[2]);
                Mac mac = Mac.getInstance("HmacSHA1");
                mac.init(new SecretKeySpec(salt, "HmacSHA1"));
                byte[] hash = mac.doFinal(name.getBytes(StandardCharsets.UTF_8));
                return MessageDigest.isEqual(hash, Base64.getDecoder().decode(parts[3]));
            } catch (IllegalArgumentException | GeneralSecurityException e) {
                return false;
            }
        }
    }
}
