package io.corc.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;

import io.corc.api.PluginConfig;
import io.corc.api.TreeManifest;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code corc storage ...} against the local backend (and, at the end, the s3 backend against storage serve). */
class StorageCommandsTest {
    private static final String UNICODE_NAME = "ünïcødé ✓ name.txt";

    @TempDir
    Path home;

    @TempDir
    Path work;

    private CliRunner cli;

    @BeforeEach
    void setUp() {
        cli = new CliRunner(home);
    }

    /** A tree with nested directories, an empty file, a binary file and (where paths can hold it) a unicode name. */
    private Path tree() throws IOException {
        Path root = work.resolve("tree");
        Files.createDirectories(root.resolve("sub/deeper"));
        Files.writeString(root.resolve("a.txt"), "alpha\n");
        Files.write(root.resolve("sub/empty.bin"), new byte[0]);
        byte[] random = new byte[300_000];
        new Random(7).nextBytes(random);
        Files.write(root.resolve("sub/deeper/blob.bin"), random);
        if (Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"))
                .newEncoder()
                .canEncode(UNICODE_NAME)) {
            Files.writeString(root.resolve("sub/deeper/" + UNICODE_NAME), "ü ✓\n");
        }
        return root;
    }

    /** Every file below {@code dir} with its bytes, by relative name. */
    private static SortedMap<String, String> contents(Path dir) throws IOException {
        SortedMap<String, String> contents = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                contents.put(
                        dir.relativize(file).toString(),
                        java.util.HexFormat.of().formatHex(Files.readAllBytes(file)));
            }
        }
        return contents;
    }

    @SuppressWarnings("unchecked")
    private static List<String> keys(Map<String, Object> listing) {
        return ((List<Map<String, Object>>) listing.get("objects"))
                .stream()
                        .map(o -> (String) o.get("key"))
                        .filter(key -> !TreeManifest.isManifestKey(key))
                        .toList();
    }

    private CliRunner.Result ok(String... args) {
        CliRunner.Result result = cli.run(args);
        assertThat(result.code()).as(result.toString()).isZero();
        return result;
    }

    @Test
    void aTreePutListedAndGotBackIsByteIdentical() throws Exception {
        Path tree = tree();

        CliRunner.Result put = ok("storage", "put", tree.toString(), "corc://data", "-o", "json");
        CliRunner.Result ls = ok("storage", "ls", "corc://data", "-o", "json");
        CliRunner.Result get =
                ok("storage", "get", "corc://data", work.resolve("copy").toString(), "-o", "json");

        int files = contents(tree).size();
        assertThat(put.json()).containsEntry("destination", "local://corc/data");
        assertThat(put.json().get("transfer")).asInstanceOf(MAP).containsEntry("files", files);
        assertThat(keys(ls.json()))
                .hasSize(files)
                .contains("data/a.txt", "data/sub/empty.bin", "data/sub/deeper/blob.bin");
        assertThat(get.json()).containsEntry("destination", work.resolve("copy").toString());
        assertThat(contents(work.resolve("copy"))).isEqualTo(contents(tree));

        CliRunner.Result again = ok("storage", "put", tree.toString(), "corc://data", "-o", "json");
        assertThat(again.json().get("transfer")).asInstanceOf(MAP).containsEntry("files", 0);
    }

    @Test
    void lsHasAStableSchemaAndATableWithATotal() throws Exception {
        Files.writeString(work.resolve("one.txt"), "12345");
        ok("storage", "put", work.resolve("one.txt").toString(), "corc://x/one.txt");

        Map<String, Object> listing = ok("storage", "ls", "-o", "json").json();
        CliRunner.Result table = ok("storage", "ls", "corc://x");

        assertThat(listing.keySet())
                .containsExactly("status", "location", "bucket", "prefix", "count", "bytes", "objects");
        assertThat(listing)
                .containsEntry("status", "success")
                .containsEntry("location", "local://corc/")
                .containsEntry("bucket", "corc")
                .containsEntry("prefix", "");
        @SuppressWarnings("unchecked")
        Map<String, Object> object = ((List<Map<String, Object>>) listing.get("objects")).get(0);
        assertThat(object.keySet()).containsExactly("key", "size", "sha256", "last_modified");
        assertThat(object).containsEntry("key", "x/one.txt").containsEntry("size", 5);
        assertThat(table.out()).contains("KEY", "SIZE", "MODIFIED", "x/one.txt", "5 B", "in local://corc/x");
    }

    @Test
    void filesGoToTheKeyOrIntoAPrefixAndAreFetchedByName() throws Exception {
        Path a = Files.writeString(work.resolve("a.csv"), "a");
        Path b = Files.writeString(work.resolve("b.csv"), "b");

        ok("storage", "put", a.toString(), "corc://in/renamed.csv");
        ok("storage", "put", a.toString(), b.toString(), "corc://many");
        ok("storage", "put", b.toString(), "corc://into/");
        Files.createDirectories(work.resolve("dl"));
        ok("storage", "get", "corc://in/renamed.csv", work.resolve("dl").toString());
        ok("storage", "get", "corc://many/b.csv", work.resolve("dl/other.csv").toString());

        assertThat(keys(ok("storage", "ls", "-o", "json").json()))
                .containsExactly("in/renamed.csv", "into/b.csv", "many/a.csv", "many/b.csv");
        assertThat(work.resolve("dl/renamed.csv")).hasContent("a");
        assertThat(work.resolve("dl/other.csv")).hasContent("b");
    }

    @Test
    void rmDeletesOneKeyOrWithRecursiveAPrefix() throws Exception {
        Path tree = tree();
        ok("storage", "put", tree.toString(), "corc://data");
        Path a = Files.writeString(work.resolve("a.txt"), "a");
        ok("storage", "put", a.toString(), "corc://solo.txt");
        int files = contents(tree).size();

        CliRunner.Result one = ok("storage", "rm", "corc://solo.txt", "-o", "json");
        CliRunner.Result prefixWithoutFlag = cli.run("storage", "rm", "corc://data");
        CliRunner.Result bucketWithoutFlag = cli.run("storage", "rm", "corc://");
        CliRunner.Result recursive = ok("storage", "rm", "--recursive", "corc://data", "-o", "json");
        CliRunner.Result gone = cli.run("storage", "rm", "corc://solo.txt");

        assertThat(one.json().keySet()).containsExactly("status", "location", "deleted");
        assertThat(one.json()).containsEntry("deleted", 1).containsEntry("location", "local://corc/solo.txt");
        assertThat(prefixWithoutFlag.code()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(prefixWithoutFlag.err()).contains("not one object", "--recursive");
        assertThat(bucketWithoutFlag.code()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat((Integer) recursive.json().get("deleted")).isGreaterThanOrEqualTo(files);
        assertThat(gone.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(ok("storage", "ls").out()).contains("Nothing stored in local://corc/");
    }

    @Test
    void rmRefusesToTakeOtherKeysThatShareTheKeyAsPrefix() throws Exception {
        Path a = Files.writeString(work.resolve("a.txt"), "a");
        ok("storage", "put", a.toString(), "corc://a.txt");
        ok("storage", "put", a.toString(), "corc://a.txt.bak");

        CliRunner.Result result = cli.run("storage", "rm", "corc://a.txt");

        assertThat(result.code()).as(result.toString()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(result.err()).contains("a.txt.bak");
        assertThat(keys(ok("storage", "ls", "-o", "json").json())).containsExactly("a.txt", "a.txt.bak");
    }

    @Test
    void syncUploadsOnlyChangesAndWithDeleteRemovesWhatTheSourceLacks() throws Exception {
        Path tree = tree();
        ok("storage", "sync", tree.toString(), "corc://site");
        Files.writeString(tree.resolve("a.txt"), "changed\n");
        Files.delete(tree.resolve("sub/empty.bin"));
        Files.writeString(tree.resolve("new.txt"), "new\n");

        Map<String, Object> dryRun = ok(
                        "storage", "sync", tree.toString(), "corc://site", "--delete", "--dry-run", "-o", "json")
                .json();
        Map<String, Object> sync = ok("storage", "sync", tree.toString(), "corc://site", "--delete", "-o", "json")
                .json();

        assertThat(dryRun.keySet())
                .containsExactly("status", "source", "destination", "dry_run", "transfer", "to_transfer", "deleted");
        assertThat(dryRun)
                .containsEntry("dry_run", true)
                .containsEntry("to_transfer", List.of("a.txt", "new.txt"))
                .containsEntry("deleted", List.of("sub/empty.bin"));
        assertThat(sync)
                .containsEntry("dry_run", false)
                .containsEntry("to_transfer", null)
                .containsEntry("deleted", List.of("sub/empty.bin"))
                .containsEntry("destination", "local://corc/site");
        assertThat(sync.get("transfer")).asInstanceOf(MAP).containsEntry("files", 2);
        assertThat(keys(ok("storage", "ls", "corc://site", "-o", "json").json()))
                .doesNotContain("site/sub/empty.bin")
                .contains("site/a.txt", "site/new.txt");
    }

    @Test
    void syncDownWithDeleteRemovesLocalFilesAndTheDirectoriesItEmpties() throws Exception {
        Path tree = tree();
        ok("storage", "put", tree.toString(), "corc://data");
        Path copy = work.resolve("copy");
        Files.createDirectories(copy.resolve("stale/dir"));
        Files.writeString(copy.resolve("stale/dir/old.txt"), "old");
        Files.writeString(copy.resolve("a.txt"), "different");

        CliRunner.Result sync = ok("storage", "sync", "corc://data", copy.toString(), "--delete");

        assertThat(sync.out()).contains("deleted stale/dir/old.txt");
        assertThat(copy.resolve("stale")).doesNotExist();
        assertThat(contents(copy)).isEqualTo(contents(tree));
    }

    @Test
    void mistakesAreClearErrorsWithTheRightExitCodes() throws Exception {
        CliRunner.Result s3 = cli.run("storage", "ls", "s3://bucket/key");
        CliRunner.Result missingKey = cli.run("storage", "get", "corc://nope", work.toString(), "-o", "json");
        CliRunner.Result missingPath =
                cli.run("storage", "put", work.resolve("absent").toString(), "corc://x");
        CliRunner.Result localOnly = cli.run("storage", "ls", "some/dir");
        CliRunner.Result bothLocal =
                cli.run("storage", "sync", work.toString(), work.resolve("b").toString());
        CliRunner.Result unknownScheme = cli.run("storage", "ls", "gs://bucket/key");
        CliRunner.Result badBucket = cli.run("storage", "ls", "storage://Bad_Bucket/key");
        CliRunner.Result twoBackends = cli.run("storage", "ls", "--storage-s3", "--storage-backend", "local");

        assertThat(s3.code()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(s3.err())
                .contains("s3:// names the s3 storage backend, but corc is configured for local")
                .contains("--storage-backend s3");
        assertThat(missingKey.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(missingKey.errorJson().toString()).contains("nothing stored at local://corc/nope");
        assertThat(missingPath.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(missingPath.err()).contains("no such file or directory");
        assertThat(localOnly.code()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(bothLocal.code()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(unknownScheme.err()).contains("unknown storage scheme 'gs://'");
        assertThat(badBucket.code()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(twoBackends.code()).isEqualTo(ExitCodes.INVALID_INPUT);
        for (CliRunner.Result result :
                List.of(s3, missingKey, missingPath, localOnly, bothLocal, unknownScheme, badBucket, twoBackends)) {
            assertThat(result.err()).doesNotContain("\tat ");
            assertThat(result.out()).isEmpty();
        }
    }

    @Test
    void storageOptionsSetTheConfiguration() {
        CliContext context = new CliContext(System.out, System.err, Map.of("CORC_HOME", home.toString()), false);
        StorageOptions options = new StorageOptions();
        options.s3 = true;
        options.endpoint = "http://127.0.0.1:9";
        options.bucket = "b1";
        options.inputPrefix = "in";
        options.outputPrefix = "out";
        options.profile = "p";
        options.region = "eu-north-1";

        options.apply(context);

        PluginConfig storage = context.corc().config().section("corc.storage");
        PluginConfig s3 = context.corc().config().section("corc.storage.s3");
        assertThat(storage.string("backend", null)).isEqualTo("s3");
        assertThat(storage.bool("enable", false)).isTrue();
        assertThat(storage.string("endpoint", null)).isEqualTo("http://127.0.0.1:9");
        assertThat(s3.string("endpoint", null)).isEqualTo("http://127.0.0.1:9");
        assertThat(s3.string("bucket_name", null)).isEqualTo("b1");
        assertThat(s3.string("bucket_input_prefix", null)).isEqualTo("in");
        assertThat(s3.string("bucket_output_prefix", null)).isEqualTo("out");
        assertThat(s3.string("name", null)).isEqualTo("p");
        assertThat(s3.string("region", null)).isEqualTo("eu-north-1");
        assertThat(context.corc().config().section("corc.storage.local").string("bucket_name", null))
                .isEqualTo("corc");
        assertThat(context.corc().defaultBucket()).isEqualTo("b1");
    }

    @Test
    void theBucketOptionAppliesToWhicheverBackendIsConfigured() {
        Map<String, Object> listing = ok("storage", "ls", "--storage-bucket", "other-bucket", "-o", "json")
                .json();

        assertThat(listing).containsEntry("location", "local://other-bucket/");
    }

    @Test
    void jobRunStagesThroughTheBucketGivenAndDownloadsWhereAsked() throws Exception {
        CliRunner.Result run = ok(
                "job",
                "run",
                "--storage-bucket",
                "job-bucket",
                "--wait",
                "--storage-download-path",
                work.resolve("dl").toString(),
                "-o",
                "json",
                "--",
                "sh",
                "-c",
                "echo hi > \"$CORC_OUTPUT/x.txt\"");
        @SuppressWarnings("unchecked")
        String jobId = (String) ((Map<String, Object>) run.json().get("job")).get("id");

        assertThat(run.json()).containsKey("download");
        assertThat(run.json().get("download"))
                .asInstanceOf(MAP)
                .containsEntry("path", work.resolve("dl").resolve(jobId).toString());
        assertThat(work.resolve("dl").resolve(jobId).resolve("0/x.txt")).hasContent("hi\n");
        assertThat(keys(ok("storage", "ls", "storage://job-bucket/" + jobId, "-o", "json")
                        .json()))
                .contains(jobId + "/output/0/x.txt");
        assertThat(cli.run("job", "run", "--storage-download-path", "x", "--", "true")
                        .code())
                .isEqualTo(ExitCodes.INVALID_INPUT);
    }

    @Test
    void getOrSyncOfATreeWithACutOffSubTreeIsPartialAndNamesIt() throws Exception {
        ok("storage", "put", tree().toString(), "corc://runs/a");
        // b was cut off: a file stored, no commit marker
        ok("storage", "put", Files.writeString(work.resolve("half.txt"), "half").toString(), "corc://runs/b/half.txt");

        CliRunner.Result json =
                cli.run("storage", "get", "corc://runs/", work.resolve("copy").toString(), "-o", "json");
        CliRunner.Result human =
                cli.run("storage", "get", "corc://runs/", work.resolve("copy2").toString());

        assertThat(json.code()).as(json.toString()).isEqualTo(ExitCodes.FAILED_OUTCOME);
        assertThat(json.json()).containsEntry("status", "partial");
        assertThat(json.json().get("transfer")).asInstanceOf(MAP).containsEntry("incomplete", List.of("runs/b/"));
        assertThat(work.resolve("copy/a/a.txt")).hasContent("alpha\n");
        assertThat(work.resolve("copy/b")).doesNotExist();
        assertThat(human.code()).as(human.toString()).isEqualTo(ExitCodes.FAILED_OUTCOME);
        assertThat(human.out()).contains("Not downloaded, their upload has not completed: runs/b/");
        CliRunner.Result sync = cli.run(
                "storage", "sync", "corc://runs/", work.resolve("synced").toString(), "-o", "json");
        assertThat(sync.code()).as(sync.toString()).isEqualTo(ExitCodes.FAILED_OUTCOME);
        assertThat(sync.json()).containsEntry("status", "partial");
        assertThat(work.resolve("synced/a/a.txt")).hasContent("alpha\n");
        assertThat(work.resolve("synced/b")).doesNotExist();

        // a tree another tool stored (no marker anywhere) is fetched whole, as before
        ok("storage", "put", work.resolve("half.txt").toString(), "corc://foreign/x/half.txt");
        CliRunner.Result foreign =
                ok("storage", "get", "corc://foreign/", work.resolve("foreign").toString(), "-o", "json");
        assertThat(foreign.json()).containsEntry("status", "success");
        assertThat(work.resolve("foreign/x/half.txt")).hasContent("half");
    }

    @Test
    void getOfATreeWhoseManifestListsADeletedFileIsPartialAndNamesIt() throws Exception {
        ok("storage", "put", tree().toString(), "corc://kept");
        ok("storage", "rm", "corc://kept/a.txt");

        CliRunner.Result json =
                cli.run("storage", "get", "corc://kept/", work.resolve("copy").toString(), "-o", "json");
        CliRunner.Result human =
                cli.run("storage", "get", "corc://kept/", work.resolve("copy2").toString());

        assertThat(json.code()).as(json.toString()).isEqualTo(ExitCodes.FAILED_OUTCOME);
        assertThat(json.json()).containsEntry("status", "partial");
        assertThat(json.json().get("transfer"))
                .asInstanceOf(MAP)
                .containsEntry("missing", List.of("kept/a.txt"))
                .containsEntry("incomplete", List.of());
        assertThat(work.resolve("copy/a.txt")).doesNotExist();
        assertThat(work.resolve("copy/sub/deeper/blob.bin")).exists();
        assertThat(human.code()).as(human.toString()).isEqualTo(ExitCodes.FAILED_OUTCOME);
        assertThat(human.out())
                .contains("corc: 1 file(s) listed in the upload's manifest are gone from the store: kept/a.txt\n")
                .contains("hint: upload the tree again, or restore those objects");

        // a whole tree has an empty list: the schema is stable
        CliRunner.Result whole =
                ok("storage", "get", "corc://kept/sub/", work.resolve("sub").toString(), "-o", "json");
        assertThat(whole.json().get("transfer")).asInstanceOf(MAP).containsEntry("missing", List.of());
    }

    @Test
    void syncDownWithDeleteKeepsTheLocalCopyOfAFileTheStoreLost() throws Exception {
        ok("storage", "put", tree().toString(), "corc://lost");
        Path copy = work.resolve("mirror");
        ok("storage", "sync", "corc://lost", copy.toString());
        Files.writeString(copy.resolve("extra.txt"), "not in the store");
        ok("storage", "rm", "corc://lost/a.txt");
        CliRunner.Result dryRun =
                cli.run("storage", "sync", "corc://lost", copy.toString(), "--delete", "--dry-run", "-o", "json");

        CliRunner.Result sync = cli.run("storage", "sync", "corc://lost", copy.toString(), "--delete", "-o", "json");

        assertThat(dryRun.json()).as(dryRun.toString()).containsEntry("deleted", List.of("extra.txt"));

        assertThat(sync.code()).as(sync.toString()).isEqualTo(ExitCodes.FAILED_OUTCOME);
        assertThat(sync.json()).containsEntry("status", "partial").containsEntry("deleted", List.of("extra.txt"));
        assertThat(sync.json().get("transfer")).asInstanceOf(MAP).containsEntry("missing", List.of("lost/a.txt"));
        assertThat(copy.resolve("a.txt"))
                .as("the last copy of a file the store lost")
                .exists();
        assertThat(copy.resolve("extra.txt")).doesNotExist();
        // the text form says what was deleted on the summary's line, before what did not arrive
        Files.writeString(copy.resolve("extra.txt"), "not in the store");
        CliRunner.Result human = cli.run("storage", "sync", "corc://lost", copy.toString(), "--delete");
        assertThat(human.out()).containsPattern("Downloaded .*; deleted 1 not in the source\ncorc: 1 file\\(s\\)");
    }

    @Test
    void resultGetOfAJobWhoseOutputFileWasDeletedIsPartialAndNamesIt() throws Exception {
        String jobId = finishedJob(2);
        Files.delete(home.resolve("storage/corc").resolve(jobId).resolve("output/1/x.txt"));

        CliRunner.Result json = cli.run(
                "job", "result", "get", jobId, "--path", work.resolve("dl").toString(), "-o", "json");
        CliRunner.Result human = cli.run(
                "job", "result", "get", jobId, "--path", work.resolve("dl2").toString());

        assertThat(json.code()).as(json.toString()).isEqualTo(ExitCodes.FAILED_OUTCOME);
        assertThat(json.json()).containsEntry("status", "partial");
        assertThat(json.json().get("transfer"))
                .asInstanceOf(MAP)
                .containsEntry("missing", List.of(jobId + "/output/1/x.txt"))
                .containsEntry("incomplete", List.of());
        assertThat(work.resolve("dl").resolve(jobId).resolve("0/x.txt")).hasContent("hi\n");
        assertThat(human.code()).as(human.toString()).isEqualTo(ExitCodes.FAILED_OUTCOME);
        assertThat(human.out())
                .contains("corc: 1 file(s) listed in the upload's manifest are gone from the store: " + jobId
                        + "/output/1/x.txt\n")
                .contains("hint: run the job again to upload its outputs anew");
    }

    /** Runs a job of {@code tasks} tasks on the local default, waits, and returns its id. */
    @SuppressWarnings("unchecked")
    private String finishedJob(int tasks) {
        CliRunner.Result run = ok(
                "job",
                "run",
                "--wait",
                "--num-jobs",
                String.valueOf(tasks),
                "--storage-download-path",
                work.resolve("first").toString(),
                "-o",
                "json",
                "--",
                "sh",
                "-c",
                "echo hi > \"$CORC_OUTPUT/x.txt\"");
        return (String) ((Map<String, Object>) run.json().get("job")).get("id");
    }

    @Test
    void resultGetOfAJobWhoseTasksAllLackTheirMarkersIsPartial() throws Exception {
        String jobId = finishedJob(2);
        for (int task = 0; task < 2; task++) {
            Files.delete(home.resolve("storage/corc").resolve(jobId).resolve("output/" + task + "/.corc-manifest"));
        }

        CliRunner.Result json = cli.run(
                "job", "result", "get", jobId, "--path", work.resolve("dl").toString(), "-o", "json");
        CliRunner.Result human = cli.run(
                "job", "result", "get", jobId, "--path", work.resolve("dl").toString());

        assertThat(json.code()).as(json.toString()).isEqualTo(ExitCodes.FAILED_OUTCOME);
        assertThat(json.json()).containsEntry("status", "partial");
        assertThat(json.json().get("transfer"))
                .asInstanceOf(MAP)
                .containsEntry("incomplete", List.of(jobId + "/output/0/", jobId + "/output/1/"));
        assertThat(work.resolve("dl").resolve(jobId).resolve("0/x.txt")).doesNotExist();
        assertThat(human.code()).as(human.toString()).isEqualTo(ExitCodes.FAILED_OUTCOME);
        assertThat(human.out())
                .contains("task 0: outputs incomplete (upload cut off or still running); not downloaded")
                .contains("task 1: outputs incomplete (upload cut off or still running); not downloaded");
    }

    @Test
    void resultsAreReadAndDeletedWhereTheJobWasStagedWhateverTheConfigurationSaysNow() throws Exception {
        String jobId = finishedJob(1);
        // the configuration now names the s3 backend at an endpoint nobody answers, and another local bucket
        Path s3Config = Files.writeString(
                work.resolve("s3.yaml"),
                "corc:\n  storage:\n    backend: s3\n    endpoint: http://127.0.0.1:9\n"
                        + "    s3:\n      bucket_name: elsewhere\n      max_attempts: 1\n");
        Path otherBucket = Files.writeString(
                work.resolve("other.yaml"), "corc:\n  storage:\n    local:\n      bucket_name: elsewhere\n");

        CliRunner.Result list = ok("--config", s3Config.toString(), "job", "result", "list", jobId, "-o", "json");
        CliRunner.Result get = ok(
                "--config",
                otherBucket.toString(),
                "job",
                "result",
                "get",
                jobId,
                "--storage-backend",
                "s3",
                "--path",
                work.resolve("dl").toString(),
                "-o",
                "json");

        assertThat(keys(list.json())).contains(jobId + "/output/0/x.txt");
        assertThat(get.json()).containsEntry("status", "success");
        assertThat(work.resolve("dl").resolve(jobId).resolve("0/x.txt")).hasContent("hi\n");

        // a bucket given explicitly on result get wins over the recorded one (results copied elsewhere)
        Path staged = home.resolve("storage/corc").resolve(jobId);
        ok(
                "storage",
                "put",
                work.resolve("dl").resolve(jobId).resolve("0").toString(),
                "storage://copy/" + jobId + "/output/0");
        CliRunner.Result fromCopy = cli.run(
                "job",
                "result",
                "get",
                jobId,
                "--storage-bucket",
                "copy",
                "--path",
                work.resolve("c").toString());
        assertThat(fromCopy.code()).as(fromCopy.toString()).isZero();
        assertThat(work.resolve("c").resolve(jobId).resolve("0/x.txt")).hasContent("hi\n");

        ok("--config", s3Config.toString(), "job", "result", "delete", jobId);
        assertThat(staged.resolve("output")).doesNotExist();
    }

    @Test
    void resultGetFallsBackToTheConfiguredDownloadPath() throws Exception {
        Path config = Files.writeString(
                work.resolve("c.yaml"), "corc:\n  storage:\n    download_path: " + work.resolve("results") + "\n");
        CliRunner.Result run = ok(
                "--config",
                config.toString(),
                "job",
                "run",
                "--wait",
                "-o",
                "json",
                "--",
                "sh",
                "-c",
                "echo hi > \"$CORC_OUTPUT/x.txt\"");
        @SuppressWarnings("unchecked")
        String jobId = (String) ((Map<String, Object>) run.json().get("job")).get("id");

        assertThat(run.json().get("download")).asInstanceOf(MAP).containsKey("transfer");
        CliRunner.Result get = ok("--config", config.toString(), "job", "result", "get", jobId, "-o", "json");

        assertThat(get.json())
                .containsEntry("path", work.resolve("results").resolve(jobId).toString());
        assertThat(work.resolve("results").resolve(jobId).resolve("0/x.txt")).hasContent("hi\n");
    }

    @Test
    void serveAnswersOnLoopbackWithAPrivateCredentialsFileAndNeverPrintsTheSecret() throws Exception {
        CliRunner.Background serve = cli.start(
                "storage",
                "serve",
                "--port",
                "0",
                "--access-key",
                "test-access",
                "--secret-key",
                "s3cr3t-v4lue",
                "-o",
                "json");
        Map<String, Object> document = serve.awaitJson(Duration.ofSeconds(60));
        try {
            String endpoint = (String) document.get("endpoint");
            HttpURLConnection connection =
                    (HttpURLConnection) URI.create(endpoint + "/corc/").toURL().openConnection();

            assertThat(document)
                    .containsEntry("status", "serving")
                    .containsEntry("profile", "corc-serve")
                    .containsEntry("bucket", "corc")
                    .containsEntry("directory", home.resolve("s3").toString())
                    .containsEntry(
                            "credentials_file",
                            home.resolve("serve/credentials").toString());
            assertThat(endpoint).startsWith("http://127.0.0.1:");
            assertThat(connection.getResponseCode()).isEqualTo(403);
            Path credentials = home.resolve("serve/credentials");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials)))
                    .isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials.getParent())))
                    .isEqualTo("rwx------");
            assertThat(Files.readString(credentials))
                    .contains(
                            "[corc-serve]", "aws_access_key_id = test-access", "aws_secret_access_key = s3cr3t-v4lue");
            assertThat(home.resolve("s3/corc")).isDirectory();
        } finally {
            CliRunner.Result stopped = serve.stop();
            assertThat(stopped.code()).as(stopped.toString()).isZero();
            assertThat(stopped.out() + stopped.err()).doesNotContain("s3cr3t-v4lue");
        }
    }

    @Test
    void serveWithoutJsonPrintsReadyToPasteSettings() throws Exception {
        CliRunner.Background serve = cli.start("storage", "serve", "--port", "0", "--bucket", "results");
        String out = serve.awaitOutput("s3 ls s3://results/", Duration.ofSeconds(60));
        CliRunner.Result stopped = serve.stop();

        String secret = Files.readString(home.resolve("serve/credentials"))
                .lines()
                .filter(line -> line.startsWith("aws_secret_access_key"))
                .findFirst()
                .orElseThrow()
                .split(" = ")[1];
        assertThat(out)
                .contains("backend: s3", "credentials_file: " + home.resolve("serve/credentials"))
                .contains("name: corc-serve", "bucket_name: results")
                .contains("CORC_STORAGE_BACKEND=s3", "CORC_STORAGE_S3_NAME=corc-serve")
                .contains("AWS_SHARED_CREDENTIALS_FILE=", "AWS_PROFILE=corc-serve", "--endpoint-url http://127.0.0.1:");
        assertThat(stopped.out() + stopped.err()).doesNotContain(secret);
        assertThat(stopped.err()).doesNotContain("SLF4J");
    }

    @Test
    void theS3BackendAgainstStorageServeRoundTripsATree() throws Exception {
        Path tree = tree();
        CliRunner.Background serve = cli.start("storage", "serve", "--port", "0", "-o", "json");
        Map<String, Object> served = serve.awaitJson(Duration.ofSeconds(60));
        try {
            Files.writeString(
                    home.resolve("config.yaml"),
                    "corc:\n  storage:\n    s3:\n      credentials_file: " + served.get("credentials_file")
                            + "\n      name: corc-serve\n      region: us-east-1\n");
            String[] s3 = {"--storage-backend", "s3", "--storage-endpoint", (String) served.get("endpoint")};

            CliRunner.Result put = ok(concat(new String[] {"storage", "put", tree.toString(), "s3://corc/data"}, s3));
            Map<String, Object> listing = ok(concat(new String[] {"storage", "ls", "s3://corc/data", "-o", "json"}, s3))
                    .json();
            ok(concat(
                    new String[] {
                        "storage", "get", "s3://corc/data", work.resolve("copy").toString()
                    },
                    s3));

            assertThat(put.out()).contains("to s3://corc/data");
            assertThat(keys(listing)).hasSize(contents(tree).size()).contains("data/sub/deeper/blob.bin");
            assertThat(contents(work.resolve("copy"))).isEqualTo(contents(tree));
        } finally {
            serve.stop();
        }
    }

    private static String[] concat(String[] a, String[] b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }
}
