package io.corc.scheduler.ssh;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.Job;
import io.corc.api.JobSpec;
import io.corc.api.ProgressListener;
import io.corc.api.SecureFiles;
import io.corc.api.Staging;
import io.corc.api.Storage;
import io.corc.api.TaskStatus;
import io.corc.jobio.JobJson;
import io.corc.jobio.StorageLoader;
import io.corc.ssh.CommandResult;
import io.corc.ssh.Shell;
import io.corc.ssh.SshSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * One submission to an SSH host: job directory, inputs, scripts, the detached driver. Anything it created is
 * removed when a later step fails (the SPI's rollback contract); when that clean-up fails too, its failure is
 * attached to the exception and the record stays as {@code rollback-pending} for {@code corc gc}.
 */
final class Submission {
    private final SshScheduler scheduler;
    private final JobSpec spec;
    private final SshScheduler.Login login;
    private final RemoteJobLayout layout;
    private final boolean runner;
    private final Map<String, String> secrets;
    private final String taskScript;
    private final String runnerWords;

    /** @param runnerWords the job runner's shell words in runner staging, else {@code null} */
    Submission(
            SshScheduler scheduler,
            JobSpec spec,
            SshScheduler.Login login,
            RemoteJobLayout layout,
            String runnerWords,
            Map<String, String> secrets,
            String taskScript) {
        this.scheduler = scheduler;
        this.spec = spec;
        this.login = login;
        this.layout = layout;
        this.runner = runnerWords != null;
        this.runnerWords = runnerWords;
        this.secrets = secrets;
        this.taskScript = taskScript;
    }

    Job run(ProgressListener progress) {
        boolean created = false;
        try (HostConnection connection = scheduler.connect(login)) {
            try {
                SshSession session = connection.session();
                progress.onProgress(
                        "creating " + layout.dir() + " on " + login.target().login(), 0, 3);
                createDirectory(session);
                created = true;
                progress.onProgress("staging inputs to " + login.target().host(), 1, 3);
                if (runner) {
                    writeSpecAndSecrets(session);
                } else if (spec.staging() != null) {
                    uploadInputs(session);
                }
                session.write(layout.path("task.sh"), taskScript.getBytes(StandardCharsets.UTF_8), 0700);
                String driver = JobScripts.driver(spec.id(), spec.numJobs(), spec.numParallel());
                session.write(layout.path("driver.sh"), driver.getBytes(StandardCharsets.UTF_8), 0700);
                progress.onProgress("starting the job's driver", 2, 3);
                CommandResult started = session.run(JobScripts.start(layout), scheduler.commandTimeout());
                if (!started.succeeded()) {
                    throw new CorcException(
                                    ErrorCategory.INTERNAL,
                                    "the job's driver did not start on "
                                            + login.target().login() + ": "
                                            + started.stderr().strip())
                            .withHint("check that sh, setsid and nohup work there");
                }
                scheduler
                        .records()
                        .update(
                                SshJobRecord.TYPE,
                                spec.id(),
                                r -> r == null ? null : r.withStatus(SshJobRecord.SUBMITTED));
                progress.onProgress("starting the job's driver", 3, 3);
                return submitted();
            } catch (RuntimeException e) {
                rollBack(connection, created, e);
                throw e;
            }
        }
    }

    private void createDirectory(SshSession session) {
        String runnerProgram = runner ? settingsRunnerProgram() : null;
        CommandResult result = session.run(
                JobScripts.prepare(parentOf(layout.dir()), layout, runnerProgram), scheduler.commandTimeout());
        String where = login.target().login();
        switch (result.exitCode()) {
            case 0 -> {}
            case 3 ->
                throw CorcException.invalidInput("setsid is missing on " + where)
                        .withHint("install util-linux (or busybox) there: corc runs the job detached with setsid");
            case 4 ->
                throw CorcException.invalidInput("cannot create the work dir " + parentOf(layout.dir()) + " on " + where
                                + ": " + result.stderr().strip())
                        .withHint("set corc.schedulers.ssh.work_dir to a directory the user may write");
            case 5 ->
                throw new CorcException(ErrorCategory.CONFLICT, layout.dir() + " already exists on " + where)
                        .withHint("a job with this id ran there before; remove the directory or use another work_dir");
            case 6 ->
                throw CorcException.invalidInput("the job runner '" + runnerProgram + "' is not found on " + where)
                        .withHint("install corc on the host, set corc.schedulers.ssh.runner, or use staging: sftp");
            default ->
                throw new CorcException(
                        ErrorCategory.INTERNAL,
                        "preparing " + layout.dir() + " on " + where + " failed with exit code " + result.exitCode()
                                + ": " + result.stderr().strip());
        }
    }

    /** The program of the runner's words, for a check that the host has it. */
    private String settingsRunnerProgram() {
        String first = runnerWords.strip().split("\\s+")[0];
        return first.length() > 1 && first.startsWith("'") && first.endsWith("'")
                ? first.substring(1, first.length() - 1)
                : first;
    }

    /** The inputs come from storage here and go to the job's {@code input/} on the host; tasks copy from there. */
    private void uploadInputs(SshSession session) {
        Staging staging = spec.staging();
        Storage storage = StorageLoader.forSpec(spec, scheduler.home());
        Path temp = temporaryDirectory();
        try {
            long start = System.nanoTime();
            Path inputs = temp.resolve("input");
            Files.createDirectories(inputs);
            storage.download(staging.bucket(), staging.inputKeyPrefix(), inputs, ProgressListener.NONE);
            session.upload(inputs, layout.path("input"));
            double seconds = (System.nanoTime() - start) / 1e9;
            scheduler
                    .records()
                    .update(SshJobRecord.TYPE, spec.id(), r -> r == null ? null : r.with("upload_seconds", seconds));
        } catch (IOException e) {
            throw SecureFiles.ioFailure("stage the inputs of " + spec.id(), e);
        } finally {
            StageOut.deleteTree(temp);
        }
    }

    /**
     * The runner reads the spec and reaches storage itself; corc's home on this machine means nothing there, so
     * the runner uses its own. Secrets go into files 0600 in the job directory, never into the spec.
     */
    private void writeSpecAndSecrets(SshSession session) {
        Map<String, String> options = new LinkedHashMap<>(spec.options());
        options.remove(Staging.HOME_OPTION);
        JobSpec remote = spec.withStaging(spec.staging(), options);
        session.write(layout.path("spec.json"), JobJson.toJson(remote).getBytes(StandardCharsets.UTF_8), 0600);
        for (Map.Entry<String, String> secret : secrets.entrySet()) {
            if (!secret.getKey().matches("[A-Za-z0-9_.-]+")) {
                throw CorcException.internal("unsafe runner secret name '" + secret.getKey() + "'", null);
            }
            session.write(
                    layout.path("secrets/" + secret.getKey()),
                    secret.getValue().getBytes(StandardCharsets.UTF_8),
                    0600);
        }
        if (!secrets.isEmpty()) {
            session.run("chmod 700 " + Shell.quote(layout.path("secrets")), scheduler.commandTimeout());
        }
    }

    private Job submitted() {
        List<TaskStatus> tasks =
                IntStream.range(0, spec.numJobs()).mapToObj(TaskStatus::pending).toList();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("host", login.target().login());
        details.put("work_dir", layout.dir());
        details.put("staging", runner ? "runner" : "sftp");
        return new Job(
                spec.id(), spec.name(), scheduler.name(), Job.stateOf(tasks), tasks, Instant.now(), null, details);
    }

    private void rollBack(HostConnection connection, boolean created, RuntimeException failure) {
        try {
            if (created) {
                connection.reset(); // the failure may have been the connection itself
                SshSession session = connection.session();
                session.run(JobScripts.cancel(layout), scheduler.commandTimeout());
                CommandResult removed = session.run("rm -rf " + layout.quoted(), scheduler.commandTimeout());
                if (!removed.succeeded()) {
                    throw new CorcException(
                            ErrorCategory.INTERNAL,
                            "cannot delete " + layout.dir() + ": "
                                    + removed.stderr().strip());
                }
            }
            scheduler.records().delete(SshJobRecord.TYPE, spec.id());
        } catch (RuntimeException cleanup) {
            failure.addSuppressed(cleanup);
            scheduler
                    .records()
                    .update(
                            SshJobRecord.TYPE,
                            spec.id(),
                            r -> r == null ? null : r.withStatus(SshJobRecord.ROLLBACK_PENDING));
        }
    }

    private static String parentOf(String dir) {
        int slash = dir.lastIndexOf('/');
        return slash < 0 ? "." : slash == 0 ? "/" : dir.substring(0, slash);
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory(
                    "corc-ssh-inputs-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw SecureFiles.ioFailure("create a temporary directory for the inputs", e);
        }
    }
}
