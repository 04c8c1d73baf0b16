package io.corc.provider.oci;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.Orchestrator;
import io.corc.api.OrchestratorContractTest;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** The OCI provider passes the shared orchestrator contract, against FakeOci. */
class OciContractTest extends OrchestratorContractTest {
    private final OciFixture fixture = new OciFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Override
    protected Orchestrator orchestrator() {
        return fixture.orchestrator(Map.of());
    }

    @Override
    protected ResourceSpec spec() {
        return ResourceSpec.of("contract", ResourceKind.INSTANCE).withSshPublicKeys(List.of(OciFixture.KEY));
    }

    @Override
    protected String unknownId() {
        return "oci-0badc0de";
    }

    @Override
    protected void assertNothingLeft(Resource stopped) {
        assertThat(fixture.oci.leftovers()).isEmpty();
    }
}
