package io.corc.api;

/**
 * One line of a task's output.
 *
 * @param taskIndex the task it came from
 * @param stream {@code stdout} or {@code stderr}
 * @param text the line without its line terminator
 */
public record LogLine(int taskIndex, String stream, String text) {}
