package io.corc.api;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What this machine offers to the plug-ins that run work on it (local sandboxes, local jobs). GPUs are not
 * detected.
 *
 * @param cores logical processors available to the JVM
 * @param memoryGb total memory in GiB (the container's limit when the JVM sees one)
 * @param architecture {@code x86_64}, {@code arm64} or what {@code os.arch} says
 */
public record LocalMachine(int cores, double memoryGb, String architecture) {
    private static final double GIB = 1024.0 * 1024 * 1024;

    public static LocalMachine detect() {
        return new LocalMachine(
                Runtime.getRuntime().availableProcessors(),
                totalMemoryBytes() / GIB,
                normalize(System.getProperty("os.arch")));
    }

    /** The common name of an architecture: {@code amd64} is {@code x86_64}, {@code aarch64} is {@code arm64}. */
    public static String normalize(String architecture) {
        String lower = architecture == null ? "unknown" : architecture.toLowerCase(Locale.ROOT);
        return switch (lower) {
            case "amd64", "x64", "x86-64" -> "x86_64";
            case "aarch64" -> "arm64";
            default -> lower;
        };
    }

    private static long totalMemoryBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long total = os.getTotalMemorySize();
            if (total > 0) {
                return total;
            }
        }
        return memInfoBytes();
    }

    /** MemTotal from /proc/meminfo, or 0 where there is none. */
    private static long memInfoBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    String kib = line.substring("MemTotal:".length())
                            .replace("kB", "")
                            .strip();
                    return Long.parseLong(kib) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no memory information: plans then only check cores
        }
        return 0;
    }
}
