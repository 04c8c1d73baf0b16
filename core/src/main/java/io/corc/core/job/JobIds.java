package io.corc.core.job;

import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Job ids: {@code job-<yyyyMMdd-HHmmss>-<6 random base-36 characters>}, lower case so they are valid as
 * Kubernetes names, S3 prefixes and file names, and sort by submission time.
 */
public final class JobIds {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** 36^6 ≈ 2.2e9 ids per second: a thousand jobs in one second collide with odds of about 1 in 4,000. */
    private static final int RANDOM_CHARACTERS = 6;

    private static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

    private JobIds() {}

    public static String next() {
        StringBuilder id = new StringBuilder("job-").append(STAMP.format(ZonedDateTime.now(ZoneOffset.UTC)));
        id.append('-');
        for (int i = 0; i < RANDOM_CHARACTERS; i++) {
            id.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return id.toString();
    }
}
