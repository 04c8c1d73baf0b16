package io.corc.scheduler.ssh;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link JobScripts#status} printed about a job: the driver, the cancel marker, the host, and the facts of
 * each started task.
 *
 * @param gone the job directory no longer exists on the host
 * @param driver {@code done}, {@code alive}, {@code dead} or {@code -} (never started)
 */
record RemoteStatus(boolean gone, String driver, boolean cancelled, String host, Map<Integer, Task> tasks) {

    /**
     * One started task. Times are {@code null} until written; {@code commandAlive} is {@code null} unless the task
     * has a pid and no exit code yet.
     */
    record Task(
            int index,
            Instant started,
            Instant running,
            Instant ended,
            Integer exitCode,
            Boolean commandAlive,
            boolean timedOut,
            String error,
            String reportJson) {}

    boolean driverDied() {
        return driver.equals("dead");
    }

    static RemoteStatus parse(List<String> lines) {
        String driver = "-";
        boolean cancelled = false;
        String host = null;
        Map<Integer, String[]> fields = new HashMap<>();
        Map<Integer, String> errors = new HashMap<>();
        Map<Integer, String> reports = new HashMap<>();
        for (String line : lines) {
            if (line.equals("gone")) {
                return new RemoteStatus(true, "-", false, null, Map.of());
            }
            String[] words = line.split(" ", 3);
            switch (words[0]) {
                case "job" -> {
                    String[] job = line.split(" ", 4);
                    driver = job[1];
                    cancelled = job[2].equals("1");
                    host = job.length > 3 ? job[3].strip() : null;
                }
                case "task" -> {
                    String[] task = line.split(" ");
                    fields.put(Integer.parseInt(task[1]), task);
                }
                case "error" -> errors.put(Integer.parseInt(words[1]), words.length > 2 ? words[2] : "");
                case "report" -> reports.put(Integer.parseInt(words[1]), words.length > 2 ? words[2] : "");
                default -> {} // a login banner or a profile's noise
            }
        }
        Map<Integer, Task> tasks = new HashMap<>();
        fields.forEach((index, task) -> tasks.put(
                index,
                new Task(
                        index,
                        instant(task[2]),
                        instant(task[3]),
                        instant(task[4]),
                        task[5].equals("-") ? null : Integer.valueOf(task[5]),
                        task[6].equals("-") ? null : task[6].equals("1"),
                        task[7].equals("1"),
                        errors.get(index),
                        reports.get(index))));
        return new RemoteStatus(false, driver, cancelled, host, tasks);
    }

    /** Epoch seconds with an optional fraction, as {@code date +%s.%N} prints them. */
    static Instant instant(String epoch) {
        if (epoch.equals("-")) {
            return null;
        }
        int dot = epoch.indexOf('.');
        if (dot < 0) {
            return Instant.ofEpochSecond(Long.parseLong(epoch));
        }
        String fraction = (epoch.substring(dot + 1) + "000000000").substring(0, 9);
        return Instant.ofEpochSecond(Long.parseLong(epoch.substring(0, dot)), Long.parseLong(fraction));
    }
}
