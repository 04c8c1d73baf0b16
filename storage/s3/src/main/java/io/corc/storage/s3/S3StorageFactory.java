package io.corc.storage.s3;

import static java.util.Objects.requireNonNull;

import io.corc.api.PluginContext;
import io.corc.api.Storage;
import io.corc.api.StorageFactory;

/**
 * Builds {@link S3Storage} from {@code corc.storage.s3}: {@code endpoint} (or corc's {@code storage.endpoint}),
 * {@code region}, {@code path_style}, the AWS profile ({@code name}, {@code config_file}, {@code credentials_file}),
 * {@code secrets_dir}, {@code bucket_name} and the transfer tuning keys. The SDK client is built here, but no request
 * is sent until the storage is used.
 */
public final class S3StorageFactory implements StorageFactory {

    @Override
    public String name() {
        return S3Storage.NAME;
    }

    @Override
    public String description() {
        return "AWS S3 and S3-compatible stores (MinIO, Ceph, OCI Object Storage, corc storage serve)";
    }

    @Override
    public Storage create(PluginContext context) {
        requireNonNull(context, "context is null");
        S3Settings settings = S3Settings.from(context.config());
        String bucket = context.config().string("bucket_name", "").strip();
        var credentials = S3Clients.credentials(settings);
        var region = S3Clients.region(settings);
        return new S3Storage(
                // built on first use: a download through the direct path never needs it, and building it costs
                // a short command a tenth of a second
                new Lazy<>(() -> S3Clients.create(settings, credentials, region)),
                S3Clients.direct(settings, credentials, region),
                settings,
                bucket.isEmpty() ? null : bucket,
                credentials);
    }
}
