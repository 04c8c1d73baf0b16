package io.corc.provider.ec2;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The one place EC2 is called: every SDK failure leaves as a {@link io.corc.api.CorcException} naming the EC2 action.
 * Retries (throttling, 5xx, time-outs) happen inside the client, configured by {@link Ec2ClientFactory}.
 */
final class Ec2Calls {
    private final Ec2Client client;
    private final String region;

    Ec2Calls(Ec2Client client, String region) {
        this.client = client;
        this.region = region;
    }

    String region() {
        return region;
    }

    <T> T call(String action, Function<Ec2Client, T> request) {
        try {
            return request.apply(client);
        } catch (SdkException e) {
            throw Ec2Errors.translate(e, action, region);
        }
    }

    /** Every item of a paginated call (NextToken followed until it is absent). */
    <T> List<T> all(String action, Function<Ec2Client, Iterable<T>> request) {
        try {
            List<T> items = new ArrayList<>();
            request.apply(client).forEach(items::add);
            return items;
        } catch (SdkException e) {
            throw Ec2Errors.translate(e, action, region);
        }
    }
}
