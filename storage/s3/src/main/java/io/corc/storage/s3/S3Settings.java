package io.corc.storage.s3;

import io.corc.api.CorcException;
import io.corc.api.PluginConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code corc.storage.s3} section, checked. Credentials are never part of it: they come from the AWS profile
 * files it names, a secrets directory, or the environment.
 *
 * @param endpoint endpoint of an S3-compatible store, or {@code null} for AWS itself
 * @param region signing region; {@code null} to take it from the profile or environment
 * @param pathStyle address buckets as {@code endpoint/bucket} rather than {@code bucket.endpoint}
 * @param profile AWS profile name ({@code name})
 * @param configFile AWS config file, used when it exists
 * @param credentialsFile AWS shared credentials file, used when it exists
 * @param secretsDir directory holding files {@code aws_access_key_id} and {@code aws_secret_access_key} (a mounted
 *     Kubernetes Secret, as corc's job runner read), or {@code null}
 * @param multipartThreshold files of at least this many bytes are uploaded in parts
 * @param partSize bytes per part (raised for files that would need more than 10,000 parts)
 * @param concurrency requests in flight at once
 * @param maxAttempts attempts per request, throttling (503 SlowDown) and transient errors included
 */
record S3Settings(
        URI endpoint,
        String region,
        boolean pathStyle,
        String profile,
        Path configFile,
        Path credentialsFile,
        Path secretsDir,
        long multipartThreshold,
        long partSize,
        int concurrency,
        int maxAttempts) {

    static final long MIB = 1024 * 1024;

    static S3Settings from(PluginConfig config) {
        String endpointText = config.string("endpoint", "").strip();
        URI endpoint = null;
        if (!endpointText.isEmpty()) {
            endpoint = parseEndpoint(endpointText, config.path() + ".endpoint");
        }
        String region = config.string("region", "").strip();
        Path secrets = secretsDir(config);
        return new S3Settings(
                endpoint,
                region.isEmpty() ? null : region,
                config.bool("path_style", true),
                config.string("name", "default"),
                expand(config.string("config_file", "~/.aws/config")),
                expand(config.string("credentials_file", "~/.aws/credentials")),
                secrets,
                config.integer("multipart_threshold_mib", 8) * MIB,
                config.integer("multipart_chunksize_mib", 8) * MIB,
                Math.max(1, config.integer("max_concurrent_requests", 16)),
                Math.max(1, config.integer("max_attempts", 5)));
    }

    static URI parseEndpoint(String text, String where) {
        String withScheme = text.contains("://") ? text : "https://" + text;
        URI uri;
        try {
            uri = URI.create(withScheme);
        } catch (IllegalArgumentException e) {
            throw CorcException.invalidInput(where + " '" + text + "' is not a URL")
                    .withHint("write it as http://host:port or https://host");
        }
        if (uri.getHost() == null
                || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw CorcException.invalidInput(where + " '" + text + "' is not an http(s) URL with a host")
                    .withHint("write it as http://host:port or https://host");
        }
        return uri;
    }

    /** The explicit {@code secrets_dir}, else corc's {@code credentials_path} when it holds an access key file. */
    private static Path secretsDir(PluginConfig config) {
        String explicit = config.string("secrets_dir", "").strip();
        if (!explicit.isEmpty()) {
            Path dir = expand(explicit);
            if (!Files.isDirectory(dir)) {
                throw CorcException.invalidInput(config.path() + ".secrets_dir '" + explicit + "' is not a directory")
                        .withHint("point it at the directory where the S3 secret is mounted");
            }
            return dir;
        }
        String legacy = config.string("credentials_path", "").strip();
        if (!legacy.isEmpty()) {
            Path dir = expand(legacy);
            if (Files.isRegularFile(dir.resolve(S3Clients.ACCESS_KEY_FILE))) {
                return dir;
            }
        }
        return null;
    }

    static Path expand(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + path.substring(1));
        }
        return Path.of(path);
    }

    /** Where requests go, for messages. */
    String describeEndpoint() {
        return endpoint == null ? "AWS S3" + (region == null ? "" : " (" + region + ")") : endpoint.toString();
    }
}
