package io.corc.scheduler.slurm;

/**
 * What a command on the Slurm host printed and how it exited. Exit code 127 means the program was not found, as
 * shells report it (also for commands run without a shell).
 */
record CommandOutput(int exitCode, String stdout, String stderr) {
    static final int NOT_FOUND = 127;

    boolean ok() {
        return exitCode == 0;
    }

    /** stderr, else stdout, trimmed: what to show the user when the command failed. */
    String errorText() {
        String text = stderr.isBlank() ? stdout : stderr;
        return text.strip();
    }
}
