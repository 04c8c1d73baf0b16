package io.corc.core.plugin;

import io.corc.api.Authenticator;
import io.corc.api.AuthenticatorFactory;
import io.corc.api.Configurer;
import io.corc.api.ConfigurerFactory;
import io.corc.api.Orchestrator;
import io.corc.api.OrchestratorFactory;
import io.corc.api.PluginContext;
import io.corc.api.ResourceKind;
import io.corc.api.Scheduler;
import io.corc.api.SchedulerFactory;
import io.corc.api.Storage;
import io.corc.api.StorageFactory;
import java.util.Set;

/** Hand-written factories that only have a name; the public no-argument ones are for ServiceLoader tests. */
final class FakeFactories {
    private FakeFactories() {}

    abstract static class Named {
        private final String name;

        Named(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        public String description() {
            return "fake " + name;
        }
    }

    static class FakeOrchestratorFactory extends Named implements OrchestratorFactory {
        FakeOrchestratorFactory(String name) {
            super(name);
        }

        @Override
        public Set<ResourceKind> kinds() {
            return Set.of(ResourceKind.INSTANCE);
        }

        @Override
        public Orchestrator create(ResourceKind kind, PluginContext context) {
            throw new UnsupportedOperationException("fake");
        }
    }

    static class FakeSchedulerFactory extends Named implements SchedulerFactory {
        FakeSchedulerFactory(String name) {
            super(name);
        }

        @Override
        public Scheduler create(PluginContext context) {
            throw new UnsupportedOperationException("fake");
        }
    }

    static class FakeStorageFactory extends Named implements StorageFactory {
        FakeStorageFactory(String name) {
            super(name);
        }

        @Override
        public Storage create(PluginContext context) {
            throw new UnsupportedOperationException("fake");
        }
    }

    static class FakeConfigurerFactory extends Named implements ConfigurerFactory {
        FakeConfigurerFactory(String name) {
            super(name);
        }

        @Override
        public Configurer create(PluginContext context) {
            throw new UnsupportedOperationException("fake");
        }
    }

    static class FakeAuthenticatorFactory extends Named implements AuthenticatorFactory {
        FakeAuthenticatorFactory(String name) {
            super(name);
        }

        @Override
        public Authenticator create(PluginContext context) {
            throw new UnsupportedOperationException("fake");
        }
    }

    public static final class LocalStorage extends FakeStorageFactory {
        public LocalStorage() {
            super("local");
        }
    }

    public static final class S3Storage extends FakeStorageFactory {
        public S3Storage() {
            super("s3");
        }
    }

    public static final class OciProvider extends FakeOrchestratorFactory {
        public OciProvider() {
            super("oci");
        }
    }

    /** Fails in its constructor, like a plug-in whose dependencies are missing. */
    public static final class BrokenStorage extends FakeStorageFactory {
        public BrokenStorage() {
            super("broken");
            throw new IllegalStateException("missing SDK");
        }
    }
}
