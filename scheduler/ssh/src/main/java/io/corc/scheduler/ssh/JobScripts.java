package io.corc.scheduler.ssh;

import io.corc.api.CorcException;
import io.corc.api.JobSpec;
import io.corc.ssh.Shell;
import java.time.Duration;
import java.util.Map;

/**
 * The POSIX shell scripts corc runs on an SSH host. They need {@code sh}, coreutils-level tools and
 * {@code setsid} (util-linux or busybox), nothing else: no Java in {@code sftp} staging.
 *
 * <p>Why a driver: the job must survive the SSH connection that submitted it. The driver runs in a session of its
 * own ({@code setsid}), with its output in a file, so neither a dropped connection nor sshd's SIGHUP reaches it.
 * Each task's command runs in yet another session, so the time limit and cancel kill its whole process group.
 *
 * <p>Liveness checks treat zombies as dead: on hosts whose init does not reap orphans (some container and VM
 * inits), {@code kill -0} succeeds on a finished detached process.
 */
final class JobScripts {
    /** Exit code when the inputs could not be copied into the task's directory (as the job runner's 125). */
    static final int STAGE_IN_FAILED = 125;
    /** Exit code when the time limit was exceeded (as GNU timeout and the job runner). */
    static final int TIMED_OUT = 124;
    /** Exit code when the command could not be started. */
    static final int CANNOT_RUN = 127;

    private static final String NOW = String.join(
            "\n",
            "now() {",
            "    s=$(date +%s.%N 2>/dev/null)",
            "    case \"$s\" in *[!0-9.]* | '' | *.) s=$(date +%s) ;; esac",
            "    echo \"$s\"",
            "}");

    /** {@code alive PID}: the process exists and is not a zombie. */
    static final String ALIVE = String.join(
            "\n",
            "alive() {",
            "    kill -0 \"$1\" 2>/dev/null || return 1",
            "    [ -r \"/proc/$1/stat\" ] || return 0",
            "    case \"$(sed -n 's/^.*) \\(.\\).*$/\\1/p' \"/proc/$1/stat\" 2>/dev/null)\" in Z) return 1 ;; esac",
            "    return 0",
            "}");

    private JobScripts() {}

    /**
     * Runs tasks 0..n-1 with at most {@code parallel} at once. A worker claims task i by creating {@code tasks/i}
     * ({@code mkdir} is atomic), so the workers share one queue without a lock. Starts in the job directory.
     */
    static String driver(String jobId, int numJobs, int parallel) {
        return String.join(
                "\n",
                "#!/bin/sh",
                "# corc job " + jobId + ": runs its tasks, detached from the SSH connection that started it",
                "trap '' HUP",
                "umask 077",
                "n=" + numJobs,
                "p=" + Math.min(parallel, numJobs),
                "echo $$ > driver.pid.tmp && mv -f driver.pid.tmp driver.pid",
                "worker() {",
                "    i=0",
                "    while [ \"$i\" -lt \"$n\" ]; do",
                "        [ -e cancel ] && return 0",
                "        if mkdir \"tasks/$i\" 2>/dev/null; then",
                "            sh ./task.sh \"$i\"",
                "        fi",
                "        i=$((i + 1))",
                "    done",
                "}",
                "w=0",
                "while [ \"$w\" -lt \"$p\" ]; do",
                "    worker &",
                "    w=$((w + 1))",
                "done",
                "wait",
                "date -u +%Y-%m-%dT%H:%M:%SZ > driver.done.tmp && mv -f driver.done.tmp driver.done",
                "");
    }

    /**
     * One task in {@code sftp} staging: copies the job's inputs into the task's {@code input/}, runs the command
     * in a session of its own with corc's variables, enforces the time limit, and records pid, times and exit code
     * (each file written once and renamed into place, so a reader never sees half a value).
     */
    static String sftpTask(JobSpec spec) {
        String logs = spec.capture() ? "$t/output" : "$t";
        String workDir =
                spec.workingDir() == null || spec.workingDir().isBlank() ? "\"$t\"" : Shell.quote(spec.workingDir());
        StringBuilder script = new StringBuilder(taskHeader(spec.id()));
        script.append("if ! cp -R \"$dir/input/.\" \"$t/input/\" 2>\"$t/stage-in.err\"; then\n")
                .append("    put ended \"$(now)\"\n")
                .append("    put exit " + STAGE_IN_FAILED + "\n")
                .append("    exit 0\n")
                .append("fi\n")
                .append("put running \"$(now)\"\n")
                .append(exports(spec))
                .append("if ! cd " + workDir + " 2>/dev/null; then\n")
                .append("    echo \"cannot change to the working directory \"" + workDir + " > \"$t/error\"\n")
                .append("    put ended \"$(now)\"\n")
                .append("    put exit " + CANNOT_RUN + "\n")
                .append("    exit 0\n")
                .append("fi\n")
                .append("setsid " + Shell.join(spec.command()) + " </dev/null >\"" + logs + "/stdout.log\" 2>\"" + logs
                        + "/stderr.log\" &\n")
                .append("cmd=$!\n")
                .append("put pid \"$cmd\"\n");
        if (spec.timeLimit() != null) {
            script.append(watchdog(spec.timeLimit()));
        }
        return script.append("wait \"$cmd\"\n")
                .append("rc=$?\n")
                .append("[ -e \"$t/timed-out\" ] && rc=" + TIMED_OUT + "\n")
                .append("put ended \"$(now)\"\n")
                .append("put exit \"$rc\"\n")
                .toString();
    }

    /**
     * One task in {@code runner} staging: corc's job runner on the host stages in, runs the command (enforcing the
     * time limit), writes job.json and stages out; this wrapper records its pid, times and exit code.
     */
    static String runnerTask(String jobId, String runner, boolean withSecrets) {
        String secrets = withSecrets ? " --storage-secrets-dir \"$dir/secrets\"" : "";
        return taskHeader(jobId)
                + "put running \"$(now)\"\n"
                + "setsid " + runner + " --spec \"$dir/spec.json\" --task-index \"$i\" --work-dir \"$t\"" + secrets
                + " </dev/null >\"$t/runner.out\" 2>\"$t/runner.err\" &\n"
                + "cmd=$!\n"
                + "put pid \"$cmd\"\n"
                + "wait \"$cmd\"\n"
                + "rc=$?\n"
                + "put ended \"$(now)\"\n"
                + "put exit \"$rc\"\n";
    }

    private static String taskHeader(String jobId) {
        return String.join(
                "\n",
                "#!/bin/sh",
                "# one task of corc job " + jobId + "; started by driver.sh in the job directory with the index",
                "umask 077",
                "dir=$(pwd)",
                "i=\"$1\"",
                "t=\"$dir/tasks/$i\"",
                NOW,
                "put() { echo \"$2\" > \"$t/$1.tmp\" && mv -f \"$t/$1.tmp\" \"$t/$1\"; }",
                "put started \"$(now)\"",
                "mkdir -p \"$t/input\" \"$t/output\"",
                "");
    }

    private static String exports(JobSpec spec) {
        StringBuilder exports = new StringBuilder();
        for (Map.Entry<String, String> variable : spec.env().entrySet()) {
            if (!variable.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw CorcException.invalidInput(
                                "environment variable name '" + variable.getKey() + "' is not valid in a shell")
                        .withHint("use letters, digits and _ only, not starting with a digit");
            }
            exports.append("export ")
                    .append(variable.getKey())
                    .append('=')
                    .append(Shell.quote(variable.getValue()))
                    .append('\n');
        }
        return exports.append("export CORC_JOB_ID=" + Shell.quote(spec.id()) + " CORC_TASK_INDEX=\"$i\" CORC_NUM_JOBS="
                        + spec.numJobs() + " CORC_INPUT=\"$t/input\" CORC_OUTPUT=\"$t/output\"\n")
                .toString();
    }

    /**
     * Checks once a second; at the limit marks the task timed out and stops the command's process group: TERM,
     * then KILL after up to 10 s. Ends by itself when the command does.
     */
    private static String watchdog(Duration limit) {
        long seconds = Math.max(1, (limit.toMillis() + 999) / 1000);
        return String.join(
                "\n",
                "(",
                "    end=$(($(date +%s) + " + seconds + "))",
                "    while kill -0 \"$cmd\" 2>/dev/null && [ ! -e \"$t/exit\" ]; do",
                "        if [ \"$(date +%s)\" -ge \"$end\" ]; then",
                "            : > \"$t/timed-out\"",
                "            kill -TERM \"-$cmd\" 2>/dev/null",
                "            g=0",
                "            while kill -0 \"$cmd\" 2>/dev/null && [ \"$g\" -lt 10 ]; do sleep 1; g=$((g + 1)); done",
                "            kill -KILL \"-$cmd\" 2>/dev/null",
                "            exit 0",
                "        fi",
                "        sleep 1",
                "    done",
                ") </dev/null >/dev/null 2>&1 &",
                "");
    }

    /**
     * Creates the job directory (0700) under the work dir; exits 5 when it exists, 3 when {@code setsid} is
     * missing, 6 when the runner's program is missing ({@code runnerProgram} may be {@code null}).
     */
    static String prepare(String workDir, RemoteJobLayout layout, String runnerProgram) {
        StringBuilder script = new StringBuilder("umask 077\n").append("command -v setsid >/dev/null 2>&1 || exit 3\n");
        if (runnerProgram != null) {
            script.append("command -v " + Shell.quote(runnerProgram) + " >/dev/null 2>&1 || exit 6\n");
        }
        return script.append("mkdir -p " + Shell.quote(workDir) + " || exit 4\n")
                .append("mkdir " + layout.quoted() + " 2>/dev/null || exit 5\n")
                .append("mkdir " + Shell.quote(layout.path("tasks")) + " " + Shell.quote(layout.path("input")) + "\n")
                .toString();
    }

    /** Starts the driver detached and waits up to 10 s for it to write its pid; prints the pid. */
    static String start(RemoteJobLayout layout) {
        return String.join(
                "\n",
                "cd " + layout.quoted() + " || exit 1",
                "setsid nohup sh ./driver.sh </dev/null >driver.log 2>&1 &",
                "i=0",
                "while [ ! -s driver.pid ] && [ \"$i\" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done",
                "[ -s driver.pid ] || { cat driver.log >&2; exit 2; }",
                "cat driver.pid",
                "");
    }

    /**
     * Prints the job's state in one go: {@code job <driver> <cancelled> <host>} with driver {@code done},
     * {@code alive}, {@code dead} or {@code -} (not started), then per started task {@code task <i> <started>
     * <running> <ended> <exit> <alive> <timed-out>} ({@code -} for absent values), {@code error <i> <text>} for a
     * finished task's stage-in or start error, and with {@code reports} the job runner's job.json as {@code report
     * <i> <json on one line>}. Prints {@code gone} when the job directory does not exist.
     */
    static String status(RemoteJobLayout layout, int numJobs, boolean reports) {
        StringBuilder script = new StringBuilder()
                .append("cd " + layout.quoted() + " 2>/dev/null || { echo gone; exit 0; }\n")
                .append(ALIVE)
                .append('\n')
                .append("v() { x=-; [ -s \"$t/$1\" ] && read -r x < \"$t/$1\"; }\n")
                .append("d=-\n")
                .append("if [ -e driver.done ]; then d=done\n")
                .append("elif [ -s driver.pid ]; then read -r dp < driver.pid; if alive \"$dp\"; then d=alive;"
                        + " else d=dead; fi; fi\n")
                .append("c=0; [ -e cancel ] && c=1\n")
                .append("echo \"job $d $c $(uname -n)\"\n")
                .append("i=0\n")
                .append("while [ \"$i\" -lt " + numJobs + " ]; do\n")
                .append("    t=tasks/$i\n")
                .append("    if [ -d \"$t\" ]; then\n")
                .append("        v started; s=$x; v running; r=$x; v ended; e=$x; v exit; ex=$x; v pid; p=$x\n")
                .append("        a=-; [ \"$ex\" = - ] && [ \"$p\" != - ] && { if alive \"$p\"; then a=1; else a=0; fi;"
                        + " }\n")
                .append("        o=0; [ -e \"$t/timed-out\" ] && o=1\n")
                .append("        echo \"task $i $s $r $e $ex $a $o\"\n")
                .append("        if [ \"$ex\" != - ]; then\n")
                .append("            for f in error stage-in.err runner.err; do\n")
                .append("                if [ -s \"$t/$f\" ]; then read -r m < \"$t/$f\"; echo \"error $i $m\"; break;"
                        + " fi\n")
                .append("            done\n");
        if (reports) {
            script.append("            if [ -s \"$t/output/job.json\" ]; then printf 'report %s ' \"$i\";"
                    + " tr -d '\\n' < \"$t/output/job.json\"; echo; fi\n");
        }
        return script.append("        fi\n")
                .append("    fi\n")
                .append("    i=$((i + 1))\n")
                .append("done\n")
                .toString();
    }

    /**
     * Stops the job: writes the cancel marker (no task starts after it), stops the driver's process group (the
     * driver, its workers and the task wrappers), then the process group of every task's command; TERM first, KILL
     * after up to 5 s. Idempotent; a missing job directory is no error.
     */
    static String cancel(RemoteJobLayout layout) {
        return String.join(
                "\n",
                "cd " + layout.quoted() + " 2>/dev/null || exit 0",
                ALIVE,
                "stop() {",
                "    for p in \"$@\"; do kill -TERM \"-$p\" 2>/dev/null; done",
                "    g=0",
                "    while [ \"$g\" -lt 50 ]; do",
                "        any=0",
                "        for p in \"$@\"; do alive \"$p\" && any=1; done",
                "        [ \"$any\" = 0 ] && break",
                "        sleep 0.1",
                "        g=$((g + 1))",
                "    done",
                "    for p in \"$@\"; do kill -KILL \"-$p\" 2>/dev/null; done",
                "}",
                ": > cancel",
                "if [ -s driver.pid ] && [ ! -e driver.done ]; then read -r dp < driver.pid; stop \"$dp\"; fi",
                "set --",
                "for f in tasks/*/pid; do",
                "    [ -s \"$f\" ] || continue",
                "    [ -e \"${f%/pid}/exit\" ] && continue",
                "    read -r p < \"$f\"",
                "    set -- \"$@\" \"$p\"",
                "done",
                "[ \"$#\" -gt 0 ] && stop \"$@\"",
                "exit 0",
                "");
    }
}
