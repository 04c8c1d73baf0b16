package io.corc.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.KeyPairInfo;
import io.corc.api.KeyType;
import io.corc.api.PluginConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SshKeysTest {
    @TempDir
    Path home;

    private SshKeys keys() {
        return new SshKeys(home, PluginConfig.empty("corc.authenticators.ssh"));
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void createsAKeyPairOpenSshReadsWithPrivatePermissions(KeyType type) throws Exception {
        KeyPairInfo key = keys().create("worker", type);

        Path dir = home.resolve("ssh");
        assertThat(key.privateKeyFile()).isEqualTo(dir.resolve("worker"));
        assertThat(mode(dir)).isEqualTo("rwx------");
        assertThat(mode(dir.resolve("worker"))).isEqualTo("rw-------");
        assertThat(mode(dir.resolve("worker.pub"))).isEqualTo("rw-------");
        assertThat(Files.readString(dir.resolve("worker"))).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
        String prefix = type == KeyType.ED25519 ? "ssh-ed25519 AAAA" : "ssh-rsa AAAA";
        assertThat(key.publicKey()).startsWith(prefix).endsWith(" corc-worker");
        assertThat(Files.readString(dir.resolve("worker.pub")).strip()).isEqualTo(key.publicKey());

        // OpenSSH derives exactly our public key from our private key file, and the same fingerprint
        String derived = sshKeygen("-y", "-f", key.privateKeyFile().toString());
        assertThat(derived.strip()).isEqualTo(key.publicKey());
        String fingerprint =
                sshKeygen("-l", "-E", "sha256", "-f", dir.resolve("worker.pub").toString());
        assertThat(fingerprint).contains(key.fingerprint());
        if (type == KeyType.RSA) {
            assertThat(fingerprint).startsWith("4096 ");
        }
    }

    @Test
    void loadsExistingPairsAndRefusesToOverwrite() {
        SshKeys keys = keys();
        assertThat(keys.load("id_ed25519")).isEmpty();
        KeyPairInfo created = keys.loadOrCreate("id_ed25519", KeyType.ED25519);

        assertThat(keys.load("id_ed25519")).contains(created);
        assertThat(keys.loadOrCreate("id_ed25519", KeyType.RSA)).isEqualTo(created);
        assertThatThrownBy(() -> keys.create("id_ed25519", KeyType.ED25519))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.CONFLICT))
                .hasMessageContaining("id_ed25519");
    }

    @Test
    void concurrentFirstUsesAgreeOnOneKey() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 5; round++) {
                SshKeys keys = new SshKeys(home.resolve("round-" + round), PluginConfig.empty("ssh"));
                CyclicBarrier start = new CyclicBarrier(4);
                List<Future<KeyPairInfo>> made = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    made.add(pool.submit(() -> {
                        start.await();
                        return keys.loadOrCreate("id_ed25519", KeyType.ED25519);
                    }));
                }
                List<String> publicKeys = new ArrayList<>();
                for (Future<KeyPairInfo> key : made) {
                    publicKeys.add(key.get().publicKey());
                }
                // load refuses a .pub that does not belong to the private key, so this also checks the pair
                KeyPairInfo loaded = keys.load("id_ed25519").orElseThrow();
                assertThat(publicKeys).containsOnly(loaded.publicKey());
                try (var files = Files.list(keys.directory())) {
                    assertThat(files.map(f -> f.getFileName().toString()))
                            .containsExactlyInAnyOrder("id_ed25519", "id_ed25519.pub");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void derivesAMissingPublicKeyFileFromThePrivateKey() throws IOException {
        SshKeys keys = keys();
        KeyPairInfo created = keys.create("k", KeyType.ED25519);
        Files.delete(home.resolve("ssh/k.pub"));

        KeyPairInfo loaded = keys.load("k").orElseThrow();

        assertThat(loaded.publicKey()).isEqualTo(created.publicKey());
        assertThat(mode(home.resolve("ssh/k.pub"))).isEqualTo("rw-------");
    }

    @Test
    void loadsAKeyThatSshKeygenMade() throws Exception {
        Path dir = home.resolve("ssh");
        Files.createDirectories(dir);
        sshKeygen(
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-C",
                "mine",
                "-f",
                dir.resolve("mine").toString());

        KeyPairInfo loaded = keys().load("mine").orElseThrow();

        assertThat(loaded.type()).isEqualTo(KeyType.ED25519);
        assertThat(loaded.publicKey())
                .isEqualTo(Files.readString(dir.resolve("mine.pub")).strip());
    }

    @Test
    void removeIsIdempotentAndNamesAreChecked() {
        SshKeys keys = keys();
        keys.create("gone", KeyType.ED25519);

        assertThat(keys.remove("gone")).isTrue();
        assertThat(keys.remove("gone")).isFalse();
        assertThat(home.resolve("ssh/gone")).doesNotExist();
        assertThatThrownBy(() -> keys.create("../escape", KeyType.ED25519))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT));
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    /** Runs Debian's ssh-keygen; skips without it outside CI. */
    static String sshKeygen(String... args) throws Exception {
        requireBinary("ssh-keygen");
        List<String> command = new java.util.ArrayList<>(List.of("ssh-keygen"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("ssh-keygen %s: %s", command, output).isZero();
        return output;
    }

    static void requireBinary(String name) {
        boolean found = java.util.Arrays.stream(
                        System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, name)));
        if (!found && System.getenv("CORC_CI") == null) {
            Assumptions.abort(name + " is not installed (apt-get install openssh-client); CI installs it");
        }
        assertThat(found).as(name + " must be installed when CORC_CI is set").isTrue();
    }
}
