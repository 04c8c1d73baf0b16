package io.corc.provider.oci;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HostKeysTest {
    @Test
    void theKeysBetweenCloudInitsMarkersAreReadAndTheRestIgnored() {
        String console = String.join(
                "\n",
                "[   12.1] cloud-init[801]: Cloud-init v. 23.4 running 'modules:final'",
                "-----BEGIN SSH HOST KEY KEYS-----",
                "ecdsa-sha2-nistp256 AAAAE2VjZHNh root@old",
                "-----END SSH HOST KEY KEYS-----",
                "reboot",
                "-----BEGIN SSH HOST KEY KEYS-----",
                "ci-info: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIabc root@host",
                "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ root@host",
                "not a key",
                "-----END SSH HOST KEY KEYS-----",
                "login:");

        assertThat(HostKeys.parse(console))
                .isEqualTo("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIabc root@host\n"
                        + "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ root@host");
        assertThat(HostKeys.parse("no markers")).isEmpty();
        assertThat(HostKeys.parse(io.corc.api.SshProbe.BEGIN + "\nssh-ed25519 AAAA x\n"))
                .isEmpty(); // cut off: nothing
        assertThat(HostKeys.parse(null)).isEmpty();
    }
}
