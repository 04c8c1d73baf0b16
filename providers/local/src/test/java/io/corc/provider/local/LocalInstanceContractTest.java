package io.corc.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.InMemoryRecordStore;
import io.corc.api.LocalMachine;
import io.corc.api.Orchestrator;
import io.corc.api.OrchestratorContractTest;
import io.corc.api.Resource;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The local provider passes the shared orchestrator contract. */
class LocalInstanceContractTest extends OrchestratorContractTest {
    @TempDir
    Path root;

    @Override
    protected Orchestrator orchestrator() {
        return new LocalInstanceOrchestrator(root, new InMemoryRecordStore(), LocalMachine.detect());
    }

    @Override
    protected void assertNothingLeft(Resource stopped) {
        assertThat(Path.of(stopped.details().get("path"))).doesNotExist();
    }
}
