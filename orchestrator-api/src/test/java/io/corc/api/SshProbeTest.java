package io.corc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SshProbeTest {

    @Test
    void onlyAServerThatSendsAnSshBannerAnswers() throws Exception {
        try (ServerSocket ssh = serving("SSH-2.0-OpenSSH_9.2\r\n");
                ServerSocket http = serving("HTTP/1.1 400 Bad Request\r\n\r\n")) {
            assertThat(SshProbe.answers("127.0.0.1", ssh.getLocalPort())).isTrue();
            assertThat(SshProbe.answers("127.0.0.1", http.getLocalPort())).isFalse();
        }
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = closed.getLocalPort();
            closed.close();
            assertThat(SshProbe.answers("127.0.0.1", port)).isFalse();
        }
    }

    /** A server that writes {@code greeting} to every connection and closes it. */
    private static ServerSocket serving(String greeting) throws IOException {
        ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread thread = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    socket.getOutputStream().write(greeting.getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    return;
                }
            }
        });
        thread.setDaemon(true);
        thread.start();
        return server;
    }
}
