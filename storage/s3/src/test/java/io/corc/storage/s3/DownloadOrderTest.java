package io.corc.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.api.StoredObject;
import io.corc.api.TreeManifest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A download takes its objects in turns from each directory, every object exactly once. */
class DownloadOrderTest {
    @Test
    void objectsComeInTurnsFromEachDirectory() {
        List<TreeManifest.Selected> listing =
                selected("t/a/1", "t/a/2", "t/a/3", "t/b/1", "t/b/2", "t/c/deep/1", "t/top1", "t/top2");

        List<String> order = keys(S3Storage.acrossDirectories(listing));

        assertThat(order)
                .containsExactly("t/a/1", "t/b/1", "t/c/deep/1", "t/top1", "t/a/2", "t/b/2", "t/top2", "t/a/3");
    }

    @Test
    void oneDirectoryKeepsItsOrderAndNothingIsLostOrRepeated() {
        List<TreeManifest.Selected> one = selected("p/x", "p/y", "p/z");
        assertThat(keys(S3Storage.acrossDirectories(one))).containsExactly("p/x", "p/y", "p/z");

        List<String> many = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            many.add("q/" + (i % 7 == 0 ? "big" : "d" + i) + "/f" + i);
        }
        List<String> order = keys(S3Storage.acrossDirectories(selected(many.toArray(String[]::new))));
        assertThat(order).hasSize(500).containsExactlyInAnyOrderElementsOf(many);
    }

    private static List<TreeManifest.Selected> selected(String... keys) {
        List<TreeManifest.Selected> list = new ArrayList<>();
        for (String key : keys) {
            list.add(new TreeManifest.Selected(new StoredObject(key, 1, null, null), null));
        }
        return list;
    }

    private static List<String> keys(List<TreeManifest.Selected> selected) {
        return selected.stream().map(s -> s.object().key()).toList();
    }
}
