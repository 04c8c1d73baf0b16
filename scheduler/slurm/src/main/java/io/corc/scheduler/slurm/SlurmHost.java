package io.corc.scheduler.slurm;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The machine where corc runs Slurm's commands and keeps a job's files: this machine, or a login node over SSH.
 * Paths are absolute paths on that machine. Files corc writes are private (0600, or 0700 for scripts) in private
 * directories (0700).
 */
interface SlurmHost extends AutoCloseable {

    /** "this machine" or "login node user@host:port", for messages. */
    String describe();

    /**
     * Runs {@code argv} (quoted for the shell where one is involved) and waits for it; a program that is not
     * installed gives exit code {@link CommandOutput#NOT_FOUND}.
     *
     * @throws io.corc.api.CorcException {@code UNAVAILABLE} when the host cannot be reached or the command did not
     *     finish within {@code timeout}
     */
    CommandOutput run(List<String> argv, Duration timeout);

    /** The user's home directory on the host, for a default work dir there. */
    String homeDirectory();

    /** Creates {@code path} and missing parents; {@code path} itself gets mode 0700. */
    void createPrivateDirectory(String path);

    /** Writes {@code content} to {@code path} with {@code mode}, replacing what is there; the directory exists. */
    void writeFile(String path, byte[] content, int mode);

    /** The content of {@code path}, or empty when it does not exist. */
    Optional<byte[]> readFile(String path);

    /** Deletes {@code path} and everything under it; nothing when it does not exist. */
    void deleteTree(String path);

    @Override
    void close();
}
