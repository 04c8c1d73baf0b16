package io.corc.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.corc.api.CorcException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The hand-written pieces of the CLI's output: JSON writer, progress line, durations, tables. */
class OutputTest {

    @Test
    void jsonWriterOutputIsJsonThatJacksonReadsBackUnchanged() throws Exception {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("status", "success");
        document.put(
                "text", "quote \" backslash \\ newline \n tab \t bell \u0007 unicode \u00e6\u00f8\u00e5 \ud83d\ude80");
        document.put("numbers", List.of(1, -2, 3.5, 0.0));
        document.put("nothing", null);
        document.put("flags", Map.of("yes", true));
        document.put("empty", List.of());
        document.put("not_a_number", Double.NaN);

        Map<?, ?> parsed = new ObjectMapper().readValue(JsonWriter.write(document), Map.class);

        Map<String, Object> expected = new LinkedHashMap<>(document);
        expected.put("not_a_number", null);
        assertThat(parsed).isEqualTo(expected);
    }

    @Test
    void progressIsShownOnlyOnATerminalAndOnlyAfterTheQuietPeriod() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        new ProgressDisplay(err, false, 0).onProgress("uploading", 1, 2);
        new ProgressDisplay(err, true, Duration.ofHours(1).toNanos()).onProgress("uploading", 1, 2);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEmpty();

        ProgressDisplay shown = new ProgressDisplay(err, true, 0);
        shown.onProgress("tasks finished", 3, 5);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("\rtasks finished [############        ] 3/5");
        shown.finish();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).endsWith("\r");
    }

    @Test
    void transfersShowBytesFilesAndRate() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        new ProgressDisplay(err, true, 0).transfer(3).onProgress("uploading to corc/data/", 1536, 3 * 1024 * 1024);

        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .startsWith("\ruploading to corc/data/ [                    ] 1.5 KiB/3.0 MiB, 3 files, ")
                .endsWith("/s");
        assertThat(ProgressDisplay.size(0)).isEqualTo("0 B");
        assertThat(ProgressDisplay.size(1023)).isEqualTo("1023 B");
        assertThat(ProgressDisplay.size(1024)).isEqualTo("1.0 KiB");
        assertThat(ProgressDisplay.size(5L * 1024 * 1024 * 1024)).isEqualTo("5.0 GiB");
    }

    @Test
    void durationsInTheFormsUsersType() {
        assertThat(Durations.parse("--ttl", "90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("--ttl", "90")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("--ttl", "30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(Durations.parse("--ttl", "2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("--ttl", "1d")).isEqualTo(Duration.ofDays(1));
        assertThat(Durations.parse("--ttl", "PT15M")).isEqualTo(Duration.ofMinutes(15));
        assertThatThrownBy(() -> Durations.parse("--ttl", "soon"))
                .isInstanceOf(CorcException.class)
                .hasMessage("--ttl must be a duration like 90s, 30m, 2h or 1d, got 'soon'");
    }

    @Test
    void tablesAlignColumnsAndShowMissingValuesAsDashes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new Table("ID", "STATE")
                .row("job-1", "running")
                .row("job-22", null)
                .print(new PrintStream(bytes, true, StandardCharsets.UTF_8));

        assertThat(Arrays.asList(bytes.toString(StandardCharsets.UTF_8).split("\n")))
                .containsExactly("ID      STATE", "job-1   running", "job-22  -");
    }

    @Test
    void corcStyleSingleStringCommandsAreSplitUnlessTheyNameAFile() {
        assertThat(JobRunCommand.splitLikeCorc(List.of("/bin/echo Hello World")))
                .containsExactly("/bin/echo", "Hello", "World");
        assertThat(JobRunCommand.splitLikeCorc(List.of("sh", "-c", "echo a b")))
                .containsExactly("sh", "-c", "echo a b");
    }
}
