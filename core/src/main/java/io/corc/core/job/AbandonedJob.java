package io.corc.core.job;

import static java.util.Objects.requireNonNull;

/**
 * A job nobody owns any more.
 *
 * @param id job id
 * @param reason why, in plain words
 * @param submissionUnfinished true when the submitting process died while staging: nothing ran, so its staged
 *     files can all go; false when the scheduler forgot a job that ran, whose results must stay
 */
public record AbandonedJob(String id, String reason, boolean submissionUnfinished) {
    public AbandonedJob {
        requireNonNull(id, "id is null");
        requireNonNull(reason, "reason is null");
    }
}
