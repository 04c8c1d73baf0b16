package io.corc.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityAndTrustTest {
    @TempDir
    Path dir;

    @Test
    void aGeneratedKeyIsPrivateLoadsAgainAndIsNeverOverwrittenSilently() throws Exception {
        Path keyFile = dir.resolve("broker").resolve("identity.key");
        BrokerIdentity made = BrokerIdentity.generate(keyFile, "acme");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile.getParent())))
                .isEqualTo("rwx------");
        BrokerIdentity loaded = BrokerIdentity.load(keyFile);
        assertThat(loaded.organisation()).isEqualTo("acme");
        assertThat(loaded.fingerprint()).isEqualTo(made.fingerprint());
        byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
        assertThat(BrokerIdentity.verify(made.publicKey(), data, loaded.sign(data)))
                .isTrue();
        assertThat(BrokerIdentity.verify(made.publicKey(), "hellO".getBytes(StandardCharsets.UTF_8), loaded.sign(data)))
                .isFalse();

        assertThatThrownBy(() -> BrokerIdentity.generate(keyFile, "acme"))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.CONFLICT));
        assertThat(BrokerIdentity.load(keyFile).fingerprint()).isEqualTo(made.fingerprint());
        assertThat(BrokerIdentity.generate(keyFile, "acme", true).fingerprint()).isNotEqualTo(made.fingerprint());
    }

    @Test
    void theFingerprintIsTheUnpaddedBase64Sha256OfTheEncodedKeyAndThePublicLineRoundTrips() throws Exception {
        BrokerIdentity identity = BrokerIdentity.ephemeral("acme");
        byte[] digest =
                MessageDigest.getInstance("SHA-256").digest(identity.publicKey().getEncoded());

        assertThat(identity.fingerprint())
                .isEqualTo("SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest))
                .doesNotEndWith("=");
        assertThat(identity.publicKeyText()).startsWith("corc-broker-ed25519 ").endsWith(" acme");
        TrustedMember member = TrustStore.inMemory().add(identity.publicKeyText());
        assertThat(member.fingerprint()).isEqualTo(identity.fingerprint());
        assertThat(member.publicKeyText()).isEqualTo(identity.publicKeyText());
    }

    @Test
    void theTrustStorePersistsPrivatelyAndRefusesASecondKeyForAnOrganisation() throws Exception {
        Path file = dir.resolve("trust.json");
        TrustStore store = TrustStore.load(file);
        assertThat(store.list()).isEmpty();
        BrokerIdentity beta = BrokerIdentity.ephemeral("beta");
        store.add(beta.publicKeyText());
        store.add("gamma-renamed", BrokerIdentity.ephemeral("gamma").publicKeyText());

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        TrustStore again = TrustStore.load(file);
        assertThat(again.list()).extracting(TrustedMember::organisation).containsExactly("beta", "gamma-renamed");
        assertThat(again.byFingerprint(beta.fingerprint())).isPresent();
        assertThat(again.add(beta.publicKeyText()).fingerprint()).isEqualTo(beta.fingerprint()); // idempotent
        assertThatThrownBy(() -> again.add(BrokerIdentity.ephemeral("beta").publicKeyText()))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.CONFLICT));
        assertThatThrownBy(() -> again.add("ssh-ed25519 AAAA beta")).isInstanceOf(CorcException.class);

        assertThat(again.remove(beta.fingerprint())).isTrue();
        assertThat(again.remove("gamma-renamed")).isTrue();
        assertThat(again.remove("nobody")).isFalse();
        assertThat(TrustStore.load(file).list()).isEmpty();
    }

    @Test
    void aRunningBrokersStoreSeesMembersAddedByAnotherProcess() throws Exception {
        Path file = dir.resolve("trust.json");
        TrustStore running = TrustStore.load(file);
        Thread.sleep(20); // a distinct modification time
        BrokerIdentity beta = BrokerIdentity.ephemeral("beta");
        TrustStore.load(file).add(beta.publicKeyText()); // e.g. 'corc broker trust add' in another process

        assertThat(running.refresh()).isTrue();
        assertThat(running.byFingerprint(beta.fingerprint())).isPresent();
        assertThat(running.refresh()).isFalse();
    }
}
