package io.corc.scheduler.local;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import io.corc.api.CorcException;
import io.corc.api.JobSpec;
import io.corc.api.SecureFiles;
import io.corc.api.TaskReport;
import io.corc.jobio.JobJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files of one job under the local scheduler's work dir; see {@link LocalScheduler} for the layout. Every
 * file is replaced atomically, so a reader in another process sees the old content or the new, never a torn file.
 */
final class JobDirectory {
    private static final Pattern VALID_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {};
    private static final Pattern TASK_INDEX = Pattern.compile("0|[1-9][0-9]{0,8}");
    private static final String TASKS = "tasks";
    static final String SPEC_FILE = "spec.json";

    private final Path path;

    JobDirectory(Path path) {
        this.path = requireNonNull(path, "path is null").toAbsolutePath();
    }

    /** Whether {@code id} can name a job directory (no separators, no leading dot). */
    static boolean isValidId(String id) {
        return id != null && VALID_ID.matcher(id).matches();
    }

    String id() {
        return path.getFileName().toString();
    }

    Path path() {
        return path;
    }

    Path specFile() {
        return path.resolve(SPEC_FILE);
    }

    Path supervisorLog() {
        return path.resolve("supervisor.log");
    }

    Path taskDir(int index) {
        return path.resolve(TASKS).resolve(Integer.toString(index));
    }

    /** Creates {@code tasks/}, 0700, in the job directory, which must exist. */
    void createTasksDirectory() {
        createPrivate(path.resolve(TASKS));
    }

    /** Creates the directory of task {@code index}, 0700, under {@code tasks/}, which must exist. */
    Path createTaskDir(int index) {
        return createPrivate(taskDir(index));
    }

    JobSpec readSpec() {
        return JobJson.readSpec(specFile());
    }

    /** Where the job runner writes the task's {@code stream} ({@code stdout} or {@code stderr}). */
    Path logFile(int index, String stream, boolean captured) {
        Path dir = captured ? taskDir(index).resolve("output") : taskDir(index);
        return dir.resolve(stream + ".log");
    }

    Optional<SupervisorRecord> readSupervisor() {
        return readJson(path.resolve("supervisor.json")).map(SupervisorRecord::fromJson);
    }

    void writeSupervisor(SupervisorRecord supervisor) {
        writeJson(path.resolve("supervisor.json"), supervisor.toJson());
    }

    Optional<TaskRecord> readTask(int index) {
        return readJson(taskDir(index).resolve("status.json")).map(TaskRecord::fromJson);
    }

    void writeTask(int index, TaskRecord task) {
        writeJson(taskDir(index).resolve("status.json"), task.toJson());
    }

    /** The task's {@code job.json} once the job runner wrote it. */
    Optional<TaskReport> readReport(int index) {
        Path file = taskDir(index).resolve("output").resolve(TaskReport.FILE_NAME);
        return Files.isRegularFile(file) ? Optional.of(JobJson.readReport(file)) : Optional.empty();
    }

    /** The indexes of the tasks the supervisor started (those with a directory), in no particular order. */
    List<Integer> startedTasks() {
        try (Stream<Path> dirs = Files.list(path.resolve(TASKS))) {
            return dirs.map(dir -> dir.getFileName().toString())
                    .filter(name -> TASK_INDEX.matcher(name).matches())
                    .map(Integer::valueOf)
                    .toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw SecureFiles.ioFailure("list " + path.resolve(TASKS), e);
        }
    }

    boolean cancelRequested() {
        return Files.exists(path.resolve("cancel"));
    }

    /** Writes the cancel marker the supervisor checks before it starts each task. */
    void requestCancel() {
        SecureFiles.replaceInExistingDirectory(
                path.resolve("cancel"), Instant.now().toString().getBytes(StandardCharsets.UTF_8));
    }

    /** When the job was over, as written by the supervisor (or by cancel), or empty while it is not. */
    Optional<Instant> finishedAt() {
        return readFinished().map(json -> JsonValues.instant(json.get("finished_at")));
    }

    /** Whether {@code finished.json} says the supervisor died and another process finished the job. */
    boolean supervisorDied() {
        return readFinished()
                .map(json -> Boolean.TRUE.equals(json.get("supervisor_died")))
                .orElse(false);
    }

    void markFinished() {
        markFinished(false);
    }

    /** Writes {@code finished.json}; {@code supervisorDied} when the supervisor did not live to write it. */
    void markFinished(boolean supervisorDied) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("finished_at", Instant.now().toString());
        json.put("cancelled", cancelRequested());
        json.put("supervisor_died", supervisorDied);
        writeJson(path.resolve("finished.json"), json);
    }

    /** When the job was submitted: the time {@code spec.json} was written. */
    Instant submittedAt() {
        try {
            return Files.getLastModifiedTime(specFile()).toInstant();
        } catch (NoSuchFileException e) {
            throw CorcException.notFound("job " + id() + " was removed");
        } catch (IOException e) {
            throw SecureFiles.ioFailure("read the time of " + specFile(), e);
        }
    }

    private Optional<Map<String, Object>> readFinished() {
        return readJson(path.resolve("finished.json"));
    }

    private static Path createPrivate(Path dir) {
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            // made by an earlier call; its mode is set again below
        } catch (NoSuchFileException e) {
            throw CorcException.notFound(dir.getParent() + " does not exist (any more)");
        } catch (IOException e) {
            throw SecureFiles.ioFailure("create " + dir, e);
        }
        SecureFiles.makePrivate(dir);
        return dir;
    }

    private static Optional<Map<String, Object>> readJson(Path file) {
        try {
            return Optional.of(JobJson.mapper().readValue(Files.readAllBytes(file), JSON_OBJECT));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw SecureFiles.ioFailure("read " + file, e);
        }
    }

    /** Never creates directories, so that a job directory deleted meanwhile stays deleted. */
    private static void writeJson(Path file, Map<String, Object> json) {
        SecureFiles.replaceInExistingDirectory(file, JobJson.toJson(json).getBytes(StandardCharsets.UTF_8));
    }
}
