package io.corc.scheduler.slurm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.PluginConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The login node's side of the Slurm scheduler, on a real SSH server and shell (no Slurm needed). */
class SshSlurmHostTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private TestLoginNode node;
    private SlurmHost host;

    @BeforeEach
    void start() {
        Path corcHome = tmp.resolve("corc");
        node = new TestLoginNode(corcHome, tmp.resolve("login"));
        SlurmSettings settings =
                SlurmSettings.from(new PluginConfig("corc.schedulers.slurm", Map.of("login", node.login())));
        host = SlurmScheduler.defaultHosts(corcHome).apply(settings).get();
    }

    @AfterEach
    void stop() {
        host.close();
        node.close();
    }

    @Test
    void commandsRunInTheLoginShellWithEveryWordIntactAndAMissingProgramIsNotFound() {
        assertThat(host).isInstanceOf(SshSlurmHost.class);
        assertThat(host.describe()).isEqualTo(node.describe());
        assertThat(host.run(List.of("printenv", "SLURM_CONF"), TIMEOUT).stdout())
                .isEqualTo(SlurmCluster.CONF + "\n");
        CommandOutput printf = host.run(List.of("printf", "%s|", "a b", "it's", "$HOME", "", "*", "x;y"), TIMEOUT);
        assertThat(printf.stdout()).isEqualTo("a b|it's|$HOME||*|x;y|\n"); // the session hands on lines
        CommandOutput missing = host.run(List.of("sbatch-of-another-cluster", "--version"), TIMEOUT);
        assertThat(missing.exitCode()).isEqualTo(CommandOutput.NOT_FOUND);
    }

    @Test
    void filesAndDirectoriesGetTheirModesAndTheHomeIsTheLoginNodes() throws IOException {
        assertThat(host.homeDirectory()).isEqualTo(node.home().toString());
        String dir = host.homeDirectory() + "/.corc/slurm/jobs/job-1";

        host.createPrivateDirectory(dir);
        host.createPrivateDirectory(dir);
        host.writeFile(dir + "/spec.json", "{}".getBytes(UTF_8), 0600);
        host.writeFile(dir + "/job.sh", "#!/bin/sh\n".getBytes(UTF_8), 0700);
        host.writeFile(dir + "/spec.json", "{\"v\":2}".getBytes(UTF_8), 0600);

        Path local = Path.of(dir);
        assertThat(mode(local)).isEqualTo("rwx------");
        assertThat(mode(local.resolve("spec.json"))).isEqualTo("rw-------");
        assertThat(mode(local.resolve("job.sh"))).isEqualTo("rwx------");
        assertThat(host.readFile(dir + "/spec.json"))
                .hasValueSatisfying(b -> assertThat(new String(b, UTF_8)).isEqualTo("{\"v\":2}"));
        assertThat(host.readFile(dir + "/absent.json")).isEmpty();
        host.deleteTree(dir);
        host.deleteTree(dir);
        assertThat(local).doesNotExist();
        assertThat(local.getParent()).isDirectory();
    }

    @Test
    void afterADroppedConnectionReadsAreRepeatedOnANewOneButASubmissionIsNot() throws Exception {
        Path bin = Files.createDirectories(node.home().resolve("bin"));
        // stand-ins that record each call; the first squeue and every sbatch hang until the connection drops
        script(
                bin.resolve("squeue"),
                "echo x >> \"$HOME/squeue.calls\"; [ $(wc -l < \"$HOME/squeue.calls\") -gt 1 ]"
                        + " || sleep 30; echo answered");
        script(bin.resolve("sbatch"), "echo x >> \"$HOME/sbatch.calls\"; sleep 30");
        host.writeFile(host.homeDirectory() + "/note", "before".getBytes(UTF_8), 0600);

        node.server.dropConnections();
        assertThat(host.readFile(host.homeDirectory() + "/note")).isPresent();

        CompletableFuture<CommandOutput> squeue =
                CompletableFuture.supplyAsync(() -> host.run(List.of("squeue", "-h"), TIMEOUT));
        dropOnceCalled(node.home().resolve("squeue.calls"));
        assertThat(squeue.get(10, TimeUnit.SECONDS).stdout()).isEqualTo("answered\n");
        assertThat(Files.readAllLines(node.home().resolve("squeue.calls"))).hasSize(2);

        CompletableFuture<CommandOutput> sbatch =
                CompletableFuture.supplyAsync(() -> host.run(List.of("sbatch", "--parsable", "job.sh"), TIMEOUT));
        dropOnceCalled(node.home().resolve("sbatch.calls"));
        assertThatThrownBy(() -> sbatch.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE);
                    assertThat(e.getMessage()).contains(node.server.user() + "@" + node.server.host());
                });
        assertThat(Files.readAllLines(node.home().resolve("sbatch.calls"))).hasSize(1);
    }

    private void dropOnceCalled(Path calls) {
        SlurmCluster.await(calls.getFileName() + " is written", Duration.ofSeconds(10), () -> Files.exists(calls));
        node.server.dropConnections();
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
