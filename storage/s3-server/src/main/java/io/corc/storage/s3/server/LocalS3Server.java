package io.corc.storage.s3.server;

import static java.util.Objects.requireNonNull;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.SecureFiles;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.function.UnaryOperator;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/**
 * An S3-compatible endpoint on 127.0.0.1 backed by a directory (bucket {@code b} is {@code <dir>/b}, key {@code k}
 * the file {@code <dir>/b/k}) or by memory. It speaks the S3 REST protocol with AWS Signature V4 (and V2), so the
 * AWS CLI, rclone, boto3 and corc's own S3 storage work against it unchanged.
 *
 * <p>The server is Gaul's s3proxy (Apache-2.0), embedded: actively maintained, pure Java, and since 4.0 free of
 * jclouds, with its Jetty shaded. It binds to loopback only and requires signed requests with the credentials given
 * or generated here.
 */
public final class LocalS3Server implements AutoCloseable {
    private final S3Proxy proxy;
    private final URI endpoint;
    private final String accessKey;
    private final String secretKey;
    private final Path directory;

    private LocalS3Server(S3Proxy proxy, URI endpoint, String accessKey, String secretKey, Path directory) {
        this.proxy = proxy;
        this.endpoint = endpoint;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.directory = directory;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code http://127.0.0.1:<port>} */
    public URI endpoint() {
        return endpoint;
    }

    public int port() {
        return endpoint.getPort();
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** The directory holding the buckets, or {@code null} when objects are kept in memory. */
    public Path directory() {
        return directory;
    }

    /** Stops accepting requests and waits for those in flight. Idempotent. */
    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw CorcException.internal("could not stop the S3 server: " + e, e);
        }
    }

    /** Blocks until the server is stopped, e.g. by {@link #close()} from a shutdown hook. */
    public void join() throws InterruptedException {
        while (proxy.getState().equals("STARTED")) {
            Thread.sleep(200);
        }
    }

    public static final class Builder {
        private Path directory;
        private int port;
        private String accessKey;
        private String secretKey;
        private UnaryOperator<BlobStore> decorator = UnaryOperator.identity();

        private Builder() {}

        /** Serve this directory (created 0700 if missing); without it objects live in memory. */
        public Builder directory(Path directory) {
            this.directory = directory;
            return this;
        }

        /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw CorcException.invalidInput("port " + port + " is out of range")
                        .withHint("use 0..65535");
            }
            this.port = port;
            return this;
        }

        /** Access key and secret clients must sign with; random ones are generated when not set. */
        public Builder credentials(String accessKey, String secretKey) {
            this.accessKey = accessKey;
            this.secretKey = secretKey;
            return this;
        }

        /** Wraps the object store, e.g. to inject faults in tests. */
        public Builder decorate(UnaryOperator<BlobStore> decorator) {
            this.decorator = requireNonNull(decorator, "decorator is null");
            return this;
        }

        public LocalS3Server start() {
            String access = accessKey == null || accessKey.isBlank() ? "corc" + random(8) : accessKey;
            String secret = secretKey == null || secretKey.isBlank() ? random(20) : secretKey;
            Path root = directory == null ? null : directory.toAbsolutePath().normalize();
            BlobStore store;
            if (root == null) {
                store = new TransientNio2BlobStore();
            } else {
                SecureFiles.privateDirectory(root);
                store = new FilesystemNio2BlobStore(root.toString());
            }
            S3Proxy proxy = S3Proxy.builder()
                    .blobStore(decorator.apply(store))
                    .endpoint(URI.create("http://127.0.0.1:" + port))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, access, secret)
                    // the AWS SDK (2.30+) sends checksum headers s3proxy does not implement; it must not refuse them
                    .ignoreUnknownHeaders(true)
                    .build();
            try {
                proxy.start();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!proxy.getState().equals("STARTED")) {
                    if (System.nanoTime() > deadline || proxy.getState().equals("FAILED")) {
                        throw new IllegalStateException("state " + proxy.getState());
                    }
                    Thread.sleep(10);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CorcException(ErrorCategory.CANCELLED, "interrupted while starting the S3 server")
                        .withCause(e);
            } catch (Exception e) {
                Throwable cause = e;
                while (cause.getCause() != null && !(cause instanceof BindException)) {
                    cause = cause.getCause();
                }
                if (cause instanceof BindException) {
                    throw new CorcException(ErrorCategory.CONFLICT, "port " + port + " on 127.0.0.1 is already in use")
                            .withHint("pick another with --port, or 0 for any free port");
                }
                throw CorcException.internal("the S3 server did not start: " + e.getMessage(), e);
            }
            URI endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
            return new LocalS3Server(proxy, endpoint, access, secret, root);
        }

        private static String random(int bytes) {
            byte[] value = new byte[bytes];
            new SecureRandom().nextBytes(value);
            return HexFormat.of().formatHex(value);
        }
    }
}
