package io.corc.scheduler.slurm;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What Slurm says about the tasks of one job array: {@code squeue} (which keeps finished jobs for MinJobAge, 300 s by
 * default), and {@code sacct} once squeue has forgotten the job, where accounting is set up (it needs slurmdbd).
 */
final class SlurmQueue {
    /** One task as Slurm reports it: its state word (RUNNING, TIMEOUT, ...), the reason and the node. */
    record Entry(int index, String state, String reason, String node) {}

    private final SlurmHost host;
    private final Duration timeout;

    SlurmQueue(SlurmHost host, Duration timeout) {
        this.host = host;
        this.timeout = timeout;
    }

    /**
     * The tasks Slurm knows, by index; empty when neither squeue nor sacct knows the job any more.
     *
     * @throws CorcException {@code UNAVAILABLE} when the Slurm controller does not answer
     */
    Map<Integer, Entry> tasks(String slurmJobId) {
        CommandOutput squeue =
                host.run(List.of("squeue", "-h", "-r", "-t", "all", "-j", slurmJobId, "-o", "%K|%T|%r|%N"), timeout);
        if (squeue.ok()) {
            Map<Integer, Entry> entries = parseSqueue(squeue.stdout());
            if (!entries.isEmpty()) {
                return entries;
            }
        } else if (!squeue.errorText().contains("Invalid job id")) {
            throw new CorcException(
                            ErrorCategory.UNAVAILABLE,
                            "squeue on " + host.describe() + " failed: " + squeue.errorText())
                    .withHint("check that the Slurm controller is up: sinfo");
        }
        return sacct(slurmJobId).orElse(Map.of());
    }

    /** Lines {@code index|STATE|reason|node}, one per task ({@code squeue -r}). */
    static Map<Integer, Entry> parseSqueue(String text) {
        Map<Integer, Entry> entries = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] fields = line.strip().split("\\|", -1);
            if (fields.length < 4) {
                continue;
            }
            Integer index = parseIndex(fields[0]);
            if (index != null) {
                entries.put(index, new Entry(index, fields[1], blankToNull(fields[2]), blankToNull(fields[3])));
            }
        }
        return entries;
    }

    private Optional<Map<Integer, Entry>> sacct(String slurmJobId) {
        CommandOutput sacct = host.run(
                List.of("sacct", "-X", "-P", "-n", "-j", slurmJobId, "-o", "JobID,State,Reason,NodeList"), timeout);
        if (!sacct.ok()) {
            return Optional.empty(); // no accounting storage (no slurmdbd): nothing more to learn from Slurm
        }
        Map<Integer, Entry> entries = parseSacct(sacct.stdout());
        return entries.isEmpty() ? Optional.empty() : Optional.of(entries);
    }

    /** Lines {@code <array id>_<index>|STATE[ by uid]|reason|nodes}; pending ranges ({@code 7_[2-4]}) are skipped. */
    static Map<Integer, Entry> parseSacct(String text) {
        Map<Integer, Entry> entries = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] fields = line.strip().split("\\|", -1);
            if (fields.length < 4) {
                continue;
            }
            int underscore = fields[0].indexOf('_');
            Integer index = underscore < 0 ? null : parseIndex(fields[0].substring(underscore + 1));
            if (index != null) {
                String state = fields[1].split(" ")[0];
                entries.put(index, new Entry(index, state, blankToNull(fields[2]), blankToNull(fields[3])));
            }
        }
        return entries;
    }

    private static Integer parseIndex(String text) {
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String blankToNull(String text) {
        String value = text.strip();
        return value.isEmpty() || value.equals("None") || value.equals("(null)") ? null : value;
    }
}
