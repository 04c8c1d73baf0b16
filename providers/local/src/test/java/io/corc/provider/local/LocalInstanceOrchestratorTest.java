package io.corc.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.CheckResult;
import io.corc.api.Endpoint;
import io.corc.api.Feature;
import io.corc.api.LocalMachine;
import io.corc.api.ProgressListener;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.api.ResourceState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalInstanceOrchestratorTest {
    @TempDir
    Path temp;

    private FakeRecordStore records;
    private LocalInstanceOrchestrator orchestrator;

    @BeforeEach
    void setUp() {
        records = new FakeRecordStore();
        orchestrator = new LocalInstanceOrchestrator(temp.resolve("local"), records, new LocalMachine(4, 8, "x86_64"));
    }

    @Test
    void startCreatesARecordedPrivateSandbox() throws IOException {
        Resource resource =
                orchestrator.start(ResourceSpec.of("sandbox-1", ResourceKind.INSTANCE), ProgressListener.NONE);

        Path directory = temp.resolve("local/instances").resolve(resource.id());
        assertThat(resource.id()).startsWith("local-");
        assertThat(resource.provider()).isEqualTo("local");
        assertThat(resource.name()).isEqualTo("sandbox-1");
        assertThat(resource.state()).isEqualTo(ResourceState.RUNNING);
        assertThat(resource.endpoints())
                .containsExactly(
                        new Endpoint("file", directory.resolve("home").toString(), 0, System.getProperty("user.name")));
        assertThat(resource.details())
                .containsEntry("cores", "4")
                .containsEntry("memory_gb", "8.0")
                .containsEntry("path", directory.toString());
        assertThat(Files.getPosixFilePermissions(directory.resolve("home")))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(records.statuses(resource.id())).containsExactly("starting", "running");
        assertThat(orchestrator.get(resource.id())).contains(resource);
        assertThat(orchestrator.list()).containsExactly(resource);
    }

    @Test
    void stopKillsTheSandboxProcessesAndDeletesEverything() throws IOException {
        Resource resource = orchestrator.start(ResourceSpec.of("s", ResourceKind.INSTANCE), ProgressListener.NONE);
        LocalSandbox sandbox = LocalSandbox.at(Path.of(resource.details().get("path")));
        Process sleeper = sandbox.start(new ProcessBuilder("sleep", "60"));
        Process tree = sandbox.start(new ProcessBuilder("sh", "-c", "sleep 60 & echo $!; wait"));
        long grandchild = Long.parseLong(tree.inputReader().readLine().strip());

        orchestrator.stop(resource.id(), ProgressListener.NONE);

        assertThat(sleeper.onExit()).succeedsWithin(Duration.ofSeconds(10));
        assertThat(tree.onExit()).succeedsWithin(Duration.ofSeconds(10));
        assertThat(ProcessHandle.of(grandchild).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(sandbox.directory()).doesNotExist();
        assertThat(records.statuses(resource.id())).containsExactly("starting", "running", "stopping", "stopped");
        assertThat(orchestrator.get(resource.id())).isEmpty();
        assertThat(orchestrator.list()).isEmpty();
    }

    @Test
    void stopIsIdempotentAndIgnoresUnknownIds() {
        Resource resource = orchestrator.start(ResourceSpec.of("s", ResourceKind.INSTANCE), ProgressListener.NONE);

        orchestrator.stop(resource.id(), ProgressListener.NONE);
        orchestrator.stop(resource.id(), ProgressListener.NONE);
        orchestrator.stop("local-unknown", ProgressListener.NONE);
        orchestrator.stop("../../etc", ProgressListener.NONE);

        assertThat(orchestrator.get("local-unknown")).isEmpty();
        assertThat(temp.resolve("local/instances")).isEmptyDirectory();
    }

    @Test
    void aSandboxWhoseDirectoryVanishedIsReportedFailed() throws IOException {
        Resource resource = orchestrator.start(ResourceSpec.of("s", ResourceKind.INSTANCE), ProgressListener.NONE);
        SandboxFiles.deleteTree(Path.of(resource.details().get("path")));

        assertThat(orchestrator.get(resource.id())).map(Resource::state).contains(ResourceState.FAILED);
    }

    @Test
    void declaresItsFeaturesAndChecksItsRoot() {
        CheckResult check = orchestrator.check();

        assertThat(check.ok()).isTrue();
        assertThat(check.reason()).isEqualTo("local sandboxes under " + temp.resolve("local"));
        assertThat(orchestrator.features().supported())
                .containsExactlyInAnyOrder(Feature.INSTANCES, Feature.SHAPE_SELECTION, Feature.PRICING);
        assertThat(orchestrator.features().whyMissing(Feature.CLUSTERS))
                .contains("the local provider has no container cluster; use kubernetes");
        assertThat(orchestrator.features().whyMissing(Feature.GPUS))
                .contains("GPU detection is not implemented for local sandboxes");
        assertThat(orchestrator.features().whyMissing(Feature.SPOT)).contains("not applicable to the local machine");
    }
}
