package io.corc.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.AuthenticatorFactory;
import io.corc.api.KeyPairInfo;
import io.corc.api.KeyType;
import io.corc.api.OrchestratorFactory;
import io.corc.api.PluginConfig;
import io.corc.api.ProgressListener;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.ssh.SshKeys;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At a provider with SSH access, start makes sure corc's own key exists (the {@code ssh} authenticator, found by
 * name in the plug-in registry) and is among the keys the provider authorises.
 */
class StartWithCorcKeyTest {
    @TempDir
    Path home;

    @TempDir
    Path pluginDir;

    private URLClassLoader loader;

    @AfterEach
    void closeLoader() throws IOException {
        if (loader != null) {
            loader.close();
        }
    }

    @Test
    void startMakesCorcsKeyOnceAndHandsItToTheProvider() throws IOException {
        Corc corc = corc(true);

        corc.start(SshAccessProviderFactory.NAME, spec("first", List.of()), ProgressListener.NONE);
        Path key = home.resolve("ssh/id_ed25519");
        byte[] made = Files.readAllBytes(key);
        corc.start(SshAccessProviderFactory.NAME, spec("second", List.of()), ProgressListener.NONE);

        String publicKey = Files.readString(home.resolve("ssh/id_ed25519.pub")).strip();
        assertThat(publicKey).startsWith("ssh-ed25519 AAAA").endsWith(" corc-id_ed25519");
        assertThat(keysGiven(corc, "first")).containsExactly(publicKey);
        assertThat(keysGiven(corc, "second")).containsExactly(publicKey);
        assertThat(Files.readAllBytes(key)).isEqualTo(made);
        assertThat(mode(home.resolve("ssh"))).isEqualTo("rwx------");
        assertThat(mode(key)).isEqualTo("rw-------");
        assertThat(mode(home.resolve("ssh/id_ed25519.pub"))).isEqualTo("rw-------");
    }

    @Test
    void anExistingKeyIsReusedNeverOverwrittenAndNotPassedTwice() throws IOException {
        KeyPairInfo existing = new SshKeys(home, PluginConfig.empty("test")).create("id_ed25519", KeyType.ED25519);
        byte[] before = Files.readAllBytes(existing.privateKeyFile());
        String userKey = new SshKeys(pluginDir.resolve("user"), PluginConfig.empty("test"))
                .create("laptop", KeyType.ED25519)
                .publicKey();
        String corcKeyWithAnotherComment =
                existing.publicKey().substring(0, existing.publicKey().lastIndexOf(' ')) + " me@laptop";
        Corc corc = corc(true);

        corc.start(SshAccessProviderFactory.NAME, spec("plain", List.of(userKey)), ProgressListener.NONE);
        corc.start(
                SshAccessProviderFactory.NAME,
                spec("given", List.of(userKey, corcKeyWithAnotherComment)),
                ProgressListener.NONE);

        assertThat(keysGiven(corc, "plain")).containsExactly(userKey, existing.publicKey());
        assertThat(keysGiven(corc, "given")).containsExactly(userKey, corcKeyWithAnotherComment);
        assertThat(Files.readAllBytes(existing.privateKeyFile())).isEqualTo(before);
    }

    @Test
    void withoutAnSshAuthenticatorStartPassesTheSpecsKeysAsTheyAre() throws IOException {
        String userKey = new SshKeys(pluginDir.resolve("user"), PluginConfig.empty("test"))
                .create("laptop", KeyType.ED25519)
                .publicKey();
        Corc corc = corc(false);

        corc.start(SshAccessProviderFactory.NAME, spec("box", List.of(userKey)), ProgressListener.NONE);

        assertThat(keysGiven(corc, "box")).containsExactly(userKey);
        assertThat(home.resolve("ssh")).doesNotExist();
    }

    @Test
    void aProviderWithoutSshAccessGetsNoKeyAndNoneIsMade() throws IOException {
        corc(true).start("local", ResourceSpec.of("sandbox", ResourceKind.INSTANCE), ProgressListener.NONE);

        assertThat(home.resolve("ssh")).doesNotExist();
    }

    /** corc with the class path's plug-ins plus the sshaccess provider, with or without the ssh authenticator. */
    private Corc corc(boolean withAuthenticator) throws IOException {
        Path services = Files.createDirectories(pluginDir.resolve("META-INF/services"));
        Files.writeString(
                services.resolve(OrchestratorFactory.class.getName()), SshAccessProviderFactory.class.getName());
        String authenticators = "META-INF/services/" + AuthenticatorFactory.class.getName();
        loader = new URLClassLoader(
                new URL[] {pluginDir.toUri().toURL()}, getClass().getClassLoader()) {
            @Override
            public Enumeration<URL> getResources(String name) throws IOException {
                return !withAuthenticator && name.equals(authenticators)
                        ? Collections.emptyEnumeration()
                        : super.getResources(name);
            }
        };
        return Corc.builder()
                .home(home)
                .environment(Map.of())
                .classLoader(loader)
                .build();
    }

    private static ResourceSpec spec(String name, List<String> keys) {
        return ResourceSpec.of(name, ResourceKind.INSTANCE).withSshPublicKeys(keys);
    }

    private static List<Object> keysGiven(Corc corc, String name) {
        return List.copyOf((List<?>) corc.records()
                .get(SshAccessProviderFactory.RECORD_TYPE, name)
                .orElseThrow()
                .data()
                .get("ssh_public_keys"));
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
