package io.corc.ssh;

/**
 * What a remote command returned, with its output collected as text (UTF-8).
 *
 * @param exitCode the command's exit status
 */
public record CommandResult(int exitCode, String stdout, String stderr) {
    public boolean succeeded() {
        return exitCode == 0;
    }
}
