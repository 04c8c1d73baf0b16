package io.corc.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.StateRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class FileStateStoreLockingTest {
    @TempDir
    Path state;

    private FileStateStore open(Duration timeout) {
        return FileStateStore.open(state, timeout, (file, movedTo, reason) -> {
            throw new AssertionError("unexpected corrupt file " + file + ": " + reason);
        });
    }

    @Test
    void concurrentUpdatesFromThreadsAndStoresOfOneJvmAreNotLost() throws Exception {
        List<FileStateStore> stores = List.of(open(Duration.ofSeconds(10)), open(Duration.ofSeconds(10)));
        int threads = 4;
        int increments = 50;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                FileStateStore store = stores.get(t % stores.size());
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < increments; i++) {
                        store.update("counter", "shared", StateStoreStressMain::increment);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(20, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(stores.get(0).get("counter", "shared").orElseThrow().data()).containsEntry("count", 200);
    }

    @Test
    void writerWaitingTooLongFailsWithConflictNamingTheLockFile() throws Exception {
        FileStateStore holder = open(Duration.ofSeconds(10));
        FileStateStore impatient = open(Duration.ofMillis(200));
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<StateRecord> holding = pool.submit(() -> holder.update("counter", "shared", current -> {
                locked.countDown();
                awaitUninterruptibly(release);
                return StateStoreStressMain.increment(current);
            }));
            assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();

            CorcException thrown = catchThrowableOfType(
                    CorcException.class, () -> impatient.put(StateRecord.create("job", "j1", "queued", Map.of())));

            assertThat(thrown.category()).isEqualTo(ErrorCategory.CONFLICT);
            assertThat(thrown.getMessage())
                    .contains(state.toRealPath().resolve(".lock").toString());
            assertThat(thrown.hint())
                    .hasValueSatisfying(hint -> assertThat(hint).contains("another corc process"));
            release.countDown();
            assertThat(holding.get(10, TimeUnit.SECONDS).data()).containsEntry("count", 1);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        impatient.put(StateRecord.create("job", "j1", "queued", Map.of()));
        assertThat(impatient.get("job", "j1")).isPresent();
    }

    @Test
    void theLockIsReentrantForTheThreadHoldingIt() {
        FileStateStore store = open(Duration.ofMillis(500));
        FileStateStore second = open(Duration.ofMillis(500));

        store.update("job", "outer", current -> {
            store.put(StateRecord.create("job", "inner", "queued", Map.of()));
            second.update("job", "inner", inner -> inner.withStatus("running"));
            return StateRecord.create("job", "outer", "done", Map.of());
        });

        assertThat(store.list("job")).extracting(StateRecord::status).containsExactlyInAnyOrder("done", "running");
        store.put(StateRecord.create("job", "after", "queued", Map.of())); // lock released after the outer update
    }

    @Test
    void interruptedWriterIsCancelledAndKeepsTheInterruptFlag() {
        FileStateStore store = open(Duration.ofSeconds(5));
        Thread.currentThread().interrupt();
        try {
            CorcException thrown = catchThrowableOfType(
                    CorcException.class, () -> store.put(StateRecord.create("job", "j1", "queued", Map.of())));

            assertThat(thrown.category()).isEqualTo(ErrorCategory.CANCELLED);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(store.get("job", "j1")).isEmpty();
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("test did not release the lock");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
