package io.corc.scheduler.ssh;

import static java.util.Objects.requireNonNull;

import io.corc.ssh.Shell;

/**
 * The files of one job on the SSH host; paths are relative to the login's home unless {@code work_dir} is absolute
 * (SFTP and commands both start there). The job directory is 0700; the driver and the tasks create everything in
 * it with umask 077.
 *
 * <pre>
 *   driver.sh, task.sh     the detached driver and the per-task wrapper (see {@link JobScripts})
 *   driver.pid             the driver's pid, also its process group (it runs in a session of its own)
 *   driver.log             the driver's own output, where a broken host says why
 *   driver.done            written by the driver once every task ended
 *   cancel                 marker: corc cancelled the job; no further task starts
 *   input/                 sftp staging: the job's inputs, copied into each task's input/ when it starts
 *   spec.json, secrets/    runner staging: the spec and the storage credentials corc's runner reads (0600)
 *   tasks/&lt;i&gt;/             created when task i starts (absent: pending): input/, output/, pid, exit,
 *                          started, running, ended (epoch seconds), timed-out, stage-in.err, error
 * </pre>
 */
record RemoteJobLayout(String dir) {
    RemoteJobLayout {
        requireNonNull(dir, "dir is null");
    }

    static RemoteJobLayout in(String workDir, String jobId) {
        return new RemoteJobLayout(workDir.equals(".") ? jobId : workDir + "/" + jobId);
    }

    /** The job directory as one shell word. */
    String quoted() {
        return Shell.quote(dir);
    }

    String path(String name) {
        return dir + "/" + name;
    }

    String taskDir(int index) {
        return dir + "/tasks/" + index;
    }

    String taskOutput(int index) {
        return taskDir(index) + "/output";
    }

    /** Where the command's {@code stream} ({@code stdout} or {@code stderr}) goes. */
    String log(int index, String stream, boolean captured) {
        return (captured ? taskOutput(index) : taskDir(index)) + "/" + stream + ".log";
    }
}
