package io.corc.provider.jclouds;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.InMemoryRecordStore;
import io.corc.api.Orchestrator;
import io.corc.api.OrchestratorContractTest;
import io.corc.api.Resource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The jclouds provider on {@code openstack-nova} (Keystone v3, Nova v2.1 on {@link FakeNova}) passes the contract. */
class JcloudsNovaContractTest extends OrchestratorContractTest {
    private static FakeNova nova;

    @BeforeAll
    static void startNova() {
        nova = new FakeNova();
    }

    @AfterAll
    static void stopNova() {
        nova.shutdown();
    }

    @Override
    protected Orchestrator orchestrator() {
        return new JcloudsOrchestrator(JcloudsNovaTest.settings(nova, java.util.Map.of()), new InMemoryRecordStore());
    }

    @Override
    protected void assertNothingLeft(Resource stopped) {
        assertThat(stopped.objects()).allSatisfy(object -> assertThat(nova.live())
                .noneMatch(server -> object.id().endsWith("/" + server.id)));
    }
}
