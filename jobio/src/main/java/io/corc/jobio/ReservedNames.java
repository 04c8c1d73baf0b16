package io.corc.jobio;

import io.corc.api.TaskReport;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * The names the job runner owns in a task's output folder: {@code job.json}, and {@code stdout.log} and
 * {@code stderr.log} when the output is captured. A file the task left under one of them is kept as
 * {@code <name>.task} (or {@code <name>.task.1}, ... when that exists too), so the runner's file can take its place
 * without losing the task's data.
 */
final class ReservedNames {
    static final String STDOUT = "stdout.log";
    static final String STDERR = "stderr.log";
    static final List<String> ALL = List.of(TaskReport.FILE_NAME, STDOUT, STDERR);

    private ReservedNames() {}

    /** Moves the task's own file (or directory, or link) at {@code file}, if any, out of the runner's way. */
    static void setAside(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        String name = file.getFileName() + ".task";
        for (int suffix = 0; ; suffix++) {
            Path target = file.resolveSibling(suffix == 0 ? name : name + "." + suffix);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try {
                Files.move(file, target);
                return;
            } catch (FileAlreadyExistsException e) {
                // created meanwhile: try the next suffix
            }
        }
    }
}
