package io.corc.api;

/**
 * What a tree transfer moved.
 *
 * @param files files transferred
 * @param bytes bytes transferred
 * @param skipped files left alone because the destination already had the same content
 * @param seconds wall-clock duration
 */
public record TransferReport(long files, long bytes, long skipped, double seconds) {}
