package io.corc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TreeManifestTest {
    @Test
    void encodesAndParsesNamesWithSpacesAndUnicode() {
        TreeManifest manifest = new TreeManifest(
                List.of(new TreeManifest.Entry("a b/ü 漢.txt", 12, "abc"), new TreeManifest.Entry("empty/", 0, "-")));
        assertThat(TreeManifest.parse(manifest.encode(), "m")).isEqualTo(manifest);
        assertThatThrownBy(() -> TreeManifest.parse("something else\n", "s3://b/k"))
                .hasMessageContaining("s3://b/k is not a corc manifest");
    }

    @Test
    void selectionFetchesCommittedTreesAndReportsTheRest() {
        List<StoredObject> listing = List.of(
                object("job/output/0/.corc-manifest"),
                object("job/output/0/result.txt"),
                new StoredObject("job/output/0/stale.txt", 1, null, Instant.EPOCH.minusSeconds(10)),
                object("job/output/1/partial.txt"),
                object("job/output/2/.corc-manifest"));
        Map<String, TreeManifest> manifests = Map.of(
                "job/output/0/.corc-manifest",
                new TreeManifest(List.of(new TreeManifest.Entry("result.txt", 1, "x"))),
                "job/output/2/.corc-manifest",
                new TreeManifest(
                        List.of(new TreeManifest.Entry("gone.txt", 1, "y"), new TreeManifest.Entry("dir/", 0, "-"))));

        TreeManifest.Selection selection = TreeManifest.select(listing, "job/output/", manifests::get);

        assertThat(selection.fetch()).extracting(s -> s.object().key()).containsExactly("job/output/0/result.txt");
        assertThat(selection.fetch().get(0).expected().checksum()).isEqualTo("x");
        assertThat(selection.incomplete()).containsExactly("job/output/1/");
        assertThat(selection.ignored()).containsExactly("job/output/0/stale.txt");
        assertThat(selection.missing()).containsExactly("job/output/2/gone.txt");
        assertThat(selection.directories()).containsExactly("job/output/2/dir/");
    }

    @Test
    void withoutAnyManifestEverythingIsFetched() {
        TreeManifest.Selection selection =
                TreeManifest.select(List.of(object("data/a"), object("data/b/c")), "data/", key -> null);
        assertThat(selection.fetch()).hasSize(2);
        assertThat(selection.fetch().get(0).expected()).isNull();
        assertThat(selection.incomplete()).isEmpty();
    }

    @Test
    void treesThatMustEachBeCommittedAreUncommittedWithoutTheirOwnMarker() {
        List<StoredObject> noMarkerAtAll =
                List.of(object("job/output/0/job.json"), object("job/output/1/job.json"), object("job/output/1/sub/x"));
        assertThat(TreeManifest.uncommittedTrees(noMarkerAtAll, "job/output/"))
                .containsExactly("job/output/0/", "job/output/1/");

        List<StoredObject> someMarkers = List.of(
                object("job/output/0/.corc-manifest"),
                object("job/output/0/job.json"),
                object("job/output/1/job.json"),
                object("job/output/1/sub/.corc-manifest"),
                object("job/output/1/sub/x"),
                object("job/output/stray.txt"));
        assertThat(TreeManifest.uncommittedTrees(someMarkers, "job/output/"))
                .containsExactly("job/output/1/", "job/output/");

        List<StoredObject> oneTree = List.of(object("t/.corc-manifest"), object("t/a/b"));
        assertThat(TreeManifest.uncommittedTrees(oneTree, "t/")).isEmpty();
        assertThat(TreeManifest.markerKey("t/")).isEqualTo("t/.corc-manifest");
    }

    @Test
    void filesStoredAfterTheCommitAreTakenAsTheyAreNow() {
        Instant commit = Instant.parse("2026-11-22T10:00:00Z");
        List<StoredObject> listing = List.of(
                new StoredObject("t/.corc-manifest", 1, null, commit),
                new StoredObject("t/listed.txt", 1, null, commit.minusSeconds(1)),
                new StoredObject("t/replaced.txt", 1, null, commit.plusSeconds(5)),
                new StoredObject("t/added.txt", 1, null, commit.plusSeconds(5)),
                new StoredObject("t/stale.txt", 1, null, commit.minusSeconds(60)));
        TreeManifest manifest = new TreeManifest(List.of(
                new TreeManifest.Entry("listed.txt", 1, "a"),
                new TreeManifest.Entry("replaced.txt", 1, "b"),
                new TreeManifest.Entry("deleted.txt", 1, "c")));

        TreeManifest.Selection selection = TreeManifest.select(listing, "t/", key -> manifest);

        assertThat(selection.fetch())
                .extracting(s -> s.object().key() + "="
                        + (s.expected() == null ? "now" : s.expected().checksum()))
                .containsExactly("t/listed.txt=a", "t/replaced.txt=now", "t/added.txt=now");
        assertThat(selection.ignored()).containsExactly("t/stale.txt");
        assertThat(selection.missing()).containsExactly("t/deleted.txt");
    }

    private static StoredObject object(String key) {
        return new StoredObject(key, 1, null, Instant.EPOCH);
    }
}
