package io.corc.cli;

import io.corc.api.CorcException;
import io.corc.api.SecureFiles;
import io.corc.core.config.ConfigLoader;
import io.corc.storage.s3.server.LocalS3Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code corc storage serve}: an S3 endpoint on 127.0.0.1 backed by a directory, until Ctrl-C. Its credentials go
 * to a 0600 AWS shared-credentials file (profile {@value #PROFILE}); the secret is never printed.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve a directory as S3 on 127.0.0.1 until Ctrl-C, for corc's s3 backend, the AWS CLI, rclone or boto3.",
            "",
            "Each bucket is a subdirectory of DIR. Clients must sign their requests: the access key and secret (random"
                    + " unless given) are written to <corc home>/serve/credentials (mode 0600) as the AWS profile"
                    + " corc-serve, never printed. corc prints the endpoint and the settings to paste into corc's"
                    + " configuration or the shell."
        },
        footer = {
            "",
            "Examples:",
            "  corc storage serve",
            "  corc storage serve --dir /data/s3 --port 9100 --bucket results",
            "  corc storage serve --port 0 -o json"
        })
final class StorageServeCommand implements Callable<Integer> {
    static final String PROFILE = "corc-serve";
    static final int DEFAULT_PORT = 9000;
    /** Any region signs for the local server; this one is what the printed settings name. */
    static final String REGION = "us-east-1";

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    private final CliContext context;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description = "Directory holding the buckets (default: <corc home>/s3).")
    Path dir;

    @Option(
            names = "--port",
            paramLabel = "N",
            description = "TCP port on 127.0.0.1 (default: " + DEFAULT_PORT + "; 0 picks a free one).")
    int port = DEFAULT_PORT;

    @Option(
            names = "--bucket",
            paramLabel = "NAME",
            description = "Bucket to create if missing and to name in the printed settings (default: corc).")
    String bucket = "corc";

    @Option(
            names = "--access-key",
            paramLabel = "KEY",
            description = "Access key clients sign with (default: random; give --secret-key too).")
    String accessKey;

    @Option(
            names = "--secret-key",
            paramLabel = "SECRET",
            description = "Secret clients sign with (default: random). Visible to other users in the process list.")
    String secretKey;

    StorageServeCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        if ((accessKey == null) != (secretKey == null)) {
            throw CorcException.invalidInput("--access-key and --secret-key go together")
                    .withHint("give both, or neither for random ones");
        }
        if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw CorcException.invalidInput("invalid bucket name '" + bucket + "'")
                    .withHint("use 3 to 63 characters a-z, 0-9, '.' and '-', starting and ending with a letter or"
                            + " digit");
        }
        Path home = context.corc().home();
        Path root =
                dir == null ? home.resolve("s3") : context.workingDirectory().resolve(dir);
        Path credentials = home.resolve("serve").resolve("credentials");
        SecureFiles.privateDirectory(root.resolve(bucket)); // a directory is a bucket
        LocalS3Server server = LocalS3Server.builder()
                .directory(root)
                .port(port)
                .credentials(accessKey, secretKey)
                .start();
        Thread stop = new Thread(server::close, "corc-storage-serve-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        boolean interrupted = false;
        try {
            SecureFiles.writeAtomically(credentials, credentialsFile(server).getBytes(StandardCharsets.UTF_8));
            announce(server, home, credentials);
            server.join();
        } catch (InterruptedException e) {
            // stopped by whoever runs corc in-process; Ctrl-C stops it through the shutdown hook
            interrupted = true;
        } finally {
            server.close();
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return ExitCodes.OK;
    }

    private void announce(LocalS3Server server, Path home, Path credentials) {
        String endpoint = server.endpoint().toString();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("corc.storage.backend", "s3");
        config.put("corc.storage.endpoint", endpoint);
        config.put("corc.storage.s3.credentials_file", credentials.toString());
        config.put("corc.storage.s3.name", PROFILE);
        config.put("corc.storage.s3.region", REGION);
        config.put("corc.storage.s3.bucket_name", bucket);
        Map<String, Object> awsEnv = new LinkedHashMap<>();
        awsEnv.put("AWS_SHARED_CREDENTIALS_FILE", credentials.toString());
        awsEnv.put("AWS_PROFILE", PROFILE);
        awsEnv.put("AWS_DEFAULT_REGION", REGION);
        awsEnv.put("AWS_ENDPOINT_URL", endpoint);
        Map<String, Object> corcEnv = new LinkedHashMap<>();
        config.forEach((key, value) -> corcEnv.put(
                "CORC_"
                        + key.substring("corc.".length())
                                .toUpperCase(Locale.ROOT)
                                .replace('.', '_'),
                value));
        Path configFile = new ConfigLoader(home, context.env).configPath(context.global.configFile);
        context.emit(
                Views.document(
                        "serving",
                        "endpoint",
                        endpoint,
                        "port",
                        server.port(),
                        "directory",
                        String.valueOf(server.directory()),
                        "bucket",
                        bucket,
                        "profile",
                        PROFILE,
                        "credentials_file",
                        credentials.toString(),
                        "config",
                        config,
                        "aws_env",
                        awsEnv),
                out -> {
                    out.println("Serving " + server.directory() + " as S3 at " + endpoint + " (bucket " + bucket
                            + " is ready). Ctrl-C stops it.");
                    out.println("Credentials: profile " + PROFILE + " in " + credentials);
                    out.println();
                    out.println("corc, in " + configFile + ":");
                    out.print(indent(CliContext.yaml(nested(config))));
                    out.println();
                    out.println("corc, for this shell only:");
                    out.println("  export " + exports(corcEnv));
                    out.println();
                    out.println("AWS CLI:");
                    out.println("  export " + exports(awsEnv));
                    out.println("  aws --endpoint-url " + endpoint + " s3 ls s3://" + bucket + "/");
                });
    }

    private static String credentialsFile(LocalS3Server server) {
        return "# Written by corc storage serve: the keys its S3 server accepts.\n"
                + "[" + PROFILE + "]\n"
                + "aws_access_key_id = " + server.accessKey() + "\n"
                + "aws_secret_access_key = " + server.secretKey() + "\n";
    }

    /** {@code a.b.c -> v} as {@code {a: {b: {c: v}}}}. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> nested(Map<String, Object> dotted) {
        Map<String, Object> root = new LinkedHashMap<>();
        dotted.forEach((key, value) -> {
            String[] parts = key.split("\\.");
            Map<String, Object> node = root;
            for (int i = 0; i < parts.length - 1; i++) {
                node = (Map<String, Object>) node.computeIfAbsent(parts[i], k -> new LinkedHashMap<String, Object>());
            }
            node.put(parts[parts.length - 1], value);
        });
        return root;
    }

    private static String indent(String text) {
        return text.lines().map(line -> "  " + line + "\n").collect(Collectors.joining());
    }

    private static String exports(Map<String, Object> env) {
        return env.entrySet().stream()
                .map(e -> e.getKey() + "=" + shellQuoted(String.valueOf(e.getValue())))
                .collect(Collectors.joining(" "));
    }

    private static String shellQuoted(String value) {
        return value.matches("[A-Za-z0-9_./:@%+=,-]+") ? value : "'" + value.replace("'", "'\\''") + "'";
    }
}
