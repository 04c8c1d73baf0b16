package io.corc.scheduler.local;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.JobSpec;
import io.corc.api.ProcessTrees;
import io.corc.api.SecureFiles;
import io.corc.jobio.JobJson;
import java.io.File;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the {@link LocalJobSupervisor} JVM of a job, detached from the submitting process: stdin from the null
 * device, output to {@code supervisor.log}, and, where {@code setsid} exists, in a session of its own so that
 * Ctrl-C or a closed terminal of the submitting command does not reach it. {@code setsid} executes the JVM in its
 * own process (it only forks when started as a process group leader, which a child of a JVM never is), so the pid
 * of the started process is the supervisor's.
 */
final class SupervisorLauncher {
    /** Extra options for corc's helper JVMs, e.g. the launcher's class-data-sharing archive; space separated. */
    static final String JVM_OPTIONS_VARIABLE = "CORC_JVM_OPTIONS";

    private static final List<Path> SETSID = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

    private SupervisorLauncher() {}

    /**
     * Creates the job's directory under {@code workDir}, writes the spec and starts the supervisor with
     * {@code threads} worker threads. Fails with {@code CONFLICT} when the job exists, with {@code INTERNAL}, leaving
     * nothing behind, when the supervisor cannot be started.
     */
    static JobDirectory submit(Path workDir, JobSpec spec, int threads, String plugin) {
        if (!JobDirectory.isValidId(spec.id())) {
            throw CorcException.invalidInput("job id '" + spec.id() + "' cannot name a directory");
        }
        JobDirectory dir =
                new JobDirectory(FileTrees.privateDirectories(workDir).resolve(spec.id()));
        try {
            Files.createDirectory(dir.path());
        } catch (FileAlreadyExistsException e) {
            throw new CorcException(ErrorCategory.CONFLICT, "job '" + spec.id() + "' exists in " + workDir);
        } catch (IOException e) {
            throw SecureFiles.ioFailure("create " + dir.path(), e);
        }
        SecureFiles.makePrivate(dir.path());
        SupervisorRecord supervisor = null;
        try {
            dir.createTasksDirectory();
            JobJson.writeSpec(spec, dir.specFile());
            supervisor = launch(dir, threads);
            dir.writeSupervisor(supervisor);
            return dir;
        } catch (IOException | RuntimeException e) {
            if (supervisor != null) {
                supervisor.liveProcess().ifPresent(process -> ProcessTrees.kill(process, Duration.ZERO));
            }
            FileTrees.deleteQuietly(dir.path());
            throw new CorcException(
                    ErrorCategory.INTERNAL,
                    "could not start the supervisor of job " + spec.id() + ": " + e.getMessage(),
                    plugin,
                    "job submit",
                    "check that " + workDir + " is writable and java can be started",
                    e);
        }
    }

    /** Starts the supervisor of {@code dir} with {@code threads} worker threads. */
    private static SupervisorRecord launch(JobDirectory dir, int threads) throws IOException {
        boolean windows = System.getProperty("os.name", "").startsWith("Windows");
        // Created 0600 before the redirect opens it, which would create it with the umask's mode.
        Files.createFile(dir.supervisorLog(), SecureFiles.privateFileAttributes(dir.path()));
        ProcessBuilder builder = new ProcessBuilder(command(dir, threads))
                .directory(dir.path().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File(windows ? "NUL" : "/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(
                        ProcessBuilder.Redirect.appendTo(dir.supervisorLog().toFile()));
        Process process = builder.start();
        return SupervisorRecord.of(process.toHandle());
    }

    private static List<String> command(JobDirectory dir, int threads) {
        List<String> command = new ArrayList<>();
        SETSID.stream().filter(Files::isExecutable).findFirst().ifPresent(setsid -> command.add(setsid.toString()));
        command.add(javaExecutable());
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.addAll(extraJvmOptions());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(LocalJobSupervisor.class.getName());
        command.add(dir.path().toString());
        command.add(Integer.toString(threads));
        return List.copyOf(command);
    }

    /** The java launcher of this JVM, so the supervisor runs on the same Java as the submitter. */
    private static String javaExecutable() {
        return ProcessHandle.current()
                .info()
                .command()
                .filter(command -> Path.of(command).getFileName().toString().startsWith("java"))
                .orElseGet(() ->
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static List<String> extraJvmOptions() {
        String options = System.getenv(JVM_OPTIONS_VARIABLE);
        return options == null || options.isBlank()
                ? List.of()
                : List.of(options.strip().split("\\s+"));
    }
}
