package io.corc.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.CheckResult;
import io.corc.api.PluginContext;
import io.corc.api.Scheduler;
import io.corc.api.SchedulerFactory;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Corc.check} runs the plug-ins' checks at once: two schedulers whose checks each wait for the other to have
 * started both pass only when neither waits for the other to finish.
 */
class CheckConcurrencyTest {
    private static final CyclicBarrier BOTH_STARTED = new CyclicBarrier(2);

    @TempDir
    Path home;

    @TempDir
    Path pluginDir;

    @Test
    void checksThatWaitOnEachOtherBothPassAndComeInRegistryOrder() throws IOException {
        Path services = Files.createDirectories(pluginDir.resolve("META-INF/services"));
        Files.writeString(
                services.resolve(SchedulerFactory.class.getName()),
                First.class.getName() + "\n" + Second.class.getName() + "\n");
        try (URLClassLoader loader = new URLClassLoader(
                new URL[] {pluginDir.toUri().toURL()}, getClass().getClassLoader())) {
            Corc corc = Corc.builder()
                    .home(home)
                    .environment(Map.of())
                    .classLoader(loader)
                    .build();

            assertThat(corc.check())
                    .filteredOn(result -> result.plugin().startsWith("scheduler rendezvous"))
                    .extracting(result -> result.plugin() + "=" + result.ok() + " " + result.reason())
                    .containsExactly(
                            "scheduler rendezvous-1=true met the other check",
                            "scheduler rendezvous-2=true met the other check");
        }
    }

    /** A scheduler whose check waits (10 s at most) until the other one's has started too. */
    abstract static class Rendezvous implements SchedulerFactory {
        private final String name;

        Rendezvous(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String description() {
            return "test scheduler meeting another one's check";
        }

        @Override
        public Scheduler create(PluginContext context) {
            return (Scheduler) Proxy.newProxyInstance(
                    Scheduler.class.getClassLoader(), new Class<?>[] {Scheduler.class}, (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "name":
                                return name;
                            case "check":
                                try {
                                    BOTH_STARTED.await(10, TimeUnit.SECONDS);
                                    return CheckResult.ok(name, "met the other check");
                                } catch (Exception e) {
                                    return CheckResult.failed(name, "ran alone: " + e);
                                }
                            default:
                                throw new UnsupportedOperationException(method.getName());
                        }
                    });
        }
    }

    public static final class First extends Rendezvous {
        public First() {
            super("rendezvous-1");
        }
    }

    public static final class Second extends Rendezvous {
        public Second() {
            super("rendezvous-2");
        }
    }
}
