package io.corc.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.StateRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStateStoreTest {
    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00.123456Z");

    @TempDir
    Path temp;

    private final List<String> reports = new ArrayList<>();

    private FileStateStore open() {
        return FileStateStore.open(
                temp.resolve("state"),
                Duration.ofSeconds(5),
                (file, movedTo, reason) ->
                        reports.add(file.getFileName() + " -> " + movedTo.getFileName() + ": " + reason));
    }

    private static StateRecord record(String type, String id, Instant created) {
        return new StateRecord(type, id, "running", Map.of("host", "10.0.0.1", "cores", 4), created, created);
    }

    @Test
    void putThenGetReturnsAnEqualRecord() {
        FileStateStore store = open();
        StateRecord record = new StateRecord(
                "resource",
                "oci-1",
                "running",
                Map.of("cores", 4, "ratio", 0.5, "spot", true, "tags", List.of("a", "b"), "nested", Map.of("k", "v")),
                T0,
                T0.plusSeconds(5));

        store.put(record);

        assertThat(store.get("resource", "oci-1")).contains(record);
        assertThat(store.get("resource", "other")).isEmpty();
        assertThat(store.get("job", "oci-1")).isEmpty();
    }

    @Test
    void fileIsJsonWithIsoInstantsAndDataAsObject() throws IOException {
        FileStateStore store = open();
        store.put(record("resource", "r1", T0));

        JsonNode json = new ObjectMapper()
                .readTree(temp.resolve("state/resource/r1.json").toFile());

        assertThat(json.get("type").asText()).isEqualTo("resource");
        assertThat(json.get("createdAt").asText()).isEqualTo("2024-05-01T10:00:00.123456Z");
        assertThat(json.get("data").isObject()).isTrue();
        assertThat(json.get("data").get("cores").asInt()).isEqualTo(4);
    }

    @Test
    void putFillsMissingTimestamps() {
        FileStateStore store = open();

        store.put(new StateRecord("job", "j1", "queued", Map.of(), null, null));

        StateRecord stored = store.get("job", "j1").orElseThrow();
        assertThat(stored.createdAt()).isNotNull().isEqualTo(stored.updatedAt());
    }

    @Test
    void listReturnsOldestFirstAndOnlyTheType() {
        FileStateStore store = open();
        store.put(record("job", "b", T0.plusSeconds(20)));
        store.put(record("job", "a", T0.plusSeconds(30)));
        store.put(record("job", "c", T0));
        store.put(record("resource", "x", T0));

        assertThat(store.list("job")).extracting(StateRecord::id).containsExactly("c", "b", "a");
        assertThat(store.list("never-written")).isEmpty();
    }

    @Test
    void deleteIsIdempotent() {
        FileStateStore store = open();
        store.put(record("job", "j1", T0));

        assertThat(store.delete("job", "j1")).isTrue();
        assertThat(store.delete("job", "j1")).isFalse();
        assertThat(store.get("job", "j1")).isEmpty();
    }

    @Test
    void updateCreatesChangesAndDeletes() {
        FileStateStore store = open();

        StateRecord created =
                store.update("job", "j1", current -> StateRecord.create("job", "j1", "queued", Map.of("n", 1)));
        StateRecord changed = store.update("job", "j1", current -> current.withStatus("running"));

        assertThat(created.status()).isEqualTo("queued");
        assertThat(changed.status()).isEqualTo("running");
        assertThat(changed.createdAt()).isEqualTo(created.createdAt());
        assertThat(store.get("job", "j1")).contains(changed);

        assertThat(store.update("job", "j1", current -> null)).isNull();
        assertThat(store.get("job", "j1")).isEmpty();
    }

    @Test
    void updateMayNotReturnAnotherRecord() {
        FileStateStore store = open();

        CorcException thrown = catchThrowableOfType(
                CorcException.class, () -> store.update("job", "j1", current -> record("job", "j2", T0)));

        assertThat(thrown.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
        assertThat(store.list("job")).isEmpty();
    }

    @Test
    void malformedTypesAndIdsAreRejected() {
        FileStateStore store = open();

        for (String type : List.of("Resource", "../x", "", "a/b", "-x", "x".repeat(65))) {
            assertThat(catchThrowableOfType(CorcException.class, () -> store.list(type))
                            .category())
                    .as(type)
                    .isEqualTo(ErrorCategory.INVALID_INPUT);
        }
        assertThat(catchThrowableOfType(CorcException.class, () -> store.get("job", ".."))
                        .category())
                .isEqualTo(ErrorCategory.INVALID_INPUT);
        assertThat(catchThrowableOfType(CorcException.class, () -> store.put(record("Bad", "x", T0)))
                        .category())
                .isEqualTo(ErrorCategory.INVALID_INPUT);
    }

    @Test
    void filesArePrivateAndFoldersArePrivate() throws IOException {
        FileStateStore store = open();
        store.put(record("resource", "r1", T0));
        Path state = temp.resolve("state");
        assumeTrue(Files.getFileStore(state).supportsFileAttributeView("posix"));

        assertThat(Files.getPosixFilePermissions(state)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(state.resolve("resource")))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(state.resolve("resource/r1.json")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(state.resolve(".lock")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void leftoverTemporaryFilesAreIgnored() throws IOException {
        FileStateStore store = open();
        store.put(record("resource", "r1", T0));
        Path leftover = temp.resolve("state/resource/.r2.json1234567.tmp");
        Files.writeString(leftover, "{\"type\":\"resource\",\"id\":\"r2\",\"stat");

        assertThat(store.list("resource")).extracting(StateRecord::id).containsExactly("r1");
        assertThat(leftover).exists();
        assertThat(reports).isEmpty();
    }

    @Test
    void corruptFileIsMovedAsideAndReportedWithoutItsContent() throws IOException {
        FileStateStore store = open();
        store.put(record("resource", "good", T0));
        Path bad = temp.resolve("state/resource/bad.json");
        Files.writeString(bad, "{\"token\": secret-value");

        assertThat(store.list("resource")).extracting(StateRecord::id).containsExactly("good");

        assertThat(bad).doesNotExist();
        try (Stream<Path> files = Files.list(bad.getParent())) {
            List<Path> movedAside = files.filter(
                            file -> file.getFileName().toString().startsWith("bad.json.corrupt-"))
                    .toList();
            assertThat(movedAside).hasSize(1);
            assertThat(movedAside.get(0)).hasContent("{\"token\": secret-value");
        }
        assertThat(reports).singleElement().satisfies(report -> assertThat(report)
                .startsWith("bad.json -> bad.json.corrupt-")
                .contains("not valid JSON")
                .doesNotContain("secret"));
        assertThat(store.list("resource")).hasSize(1);
        assertThat(reports).hasSize(1);
    }

    @Test
    void validJsonThatIsNoRecordOrNamesAnotherRecordIsMovedAsideToo() throws IOException {
        FileStateStore store = open();
        store.put(record("resource", "r1", T0));
        Files.copy(temp.resolve("state/resource/r1.json"), temp.resolve("state/resource/copy.json"));
        Files.writeString(temp.resolve("state/resource/empty.json"), "");
        Files.writeString(temp.resolve("state/resource/array.json"), "[1, 2]");

        assertThat(store.list("resource")).extracting(StateRecord::id).containsExactly("r1");
        assertThat(store.get("resource", "copy")).isEmpty();
        assertThat(reports).hasSize(3);
    }

    @Test
    void corruptRecordSeenByUpdateCountsAsAbsent() throws IOException {
        FileStateStore store = open();
        Files.createDirectories(temp.resolve("state/job"));
        Files.writeString(temp.resolve("state/job/j1.json"), "not json");

        StateRecord written = store.update(
                "job",
                "j1",
                current -> current == null
                        ? StateRecord.create("job", "j1", "fresh", Map.of())
                        : current.withStatus("unexpected"));

        assertThat(written.status()).isEqualTo("fresh");
        assertThat(reports).hasSize(1);
    }
}
