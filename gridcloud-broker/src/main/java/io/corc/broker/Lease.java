package io.corc.broker;

import io.corc.api.Endpoint;
import java.time.Instant;

/**
 * A lease as either side sees it.
 *
 * @param id unique lease id, chosen by the owner
 * @param owner organisation that serves the lease (runs the resource with its own credentials)
 * @param requester organisation whose user asked for it (equal to owner for a local lease)
 * @param user the requesting user
 * @param state where the lease is in its life
 * @param resourceClass the owner's resource class that serves it
 * @param created when the reservation was made
 * @param expires when the owner tears it down unless renewed
 * @param endpoint how to reach the resource (SSH), or {@code null} until ACTIVE
 * @param resourceId the owner's corc resource id, or {@code null}
 * @param reason why it failed or ended, or {@code null}
 */
public record Lease(
        String id,
        String owner,
        String requester,
        String user,
        LeaseState state,
        String resourceClass,
        Instant created,
        Instant expires,
        Endpoint endpoint,
        String resourceId,
        String reason) {

    public boolean local() {
        return owner.equals(requester);
    }
}
