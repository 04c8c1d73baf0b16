package io.corc.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.core.Corc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The form over HTTP on the embedded default: spawn, see the session listed, stop it. */
class SpawnerWebTest {
    @TempDir
    Path home;

    @Test
    void spawnListAndStopThroughTheForm() throws Exception {
        Corc corc = Corc.builder().home(home).environment(Map.of()).build();
        try (SpawnerWeb web = new SpawnerWeb(corc, 0)) {
            HttpClient http = HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .build();
            String base = "http://127.0.0.1:" + web.port();

            String form = get(http, base + "/");
            assertThat(form)
                    .contains("<form method=post action=/spawn", "sandbox (local)", "name=minutes", "name=gpus");

            String listed =
                    post(http, base + "/spawn", "user=alice&deployment=sandbox&memory=0&cores=1&gpus=0&minutes=5");
            assertThat(listed).contains("<td>alice</td>", "<td class=state>running</td>");
            Matcher id =
                    Pattern.compile("name=id value='(spawn-alice-[a-z0-9]+)'").matcher(listed);
            assertThat(id.find()).isTrue();

            String bad = post(http, base + "/spawn", "user=bob&deployment=nowhere&minutes=5");
            assertThat(bad).contains("unknown deployment &#39;nowhere&#39;", "known deployments: sandbox");

            String after = post(http, base + "/stop", "id=" + id.group(1));
            assertThat(after).doesNotContain(id.group(1));
            assertThat(corc.records().list("spawn")).isEmpty();
        }
    }

    private static String get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static String post(HttpClient http, String url, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }
}
