package io.corc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.KeyType;
import io.corc.api.PluginConfig;
import io.corc.core.Corc;
import io.corc.ssh.KnownHosts;
import io.corc.ssh.SshKeys;
import io.corc.ssh.testing.MinaSshServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code corc job run --resource ID} runs the job on an orchestrated instance over SSH: an SSH host (MINA in this
 * JVM, real shell) recorded as an instance of the test provider, corc's key and known_hosts in corc's home.
 */
class JobOnResourceTest {
    private static final String RESOURCE = "box-" + UUID.randomUUID().toString().substring(0, 8);
    private static MinaSshServer server;

    @TempDir
    static Path tmp;

    private static Path home;

    @BeforeAll
    static void start() {
        home = tmp.resolve("corc-home");
        server = MinaSshServer.start(tmp.resolve("remote-home"));
        server.authorize(new SshKeys(home, PluginConfig.empty("corc.authenticators.ssh"))
                .create("id_ed25519", KeyType.ED25519)
                .publicKey());
        Corc corc = Corc.builder().home(home).environment(Map.of()).build();
        SshHostProvider.record(corc.records(), RESOURCE, server.host(), server.port(), server.user());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void runsStagedTasksOnTheInstanceAndLaterCommandsFindTheJobByItsId() throws Exception {
        Path input = Files.writeString(tmp.resolve("params.txt"), "ncount=1e6\n");
        CliRunner cli = new CliRunner(home);

        CliRunner.Result run = cli.run(
                "job",
                "run",
                "--resource",
                RESOURCE,
                "--input",
                input.toString(),
                "--num-jobs",
                "2",
                "--wait",
                "--timeout",
                "60s",
                "-o",
                "json",
                "--",
                "sh",
                "-c",
                "cp \"$CORC_INPUT/params.txt\" \"$CORC_OUTPUT/task-$CORC_TASK_INDEX.txt\"");

        assertThat(run.code()).as(run.toString()).isZero();
        Map<String, Object> document = run.json();
        assertThat(document).containsEntry("status", "success");
        @SuppressWarnings("unchecked")
        Map<String, Object> job = (Map<String, Object>) document.get("job");
        assertThat(job).containsEntry("scheduler", "ssh");
        String jobId = (String) job.get("id");
        // the job ran on the host, in the scheduler's work dir there; the host key was recorded on first contact
        assertThat(server.home().resolve(".corc/jobs").resolve(jobId)).isDirectory();
        assertThat(new KnownHosts(home.resolve("ssh/known_hosts")).lookup(server.host(), server.port()))
                .hasValueSatisfying(key -> assertThat(key).contains(server.hostPublicKey()));

        // a later command, in a new corc, reaches the job without --resource
        CliRunner.Result show = cli.run("job", "show", jobId, "-o", "json");
        assertThat(show.code()).as(show.toString()).isZero();
        assertThat(show.out()).contains("succeeded");

        Path results = tmp.resolve("results");
        CliRunner.Result get = cli.run("job", "result", "get", jobId, "--path", results.toString());
        assertThat(get.code()).as(get.toString()).isZero();
        for (int index = 0; index < 2; index++) {
            Path task = results.resolve(jobId).resolve(Integer.toString(index));
            assertThat(task.resolve("task-" + index + ".txt")).hasContent("ncount=1e6");
            assertThat(task.resolve("job.json")).exists();
        }

        CliRunner.Result delete = cli.run("job", "delete", jobId);
        assertThat(delete.code()).as(delete.toString()).isZero();
        assertThat(server.home().resolve(".corc/jobs").resolve(jobId)).doesNotExist();
    }

    @Test
    void anUnknownResourceIsNotFoundAndNothingIsSubmitted() {
        CliRunner cli = new CliRunner(home);

        CliRunner.Result run = cli.run("job", "run", "--resource", "nothere", "--", "true");

        assertThat(run.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(run.err()).contains("resource 'nothere' not found", "hint:");
        assertThat(cli.run("job", "list", "-o", "json").json().toString()).doesNotContain("nothere");
    }

    @Test
    void helpNamesTheOptionWithAnExample() {
        CliRunner.Result help = new CliRunner(home).run("job", "run", "--help");

        assertThat(help.out()).contains("--resource=ID", "corc job run --resource", "slurm.partition");
        assertThat(help.code()).isZero();
    }
}
