package io.corc.scheduler.slurm;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A real single-node Slurm on localhost (munged, slurmctld, slurmd; RECIPES.md section 1), shared by the tests of
 * one JVM. Uses the daemons when they already answer; otherwise starts them, writing /etc/slurm/slurm.conf only
 * when it is absent or one this fixture wrote, and stops what it started when the JVM exits. Skips the test when
 * Slurm is not installed, unless {@code CORC_CI} is set: then it fails.
 */
final class SlurmCluster {
    /** The configuration Slurm's commands read by default (no SLURM_CONF needed on this machine). */
    static final Path CONF = Path.of("/etc/slurm/slurm.conf");

    private static final String MARKER = "# Written by corc's SlurmCluster test fixture";
    private static final List<String> BINARIES = List.of(
            "/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/bin/squeue");
    private static boolean ready;

    private SlurmCluster() {}

    /** Makes sure Slurm runs (or skips/fails the calling test). */
    static synchronized void require() {
        if (ready) {
            return;
        }
        List<String> missing =
                BINARIES.stream().filter(b -> !Files.isExecutable(Path.of(b))).toList();
        if (!missing.isEmpty()) {
            unavailable("Slurm is not installed (missing " + String.join(", ", missing)
                    + "); install munge slurmctld slurmd slurm-client");
        }
        if (!nodeReady()) {
            if (!"root".equals(System.getProperty("user.name"))) {
                unavailable("Slurm does not run and starting its daemons needs root");
            }
            start();
        }
        ready = true;
    }

    private static void unavailable(String why) {
        String ci = System.getenv("CORC_CI");
        if (ci != null && !ci.isBlank()) {
            fail(why + " (CORC_CI is set, so this fails instead of skipping)");
        }
        assumeTrue(false, "skipped: " + why);
    }

    private static void start() {
        try {
            writeConfIfOurs();
            boolean startedMunge = false;
            if (!mungeWorks()) {
                sh("install -d -o munge -g munge -m 0755 /run/munge"
                        + " && { [ -s /etc/munge/munge.key ] || runuser -u munge -- /usr/sbin/mungekey --create; }"
                        + " && runuser -u munge -- /usr/sbin/munged");
                startedMunge = true;
                await("munged answers", Duration.ofSeconds(10), SlurmCluster::mungeWorks);
            }
            boolean startedCtld = false;
            if (!alive("/run/slurmctld.pid")) {
                sh("rm -f /run/slurmctld.pid && /usr/sbin/slurmctld");
                startedCtld = true;
            }
            boolean startedSlurmd = false;
            if (!alive("/run/slurmd.pid")) {
                sh("/usr/sbin/slurmd -N localhost");
                startedSlurmd = true;
            }
            await("the node is idle in sinfo", Duration.ofSeconds(30), SlurmCluster::nodeReady);
            // the controller's first scheduling pass comes about 3 s after its start: wait for a probe job
            String probe = sh("sbatch --parsable -o /dev/null --wrap true").strip();
            await("a probe job completes", Duration.ofSeconds(30), () -> shOrEmpty(
                            "squeue -h -t all -j " + probe + " -o %T")
                    .equals("COMPLETED"));
            stopAtExit(startedMunge, startedCtld, startedSlurmd);
        } catch (IOException e) {
            fail("could not start Slurm: " + e.getMessage(), e);
        }
    }

    private static void writeConfIfOurs() throws IOException {
        if (Files.exists(CONF) && !Files.readString(CONF).startsWith(MARKER)) {
            return; // someone else's configuration: used as it is
        }
        try (InputStream ours = SlurmCluster.class.getResourceAsStream("/slurm.conf")) {
            Files.createDirectories(CONF.getParent());
            Files.write(CONF, ours.readAllBytes());
        }
    }

    private static void stopAtExit(boolean munge, boolean ctld, boolean slurmd) {
        if (!munge && !ctld && !slurmd) {
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            StringBuilder script = new StringBuilder();
            if (ctld || slurmd) {
                script.append("C=$(cat /run/slurmctld.pid 2>/dev/null); D=$(cat /run/slurmd.pid 2>/dev/null);")
                        .append(ctld ? " scontrol shutdown >/dev/null 2>&1;" : "")
                        .append(slurmd && !ctld ? " kill \"$D\" 2>/dev/null;" : "")
                        .append(" for i in $(seq 100); do")
                        .append(" { [ -n \"$C\" ] && kill -0 \"$C\" 2>/dev/null; } ||")
                        .append(" { [ -n \"$D\" ] && kill -0 \"$D\" 2>/dev/null; } || break; sleep 0.1; done;")
                        .append(ctld ? " rm -f /run/slurmctld.pid;" : "");
            }
            if (munge) {
                script.append(" kill \"$(cat /run/munge/munged.pid)\" 2>/dev/null;");
            }
            try {
                sh(script.append(" true").toString());
            } catch (IOException e) {
                System.err.println("could not stop Slurm: " + e.getMessage());
            }
        }));
    }

    private static boolean nodeReady() {
        try {
            String state = sh("sinfo -h -N -o %t 2>/dev/null").strip();
            return state.equals("idle") || state.equals("mix") || state.equals("alloc");
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean mungeWorks() {
        try {
            sh("munge -n </dev/null | unmunge >/dev/null 2>&1");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean alive(String pidFile) {
        try {
            sh("kill -0 \"$(cat " + pidFile + " 2>/dev/null)\" 2>/dev/null");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Polls {@code condition} every 100 ms until it holds, failing after {@code limit}. */
    static void await(String what, Duration limit, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(limit);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("gave up waiting " + limit.toSeconds() + " s until " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    private static String shOrEmpty(String command) {
        try {
            return sh(command).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** Runs a shell command; its stdout, or IOException with its output when it fails. */
    static String sh(String command) throws IOException {
        Process process = new ProcessBuilder(new ArrayList<>(List.of("sh", "-c", command)))
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (process.waitFor() != 0) {
                throw new IOException("'" + command + "' failed with " + process.exitValue() + ": " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return output;
    }
}
