package io.corc.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.StateRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Several corc processes sharing one state folder, and a process killed mid-write. */
@Timeout(60)
class FileStateStoreProcessTest {
    private static final int BLOB_SIZE = 40_000;

    @TempDir
    Path temp;

    private FileStateStore open(Duration lockTimeout) {
        return FileStateStore.open(temp.resolve("state"), lockTimeout, (file, movedTo, reason) -> {
            throw new AssertionError("unexpected corrupt file " + file + ": " + reason);
        });
    }

    @Test
    void twoProcessesIncrementingOneCounterLoseNoUpdate() throws Exception {
        int increments = 200;
        String state = temp.resolve("state").toString();
        ChildJvm first = ChildJvm.start(temp.resolve("a.err"), "increment", state, "" + increments, "a");
        ChildJvm second = ChildJvm.start(temp.resolve("b.err"), "increment", state, "" + increments, "b");

        first.assertExitsNormally(45);
        second.assertExitsNormally(45);

        FileStateStore store = open(Duration.ofSeconds(5));
        assertThat(store.get("counter", "shared").orElseThrow().data()).containsEntry("count", 2 * increments);
        assertThat(store.list("worker")).hasSize(2 * increments);
        for (String worker : new String[] {"a", "b"}) {
            for (int i = 0; i < increments; i++) {
                assertThat(store.get("worker", worker + "-" + i))
                        .hasValueSatisfying(record -> assertThat(record.data()).containsEntry("worker", worker));
            }
        }
    }

    @Test
    void killingAWriterAtAnyMomentLeavesAWholeVersionAndAnUnlockedStore() throws Exception {
        Random random = new Random();
        String state = temp.resolve("state").toString();
        for (int round = 1; round <= 4; round++) {
            ChildJvm writer =
                    ChildJvm.start(temp.resolve("rewrite-" + round + ".err"), "rewrite", state, "" + BLOB_SIZE);
            int written = awaitWrites(writer, 3 + random.nextInt(6));

            writer.kill();

            FileStateStore store = open(Duration.ofSeconds(5));
            StateRecord survivor = store.get("blob", "big").orElseThrow();
            assertThat(StateStoreStressMain.isConsistent(survivor, BLOB_SIZE))
                    .as("round %d: record is one whole version", round)
                    .isTrue();
            assertThat(((Number) survivor.data().get("seq")).intValue()).isGreaterThanOrEqualTo(written);
            assertThat(store.list("blob")).containsExactly(survivor);

            // the killed process's lock died with it: writing works at once
            store.update("counter", "shared", StateStoreStressMain::increment);
            store.put(StateStoreStressMain.blob(0, BLOB_SIZE));
            assertThat(store.get("blob", "big").orElseThrow().status()).isEqualTo("version-0");
        }
        assertThat(open(Duration.ofSeconds(5))
                        .get("counter", "shared")
                        .orElseThrow()
                        .data())
                .containsEntry("count", 4);
        try (Stream<Path> files = Files.list(temp.resolve("state/blob"))) {
            assertThat(files.map(file -> file.getFileName().toString())).noneMatch(name -> name.contains(".corrupt-"));
        }
    }

    @Test
    void writerFailsWithConflictWhileAnotherProcessHoldsTheLock() throws Exception {
        ChildJvm holder = ChildJvm.start(
                temp.resolve("hold.err"), "hold", temp.resolve("state").toString());
        BufferedReader out = reader(holder);
        assertThat(out.readLine()).as("child stderr: %s", holder.stderr()).isEqualTo("locked");
        FileStateStore store = open(Duration.ofMillis(300));

        CorcException thrown = catchThrowableOfType(
                CorcException.class, () -> store.put(StateRecord.create("job", "j1", "queued", Map.of())));

        assertThat(thrown.category()).isEqualTo(ErrorCategory.CONFLICT);
        assertThat(thrown.getMessage())
                .contains(temp.resolve("state").toRealPath().resolve(".lock").toString());
        assertThat(thrown.hint()).hasValueSatisfying(hint -> assertThat(hint).contains("another corc process"));

        holder.process().getOutputStream().close(); // lets the child finish its update
        holder.assertExitsNormally(20);
        store.put(StateRecord.create("job", "j1", "queued", Map.of()));
        assertThat(store.get("job", "held").orElseThrow().status()).isEqualTo("released");
    }

    /** Reads the writer's progress lines until it reports {@code count} writes; returns the last sequence number. */
    private static int awaitWrites(ChildJvm writer, int count) throws IOException {
        BufferedReader out = reader(writer);
        int last = 0;
        while (last < count) {
            String line = out.readLine();
            assertThat(line).as("writer output; stderr: %s", writer.stderr()).isNotNull();
            last = Integer.parseInt(line.substring("wrote ".length()));
        }
        return last;
    }

    private static BufferedReader reader(ChildJvm child) {
        return new BufferedReader(new InputStreamReader(child.process().getInputStream(), StandardCharsets.UTF_8));
    }
}
