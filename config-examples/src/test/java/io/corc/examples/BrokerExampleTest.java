package io.corc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.broker.BrokerConfig;
import io.corc.broker.BrokerConfig.SharedClass;
import io.corc.broker.BrokerConfig.TransportSecurity;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code broker.yaml} documents every key of the broker's configuration, and it loads with the values it shows. */
class BrokerExampleTest {
    static final String FILE = "broker.yaml";

    @Test
    void theBrokerExampleLoadsWithEveryKeySet() {
        BrokerConfig config =
                BrokerConfig.load(Path.of(System.getProperty("basedir", ".")).resolve(FILE));

        assertThat(config.organisation()).isEqualTo("physics-dept");
        assertThat(config.grid()).isEqualTo("nordic-science");
        assertThat(config.identityKey()).hasFileName("identity.key");
        assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(7800);
        assertThat(config.initialHosts()).hasSize(3);
        assertThat(config.encryption()).isEqualTo(TransportSecurity.AUTO);
        assertThat(config.gridKey()).hasFileName("grid.key");
        assertThat(config.controlPort()).isZero();
        assertThat(config.offerTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.orchestrationTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.quotaFor("chemistry-dept").maxCores()).isEqualTo(64);
        assertThat(config.quotaFor("anyone").maxActiveLeases()).isEqualTo(2);
        SharedClass gpu = config.shared().get(0);
        assertThat(gpu.gpuType()).isEqualTo("A100");
        assertThat(gpu.maxLease()).isEqualTo(Duration.ofHours(8));
        assertThat(gpu.localReserved()).isEqualTo(1);
        assertThat(gpu.sharedWith("geo-dept", "physics-dept")).isTrue();
        assertThat(gpu.sharedWith("bio-dept", "physics-dept")).isFalse();
        assertThat(gpu.options()).containsEntry("shape", "BM.GPU.A100-v2.8");
        assertThat(config.shared().get(1).members()).containsExactly("*");
    }
}
