package io.corc.api;

import java.time.Instant;

/**
 * An object in storage.
 *
 * @param key full key within the bucket
 * @param size size in bytes
 * @param sha256 hex SHA-256 of the content, or {@code null} when the backend does not know it
 * @param lastModified last modification time
 */
public record StoredObject(String key, long size, String sha256, Instant lastModified) {}
