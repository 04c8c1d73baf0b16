package io.corc.scheduler.local;

import io.corc.api.ProgressListener;
import java.nio.file.Path;
import java.util.Map;

/**
 * Plays {@code corc job run}: submits a job whose task waits for a gate file, prints the supervisor's pid and
 * exits at once. Usage: {@code SubmitAndExit <home> <jobId> <gate>}.
 */
public final class SubmitAndExit {
    private SubmitAndExit() {}

    public static void main(String[] args) {
        Path home = Path.of(args[0]);
        String script = "while [ ! -e \"$GATE\" ]; do sleep 0.05; done; echo done > \"$CORC_OUTPUT/done\"";
        TestJobs.scheduler(home)
                .submit(TestJobs.spec(args[1], 1, 1, script, Map.of("GATE", args[2])), ProgressListener.NONE);
    }
}
