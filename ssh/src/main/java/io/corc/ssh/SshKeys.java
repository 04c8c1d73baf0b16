package io.corc.ssh;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.corc.api.Authenticator;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.KeyPairInfo;
import io.corc.api.KeyType;
import io.corc.api.PluginConfig;
import io.corc.api.ProgressListener;
import io.corc.api.Resource;
import io.corc.api.SecureFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;

/**
 * corc's SSH key pairs in {@code <corc home>/ssh} (directory 0700, files 0600): {@code <name>} holds the private
 * key in OpenSSH format, {@code <name>.pub} the line {@code "ssh-ed25519 AAAA... corc-<name>"}. Ed25519 unless RSA
 * (4096 bits) is asked for.
 *
 * <p>{@link #authorize}/{@link #revoke} log in to the resource as {@link ResourceLogin} says (corc's default key
 * {@code id_ed25519} unless the section names {@code private_key}; corc's known_hosts) and add or remove the key's
 * line in the login user's {@code ~/.ssh/authorized_keys}, creating {@code ~/.ssh} (0700) and the file (0600).
 * Both compare keys by type and base64 blob, so a line with another comment counts as the same key.
 *
 * <p>Settings ({@code section}): {@code user}, {@code private_key}, {@code known_hosts} (see ResourceLogin) and
 * {@code ssh_wait_seconds} (how long authorize waits for SSH, default 120).
 */
public final class SshKeys implements Authenticator {
    private static final int RSA_BITS = 4096;

    private final Path directory;
    private final ResourceLogin login;
    private final Duration sshWait;

    public SshKeys(Path corcHome, PluginConfig section) {
        this.directory = ResourceLogin.sshDirectory(corcHome);
        this.login = new ResourceLogin(corcHome, section);
        this.sshWait = Duration.ofSeconds(section.integer("ssh_wait_seconds", 120));
    }

    @Override
    public String name() {
        return "ssh";
    }

    /** The directory the key pairs are kept in. */
    public Path directory() {
        return directory;
    }

    @Override
    public KeyPairInfo create(String keyName, KeyType type) {
        Path privateFile = privateFile(keyName);
        if (Files.exists(privateFile) || Files.exists(publicFile(keyName))) {
            throw exists(keyName);
        }
        KeyPair pair = generate(type);
        String comment = "corc-" + keyName;
        ByteArrayOutputStream privateKey = new ByteArrayOutputStream();
        try {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, comment, null, privateKey);
        } catch (IOException | GeneralSecurityException e) {
            throw CorcException.internal("could not encode the new " + type + " key " + keyName, e);
        }
        String publicLine = PublicKeyEntry.toString(pair.getPublic()) + " " + comment;
        SecureFiles.privateDirectory(directory);
        Path temp = privateFile.resolveSibling("." + keyName + ".new-" + UUID.randomUUID());
        try {
            SecureFiles.replaceInExistingDirectory(temp, privateKey.toByteArray());
            // a hard link appears whole and never replaces a file: of two processes making the key at once (two
            // first starts), one wins and the other loads the winner's key (Authenticator.loadOrCreate)
            Files.createLink(privateFile, temp);
        } catch (FileAlreadyExistsException e) {
            throw exists(keyName);
        } catch (IOException e) {
            throw SecureFiles.ioFailure("create " + privateFile, e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // best effort: a leftover hidden file is never read as a key
            }
        }
        SecureFiles.writeAtomically(publicFile(keyName), (publicLine + "\n").getBytes(UTF_8));
        return info(keyName, type, publicLine);
    }

    private CorcException exists(String keyName) {
        return new CorcException(ErrorCategory.CONFLICT, "an SSH key called " + keyName + " exists in " + directory)
                .withHint("use it as it is, or remove it first");
    }

    /**
     * The key pair called {@code keyName}, or empty when its private key does not exist. A private key without
     * its {@code .pub} file gets the file back, derived from the private key.
     */
    @Override
    public Optional<KeyPairInfo> load(String keyName) {
        Path privateFile = privateFile(keyName);
        if (!Files.isRegularFile(privateFile)) {
            return Optional.empty();
        }
        KeyPair pair = SshClient.loadIdentity(new SshTarget("localhost", 22, "corc", privateFile));
        KeyType type = typeOf(pair.getPublic(), privateFile);
        String publicLine;
        try {
            publicLine = Files.readString(publicFile(keyName), UTF_8).strip();
        } catch (NoSuchFileException e) {
            publicLine = PublicKeyEntry.toString(pair.getPublic()) + " corc-" + keyName;
            SecureFiles.writeAtomically(publicFile(keyName), (publicLine + "\n").getBytes(UTF_8));
        } catch (IOException e) {
            throw SecureFiles.ioFailure("read " + publicFile(keyName), e);
        }
        String expected = PublicKeyEntry.toString(pair.getPublic());
        if (!blobOf(publicLine).equals(blobOf(expected))) {
            throw new CorcException(
                            ErrorCategory.CONFLICT,
                            publicFile(keyName) + " does not belong to the private key " + privateFile)
                    .withHint("remove " + publicFile(keyName) + "; corc derives it again from the private key");
        }
        return Optional.of(info(keyName, type, publicLine));
    }

    @Override
    public boolean remove(String keyName) {
        boolean removed = false;
        for (Path file : new Path[] {privateFile(keyName), publicFile(keyName)}) {
            try {
                removed |= Files.deleteIfExists(file);
            } catch (IOException e) {
                throw SecureFiles.ioFailure("remove " + file, e);
            }
        }
        return removed;
    }

    @Override
    public void authorize(Resource resource, String publicKey) {
        String line = publicKey.strip();
        String blob = blobOf(line);
        // grep -F finds the key whatever its comment or options; the line is appended after a missing final newline
        String script = "umask 077; mkdir -p ~/.ssh && chmod 700 ~/.ssh && f=~/.ssh/authorized_keys"
                + " && touch \"$f\" && chmod 600 \"$f\""
                + " && { grep -qF " + Shell.quote(blob) + " \"$f\" || {"
                + " if [ -s \"$f\" ] && [ -n \"$(tail -c 1 \"$f\")\" ]; then echo >> \"$f\"; fi;"
                + " printf '%s\\n' " + Shell.quote(line) + " >> \"$f\"; }; }";
        runOn(resource, script, "add a key to ~/.ssh/authorized_keys");
    }

    @Override
    public void revoke(Resource resource, String publicKey) {
        String blob = blobOf(publicKey.strip());
        String script = "f=~/.ssh/authorized_keys; [ -f \"$f\" ] || exit 0; grep -qF " + Shell.quote(blob)
                + " \"$f\" || exit 0; t=$(mktemp \"$f.XXXXXX\") && { grep -vF " + Shell.quote(blob)
                + " \"$f\" > \"$t\" || true; } && chmod 600 \"$t\" && mv \"$t\" \"$f\"";
        runOn(resource, script, "remove a key from ~/.ssh/authorized_keys");
    }

    private void runOn(Resource resource, String script, String action) {
        ResourceLogin.Login resourceLogin = login.login(resource);
        SshTarget target = resourceLogin.target();
        try (SshClient client = new SshClient();
                SshSession session =
                        client.awaitReachable(target, resourceLogin.knownHosts(), sshWait, ProgressListener.NONE)) {
            CommandResult result = session.run(script, Duration.ofSeconds(60));
            if (!result.succeeded()) {
                throw new CorcException(
                                ErrorCategory.UNAVAILABLE,
                                "could not " + action + " on " + target.login() + " (exit " + result.exitCode() + "): "
                                        + result.stderr().strip())
                        .withHint("check that " + target.user() + " owns its home directory on " + target.host());
            }
        }
    }

    private static KeyPair generate(KeyType type) {
        try {
            return switch (type) {
                case ED25519 -> KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
                case RSA -> KeyUtils.generateKeyPair(KeyPairProvider.SSH_RSA, RSA_BITS);
            };
        } catch (GeneralSecurityException e) {
            throw CorcException.internal("this JVM cannot generate " + type + " keys: " + e.getMessage(), e);
        }
    }

    private static KeyType typeOf(PublicKey key, Path file) {
        String type = KeyUtils.getKeyType(key);
        if (KeyPairProvider.SSH_ED25519.equals(type)) {
            return KeyType.ED25519;
        }
        if (KeyPairProvider.SSH_RSA.equals(type)) {
            return KeyType.RSA;
        }
        throw CorcException.invalidInput(file + " is a " + type + " key; corc manages Ed25519 and RSA keys")
                .withHint("create an Ed25519 key with corc, or point private_key to the key file directly");
    }

    private KeyPairInfo info(String keyName, KeyType type, String publicLine) {
        String fingerprint = KnownHosts.fingerprintOf(Base64.getDecoder().decode(blobOf(publicLine)));
        return new KeyPairInfo(keyName, type, privateFile(keyName), publicLine, fingerprint);
    }

    /** The base64 part of a public key line. */
    private static String blobOf(String publicKeyLine) {
        return KnownHosts.HostKey.parse(publicKeyLine).base64();
    }

    private Path privateFile(String keyName) {
        return directory.resolve(checkName(keyName));
    }

    private Path publicFile(String keyName) {
        return directory.resolve(checkName(keyName) + ".pub");
    }

    private static String checkName(String keyName) {
        if (keyName == null
                || !keyName.matches("[A-Za-z0-9][A-Za-z0-9._-]*")
                || keyName.endsWith(".pub")
                || keyName.startsWith("known_hosts")) {
            throw CorcException.invalidInput("'" + keyName + "' is not a valid SSH key name")
                    .withHint("use letters, digits, '.', '_' and '-', not ending in .pub");
        }
        return keyName;
    }
}
