package io.corc.api;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** What providers learn about a new instance's SSH without logging in: whether it answers, and its host keys. */
public final class SshProbe {
    /** The markers cloud-init prints its host keys between on the serial console. */
    public static final String BEGIN = "-----BEGIN SSH HOST KEY KEYS-----";

    public static final String END = "-----END SSH HOST KEY KEYS-----";

    private SshProbe() {}

    /**
     * Whether an SSH server answers on {@code host:port}: its banner starts with {@code SSH-}. A port that merely
     * accepts connections (a load balancer, a booting machine's firewall) does not count.
     */
    public static boolean answers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 3000);
            socket.setSoTimeout(5000);
            InputStream in = socket.getInputStream();
            byte[] banner = in.readNBytes(4);
            return new String(banner, StandardCharsets.US_ASCII).equals("SSH-");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The host key lines (newline separated, comments kept) of the last complete block cloud-init printed in a
     * console text; empty when there is none. Lines that are not public keys are skipped, as is the {@code ci-info:}
     * prefix some images put on console lines.
     */
    public static String hostKeysFromConsole(String console) {
        if (console == null) {
            return "";
        }
        int begin = console.lastIndexOf(BEGIN);
        int end = begin < 0 ? -1 : console.indexOf(END, begin);
        if (end < 0) {
            return "";
        }
        List<String> keys = new ArrayList<>();
        for (String line : console.substring(begin + BEGIN.length(), end).split("\\R")) {
            String key = line.strip().replaceFirst("^ci-info:\\s*", "");
            if (key.matches("(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?")) {
                keys.add(key);
            }
        }
        return String.join("\n", keys);
    }
}
