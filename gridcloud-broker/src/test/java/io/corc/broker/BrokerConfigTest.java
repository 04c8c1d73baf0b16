package io.corc.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerConfigTest {
    private static final Path BASE = Path.of("/etc/corc");

    @Test
    void theSmallestConfigurationTakesEveryDefault() {
        BrokerConfig config =
                BrokerConfig.parse("organisation: acme\ngrid: g\n", "broker.yaml", BASE, Map.of("CORC_HOME", "/h"));

        assertThat(config.home()).isEqualTo(Path.of("/h/broker"));
        assertThat(config.identityKey()).isEqualTo(Path.of("/h/broker/identity.key"));
        assertThat(config.trustStore()).isEqualTo(Path.of("/h/broker/trust.json"));
        assertThat(config.controlTokenFile()).isEqualTo(Path.of("/h/broker/control.token"));
        assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(7800);
        assertThat(config.encryption()).isEqualTo(BrokerConfig.TransportSecurity.AUTO);
        assertThat(config.gridKey()).isEqualTo(Path.of("/h/broker/grid.key"));
        assertThat(config.effectiveEncryption()).isEqualTo(BrokerConfig.TransportSecurity.ASYM); // no key file there
        assertThat(config.offerRefresh()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.reservationTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.shared()).isEmpty();
        assertThat(config.quotaFor("anyone")).isEqualTo(BrokerConfig.Quota.UNLIMITED);
    }

    @Test
    void everyProblemIsReportedWithItsKey() {
        String yaml = """
                organisation: "not valid!"
                network:
                  port: seventy
                  initial_hosts: [localhost]
                  encryption: tls
                  grid_key: [a, b]
                offers:
                  ttl: soon
                colour: blue
                share:
                  - provider: local
                  - name: a
                    count: 1
                    local_reserved: 2
                    max_lease: 2h
                """;

        assertThatThrownBy(() -> BrokerConfig.parse(yaml, "broker.yaml", BASE, Map.of()))
                .isInstanceOf(CorcException.class)
                .hasMessageContaining("organisation:")
                .hasMessageContaining("grid: missing")
                .hasMessageContaining("network.port: must be a whole number")
                .hasMessageContaining("network.initial_hosts: 'localhost' is not host[port]")
                .hasMessageContaining("network.encryption: 'tls' is not one of auto, sym, asym, auth, none")
                .hasMessageContaining("network.grid_key: must be a single value")
                .hasMessageContaining("offers.ttl: 'soon' is not a duration")
                .hasMessageContaining("colour: unknown key")
                .hasMessageContaining("share[0].name: missing")
                .hasMessageContaining("share[1]: count and local_reserved");
    }

    @Test
    void notYamlAtAllNamesTheFile() {
        assertThatThrownBy(() -> BrokerConfig.parse("a: [b", "my-broker.yaml", BASE, Map.of()))
                .hasMessageContaining("my-broker.yaml is not valid YAML");
    }

    @Test
    void relativePathsAreRelativeToTheFilesDirectory() {
        BrokerConfig config = BrokerConfig.parse(
                "organisation: acme\ngrid: g\nhome: state\ntrust_store: /abs/trust.json\n", "b.yaml", BASE, Map.of());

        assertThat(config.home()).isEqualTo(Path.of("/etc/corc/state"));
        assertThat(config.trustStore()).isEqualTo(Path.of("/abs/trust.json"));
    }
}
