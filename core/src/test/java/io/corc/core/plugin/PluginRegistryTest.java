package io.corc.core.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.PluginFactory;
import io.corc.core.plugin.FakeFactories.FakeAuthenticatorFactory;
import io.corc.core.plugin.FakeFactories.FakeConfigurerFactory;
import io.corc.core.plugin.FakeFactories.FakeOrchestratorFactory;
import io.corc.core.plugin.FakeFactories.FakeSchedulerFactory;
import io.corc.core.plugin.FakeFactories.FakeStorageFactory;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginRegistryTest {
    private final FakeOrchestratorFactory oci = new FakeOrchestratorFactory("oci");
    private final FakeOrchestratorFactory local = new FakeOrchestratorFactory("local");
    private final FakeOrchestratorFactory ec2 = new FakeOrchestratorFactory("ec2");
    private final FakeSchedulerFactory slurm = new FakeSchedulerFactory("slurm");
    private final FakeStorageFactory s3 = new FakeStorageFactory("s3");
    private final FakeConfigurerFactory ansible = new FakeConfigurerFactory("ansible");
    private final FakeAuthenticatorFactory ssh = new FakeAuthenticatorFactory("ssh");

    private final PluginRegistry registry = PluginRegistry.of(List.of(oci, s3, local, ssh, slurm, ec2, ansible));

    @Test
    void findsEachFactoryByNameInItsFamily() {
        assertThat(registry.orchestrator("oci")).isSameAs(oci);
        assertThat(registry.scheduler("slurm")).isSameAs(slurm);
        assertThat(registry.storage("s3")).isSameAs(s3);
        assertThat(registry.configurer("ansible")).isSameAs(ansible);
        assertThat(registry.authenticator("ssh")).isSameAs(ssh);
    }

    @Test
    void listsEachFamilySortedByName() {
        assertThat(registry.orchestrators()).containsExactly(ec2, local, oci);
        assertThat(registry.schedulers()).containsExactly(slurm);
        assertThat(registry.storages()).containsExactly(s3);
        assertThat(registry.configurers()).containsExactly(ansible);
        assertThat(registry.authenticators()).containsExactly(ssh);
        assertThat(registry.loadProblems()).isEmpty();
    }

    @Test
    void unknownNameListsTheKnownOnesAndHowToFixIt() {
        CorcException thrown = catchThrowableOfType(CorcException.class, () -> registry.orchestrator("foo"));

        assertThat(thrown.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
        assertThat(thrown.getMessage()).isEqualTo("unknown provider 'foo' (known: ec2, local, oci)");
        assertThat(thrown.hint()).hasValue("check the name or put the plug-in's jar on the class path");
    }

    @Test
    void unknownNameInEmptyFamilySaysNoneInstalled() {
        PluginRegistry empty = PluginRegistry.of(List.of(oci));

        assertThat(catchThrowableOfType(CorcException.class, () -> empty.storage("s3")))
                .hasMessage("unknown storage 's3' (none installed)");
        assertThat(catchThrowableOfType(CorcException.class, () -> empty.scheduler("slurm")))
                .hasMessage("unknown scheduler 'slurm' (none installed)");
        assertThat(catchThrowableOfType(CorcException.class, () -> empty.configurer("x")))
                .hasMessage("unknown configurer 'x' (none installed)");
        assertThat(catchThrowableOfType(CorcException.class, () -> empty.authenticator("x")))
                .hasMessage("unknown authenticator 'x' (none installed)");
    }

    @Test
    void twoFactoriesWithOneNameInOneFamilyAreAnError() {
        PluginFactory other = new FakeOrchestratorFactory("oci") {};

        CorcException thrown = catchThrowableOfType(CorcException.class, () -> PluginRegistry.of(List.of(oci, other)));

        assertThat(thrown.category()).isEqualTo(ErrorCategory.INTERNAL);
        assertThat(thrown.getMessage())
                .contains("'oci'")
                .contains(FakeOrchestratorFactory.class.getName())
                .contains(other.getClass().getName());
    }

    @Test
    void oneNameInDifferentFamiliesIsFine() {
        PluginRegistry registry = PluginRegistry.of(List.of(local, new FakeStorageFactory("local")));

        assertThat(registry.orchestrator("local")).isSameAs(local);
        assertThat(registry.storage("local").name()).isEqualTo("local");
    }

    @Test
    void loadsWithServiceLoaderAndReportsFactoriesThatFailWithoutLosingTheOthers(@TempDir Path classes)
            throws IOException {
        Path services = Files.createDirectories(classes.resolve("META-INF/services"));
        Files.writeString(
                services.resolve("io.corc.api.StorageFactory"),
                String.join(
                        "\n",
                        FakeFactories.S3Storage.class.getName(),
                        FakeFactories.BrokenStorage.class.getName(),
                        "io.corc.example.MissingStorage",
                        FakeFactories.LocalStorage.class.getName()));
        Files.writeString(
                services.resolve("io.corc.api.OrchestratorFactory"), FakeFactories.OciProvider.class.getName());

        try (URLClassLoader loader = new OwnResourcesOnly(classes, getClass().getClassLoader())) {
            PluginRegistry loaded = PluginRegistry.load(loader);

            assertThat(loaded.storages()).extracting(PluginFactory::name).containsExactly("local", "s3");
            assertThat(loaded.orchestrators()).extracting(PluginFactory::name).containsExactly("oci");
            assertThat(loaded.schedulers()).isEmpty();
            assertThat(loaded.loadProblems()).hasSize(2).allSatisfy(problem -> assertThat(problem.family())
                    .isEqualTo("storage"));
            assertThat(loaded.loadProblems())
                    .extracting(PluginLoadProblem::message)
                    .anySatisfy(message -> assertThat(message).contains("BrokenStorage"))
                    .anySatisfy(message -> assertThat(message).contains("io.corc.example.MissingStorage"));
        }
    }

    /** Sees the test's classes through its parent but only its own service files, whatever else is on the path. */
    private static final class OwnResourcesOnly extends URLClassLoader {
        OwnResourcesOnly(Path classes, ClassLoader parent) throws IOException {
            super(new URL[] {classes.toUri().toURL()}, parent);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            return findResources(name);
        }
    }
}
