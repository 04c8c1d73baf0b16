package io.corc.cli;

import io.corc.api.CorcException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The {@code --storage-*} options of {@code job run}, {@code job result get} and the {@code storage} commands. Each
 * sets a configuration value (flag > environment > file > defaults) through {@link #apply}, which a command calls
 * before it first opens the engine.
 */
final class StorageOptions {
    /** The backends with a section of their own in the configuration schema. */
    private static final List<String> SECTIONS = List.of("s3", "local");

    @Option(
            names = "--storage-backend",
            paramLabel = "NAME",
            description = "Storage backend: local or s3 (corc.storage.backend; default local).")
    String backend;

    @Option(
            names = {"--storage-enable", "--storage-s3"},
            description = "Stage through S3: the same as --storage-backend s3.")
    boolean s3;

    @Option(
            names = "--storage-endpoint",
            paramLabel = "URL",
            description = "Endpoint of an S3-compatible store, e.g. http://127.0.0.1:9000 (corc.storage.endpoint).")
    String endpoint;

    @Option(
            names = "--storage-bucket",
            paramLabel = "NAME",
            description = "Bucket to stage through (bucket_name of the backend's section).")
    String bucket;

    @Option(
            names = "--storage-input-prefix",
            paramLabel = "PREFIX",
            description = "Key prefix of job inputs (bucket_input_prefix; default input).")
    String inputPrefix;

    @Option(
            names = "--storage-output-prefix",
            paramLabel = "PREFIX",
            description = "Key prefix of job outputs (bucket_output_prefix; default output).")
    String outputPrefix;

    @Option(
            names = "--storage-profile",
            paramLabel = "NAME",
            description = "AWS profile of the S3 credentials (corc.storage.s3.name; default default).")
    String profile;

    @Option(names = "--storage-region", paramLabel = "REGION", description = "S3 region (corc.storage.s3.region).")
    String region;

    /** Sets the configuration values the options name. Call before {@link CliContext#corc()}. */
    void apply(CliContext context) {
        String selected = backend;
        if (s3) {
            if (backend != null && !backend.equals("s3")) {
                throw CorcException.invalidInput("--storage-enable/--storage-s3 select the s3 backend, but"
                                + " --storage-backend says " + backend)
                        .withHint("give only one of them");
            }
            selected = "s3";
            context.override("corc.storage.enable", true);
        }
        context.override("corc.storage.backend", selected);
        context.override("corc.storage.endpoint", endpoint);
        // corc.storage.s3.endpoint wins over corc.storage.endpoint; a flag must win over both
        context.override("corc.storage.s3.endpoint", endpoint);
        context.override("corc.storage.s3.name", profile);
        context.override("corc.storage.s3.region", region);
        // The backend may only be known once the configuration is read: then set the keys of every section.
        for (String section : selected != null && SECTIONS.contains(selected) ? List.of(selected) : SECTIONS) {
            String prefix = "corc.storage." + section + ".";
            context.override(prefix + "bucket_name", bucket);
            context.override(prefix + "bucket_input_prefix", inputPrefix);
            context.override(prefix + "bucket_output_prefix", outputPrefix);
        }
    }

    /**
     * Where downloaded results go: {@code explicit} (the {@code --storage-download-path} flag), else {@code
     * corc.storage.download_path} when set, resolved against the working directory; {@code null} when neither is set.
     */
    static Path downloadDirectory(CliContext context, Path explicit) {
        if (explicit != null) {
            return context.workingDirectory().resolve(explicit);
        }
        String configured = context.corc().config().section("corc.storage").string("download_path", "");
        if (configured.isBlank()) {
            return null;
        }
        if (configured.equals("~") || configured.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + configured.substring(1));
        }
        return context.workingDirectory().resolve(configured);
    }
}
