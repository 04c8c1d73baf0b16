package io.corc.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;

/**
 * The shared orchestrator contract against a real cloud (tag {@value LiveTests#TAG}: {@code ./mvnw -Plive};
 * docs/testing.md). A cloud's live test builds its orchestrator through the provider's own factory ({@link #create})
 * and asks the cloud itself in {@link #assertNothingLeft}; this class starts the smallest instance (one core, tagged
 * {@code corc-live=true}, a throwaway SSH key, a {@code corc-live-<random>} name) and, after each test, stops whatever
 * its orchestrators still list, so no instance outlives a failed assertion.
 */
@Tag(LiveTests.TAG)
public abstract class LiveContractTest extends OrchestratorContractTest {
    private final String name = LiveTests.name();
    private final String key = LiveTests.throwawaySshPublicKey();
    private final List<Orchestrator> made = new ArrayList<>();

    /** A fresh orchestrator of the cloud under test, built as corc builds it. */
    protected abstract Orchestrator create();

    /** The cloud's name in messages ("EC2", "OCI", ...). */
    protected abstract String cloud();

    @Override
    protected final Orchestrator orchestrator() {
        Orchestrator orchestrator = create();
        made.add(orchestrator);
        return orchestrator;
    }

    @Override
    protected ResourceSpec spec() {
        return new ResourceSpec(
                name,
                ResourceKind.INSTANCE,
                1,
                0,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                Map.of("corc-live", "true"),
                List.of(key),
                null);
    }

    /**
     * The contract stops what it starts in finally blocks; this catches a stop that failed or an assertion between a
     * start and its stop. Prints only ids and error messages.
     */
    @AfterEach
    void stopWhatIsLeft() {
        for (Orchestrator orchestrator : made) {
            for (Resource resource : orchestrator.list()) {
                try {
                    orchestrator.stop(resource.id(), ProgressListener.NONE);
                } catch (RuntimeException e) {
                    System.err.println(cloud() + " live test: could not stop " + resource.id() + " ("
                            + resource.objects() + "): " + e.getMessage());
                }
            }
        }
    }
}
