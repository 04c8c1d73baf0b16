package io.corc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcessTreesTest {

    @Test
    void killsAProcessThatIgnoresSigtermAfterTheGrace() throws IOException {
        Process process = new ProcessBuilder("sh", "-c", "trap '' TERM; echo ready; exec sleep 30")
                .redirectErrorStream(true)
                .start();
        assertThat(process.inputReader().readLine()).isEqualTo("ready");

        ProcessTrees.kill(process.toHandle(), Duration.ofMillis(200));

        assertThat(process.onExit()).succeedsWithin(Duration.ofSeconds(5));
        assertThat(process.exitValue()).isEqualTo(128 + 9);
    }

    @Test
    void isSafeOnAProcessThatHasExited() throws Exception {
        Process process = new ProcessBuilder("true").start();
        process.waitFor();

        assertThatCode(() -> ProcessTrees.kill(process.toHandle(), Duration.ofSeconds(1)))
                .doesNotThrowAnyException();
    }
}
