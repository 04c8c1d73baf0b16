package io.corc.storage.s3.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalS3ServerTest {
    @TempDir
    Path dir;

    @Test
    void servesOnLoopbackAndRefusesUnsignedRequests() throws IOException {
        try (LocalS3Server server =
                LocalS3Server.builder().directory(dir.resolve("data")).start()) {
            assertThat(server.endpoint().getHost()).isEqualTo("127.0.0.1");
            assertThat(server.port()).isPositive();
            assertThat(server.accessKey()).startsWith("corc");
            assertThat(server.secretKey()).hasSize(40);
            HttpURLConnection connection = (HttpURLConnection) new URL(server.endpoint() + "/").openConnection();
            assertThat(connection.getResponseCode()).isEqualTo(403);
        }
    }

    @Test
    void aPortInUseIsAConflictNamingThePort() {
        try (LocalS3Server first = LocalS3Server.builder().start()) {
            assertThatThrownBy(() -> LocalS3Server.builder().port(first.port()).start())
                    .isInstanceOf(CorcException.class)
                    .hasMessageContaining("port " + first.port())
                    .satisfies(e -> assertThat(((CorcException) e).category()).isEqualTo(ErrorCategory.CONFLICT));
        }
    }
}
