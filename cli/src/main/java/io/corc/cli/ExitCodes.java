package io.corc.cli;

import io.corc.api.ErrorCategory;

/**
 * Every exit code of corc, mapped in this one place (documented in docs/exit-codes.md). No other class chooses an
 * exit code or calls {@code System.exit}.
 */
public final class ExitCodes {
    /** The command did what was asked. */
    public static final int OK = 0;
    /** The command ran, but what it reports is a failure: a waited-for job failed, a check did not pass. */
    public static final int FAILED_OUTCOME = 1;
    /**
     * Invalid input: bad flag, bad configuration, unknown provider, a configurer step (Ansible task, SSH configurer
     * command) that failed on the resource. picocli usage errors use it too.
     */
    public static final int INVALID_INPUT = 2;

    public static final int NOT_FOUND = 3;
    public static final int AUTHENTICATION = 4;
    /** No capacity, quota reached, shape not offered. */
    public static final int CAPACITY = 5;

    public static final int CONFLICT = 6;
    /** The provider is unreachable, answered with a server error or throttled us past our retries. */
    public static final int UNAVAILABLE = 7;
    /** Cancelled by the user (Ctrl-C) or by shutdown; 128 + SIGINT as shells do. */
    public static final int CANCELLED = 130;
    /** A bug in corc (EX_SOFTWARE). */
    public static final int INTERNAL = 70;

    private ExitCodes() {}

    public static int of(ErrorCategory category) {
        return switch (category) {
            case INVALID_INPUT -> INVALID_INPUT;
            case NOT_FOUND -> NOT_FOUND;
            case AUTHENTICATION -> AUTHENTICATION;
            case CAPACITY -> CAPACITY;
            case CONFLICT -> CONFLICT;
            case THROTTLED, UNAVAILABLE -> UNAVAILABLE;
            case CANCELLED -> CANCELLED;
            case INTERNAL -> INTERNAL;
        };
    }
}
