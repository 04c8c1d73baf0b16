package io.corc.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.corc.core.Corc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The form in a real headless browser (Debian's chromium and chromium-driver, driven by python3-selenium with Debian's /usr/bin/python3): fill it,
 * spawn on the local provider, see the session running, stop it. The screenshot is kept in the build directory
 * (docs/spawner-web.png is one). Skips when the browser is not installed, unless CORC_CI is set (.ci/run installs
 * it).
 */
class SpawnerWebBrowserTest {
    @TempDir
    Path home;

    @Test
    void fillTheFormSeeTheSessionAndStopIt() throws Exception {
        List<String> missing =
                List.of("/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/lib/python3/dist-packages/selenium")
                        .stream()
                        .filter(p -> !Files.exists(Path.of(p)))
                        .toList();
        if (!missing.isEmpty() && System.getenv("CORC_CI") == null) {
            Assumptions.abort("headless browser test skipped, missing: " + missing
                    + " (apt-get install chromium chromium-driver python3-selenium)");
        }
        Path script = Path.of(System.getProperty("basedir", ".")).resolve("src/test/python/spawn_form.py");
        Path screenshot = Path.of(System.getProperty("basedir", "."))
                .resolve(System.getProperty("corc.target", "target"))
                .resolve("spawner-web.png");
        Files.createDirectories(screenshot.getParent());
        Corc corc = Corc.builder().home(home).environment(Map.of()).build();
        try (SpawnerWeb web = new SpawnerWeb(corc, 0)) {
            Process browser = new ProcessBuilder(
                            "/usr/bin/python3",
                            script.toString(),
                            "http://127.0.0.1:" + web.port(),
                            screenshot.toString())
                    .redirectErrorStream(true)
                    .start();
            boolean done = browser.waitFor(120, TimeUnit.SECONDS);
            String output = new String(browser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!done) {
                browser.destroyForcibly();
            }
            assertThat(done).as("browser run finished: " + output).isTrue();
            assertThat(browser.exitValue()).as(output).isZero();
            assertThat(output).contains("ok");
            assertThat(screenshot).exists();
            assertThat(corc.records().list("spawn")).isEmpty();
        }
    }
}
