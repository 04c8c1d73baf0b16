package io.corc.provider.ec2;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.Orchestrator;
import io.corc.api.OrchestratorContractTest;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** The EC2 provider passes the shared orchestrator contract, against FakeEc2. */
class Ec2ContractTest extends OrchestratorContractTest {
    private final Ec2Fixture fixture = new Ec2Fixture();

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
        return ResourceSpec.of("contract", ResourceKind.INSTANCE).withSshPublicKeys(List.of(Ec2Fixture.KEY));
    }

    @Override
    protected String unknownId() {
        return "ec2-0badc0de";
    }

    @Override
    protected void assertNothingLeft(Resource stopped) {
        assertThat(fixture.ec2.leftovers()).isEmpty();
    }
}
