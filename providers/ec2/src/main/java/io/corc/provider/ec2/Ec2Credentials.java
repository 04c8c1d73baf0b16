package io.corc.provider.ec2;

import io.corc.api.CorcException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.InstanceProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.profiles.Profile;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;

/**
 * Credentials and region the AWS way, in the default chain's order: environment variables, the profile of the AWS
 * files ({@code providers.ec2.profile}), the container and instance metadata endpoints. corc only reads them, in
 * memory; it never writes them to its own files, state or logs.
 */
final class Ec2Credentials {
    private final Ec2Settings settings;

    Ec2Credentials(Ec2Settings settings) {
        this.settings = settings;
    }

    /** The chain the EC2 client signs with. */
    AwsCredentialsProvider provider() {
        List<AwsCredentialsProvider> chain = new ArrayList<>();
        environment().ifPresent(chain::add);
        profileFile()
                .ifPresent(file -> chain.add(ProfileCredentialsProvider.builder()
                        .profileFile(file)
                        .profileName(settings.profileName())
                        .build()));
        Map<String, String> env = settings.env();
        if (env.containsKey("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
                || env.containsKey("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
            chain.add(ContainerCredentialsProvider.builder().build());
        }
        if (!"true".equalsIgnoreCase(env.getOrDefault("AWS_EC2_METADATA_DISABLED", "false"))) {
            chain.add(InstanceProfileCredentialsProvider.builder().build());
        }
        if (chain.isEmpty()) {
            return () -> {
                throw missingCredentials();
            };
        }
        return AwsCredentialsProviderChain.builder()
                .credentialsProviders(chain)
                .reuseLastProviderEnabled(true)
                .build();
    }

    /** Where credentials would come from without the metadata endpoints, for {@code corc check}; empty if nowhere. */
    Optional<String> source() {
        if (environment().isPresent()) {
            return Optional.of("environment (AWS_ACCESS_KEY_ID)");
        }
        Optional<Profile> profile = profile();
        if (profile.isPresent() && profile.get().property("aws_access_key_id").isPresent()) {
            return Optional.of("profile '" + settings.profileName() + "' in " + settings.credentialsFile());
        }
        if (profile.isPresent()
                && (profile.get().property("role_arn").isPresent()
                        || profile.get().property("sso_session").isPresent()
                        || profile.get().property("sso_start_url").isPresent()
                        || profile.get().property("credential_process").isPresent())) {
            return Optional.of("profile '" + settings.profileName() + "' (role, SSO or process)");
        }
        return Optional.empty();
    }

    /** What is missing, in words, when {@link #source()} is empty. */
    String whatIsMissing() {
        boolean files = Files.isRegularFile(settings.credentialsFile()) || Files.isRegularFile(settings.configFile());
        if (!files) {
            return "no AWS credentials: AWS_ACCESS_KEY_ID is not set and neither " + settings.credentialsFile()
                    + " nor " + settings.configFile() + " exists (run 'aws configure' or set providers.ec2.profile)";
        }
        return "no AWS credentials: AWS_ACCESS_KEY_ID is not set and profile '" + settings.profileName()
                + "' in " + settings.credentialsFile() + " / " + settings.configFile()
                + " has no aws_access_key_id (set providers.ec2.profile.name)";
    }

    /**
     * The region: the spec's, else {@code providers.ec2.profile.region}, else AWS_REGION / AWS_DEFAULT_REGION, else
     * the profile's {@code region}. Unknown region names are refused unless an endpoint is configured.
     */
    Optional<String> region(String requested) {
        String region = firstNonBlank(
                requested,
                settings.region(),
                settings.env().get("AWS_REGION"),
                settings.env().get("AWS_DEFAULT_REGION"),
                profile().flatMap(p -> p.property("region")).orElse(null));
        if (region == null) {
            return Optional.empty();
        }
        if (settings.endpoint() == null && !Region.regions().contains(Region.of(region))) {
            throw CorcException.invalidInput("unknown AWS region '" + region + "'")
                    .withHint("use a region such as us-east-1 or eu-west-1 (aws ec2 describe-regions lists yours); for"
                            + " a region newer than corc, set providers.ec2.endpoint")
                    .withContext(Ec2OrchestratorFactory.NAME, null);
        }
        return Optional.of(region);
    }

    String requireRegion(String requested) {
        return region(requested).orElseThrow(() -> CorcException.invalidInput("no AWS region is set")
                .withHint("pass --region, set providers.ec2.profile.region, AWS_REGION, or 'region' in profile '"
                        + settings.profileName() + "' of " + settings.configFile())
                .withContext(Ec2OrchestratorFactory.NAME, null));
    }

    CorcException missingCredentials() {
        return new CorcException(io.corc.api.ErrorCategory.AUTHENTICATION, whatIsMissing())
                .withHint("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or create the profile with 'aws configure'")
                .withContext(Ec2OrchestratorFactory.NAME, null);
    }

    private Optional<AwsCredentialsProvider> environment() {
        Map<String, String> env = settings.env();
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (isBlank(id) || isBlank(secret)) {
            return Optional.empty();
        }
        String token = env.get("AWS_SESSION_TOKEN");
        return Optional.of(StaticCredentialsProvider.create(
                isBlank(token)
                        ? AwsBasicCredentials.create(id, secret)
                        : AwsSessionCredentials.create(id, secret, token)));
    }

    private Optional<Profile> profile() {
        return profileFile().flatMap(file -> file.profile(settings.profileName()));
    }

    private Optional<ProfileFile> profileFile() {
        ProfileFile.Aggregator aggregator = ProfileFile.aggregator();
        boolean any = false;
        any |= add(aggregator, settings.configFile(), ProfileFile.Type.CONFIGURATION);
        any |= add(aggregator, settings.credentialsFile(), ProfileFile.Type.CREDENTIALS);
        return any ? Optional.of(aggregator.build()) : Optional.empty();
    }

    private static boolean add(ProfileFile.Aggregator aggregator, Path file, ProfileFile.Type type) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        aggregator.addFile(ProfileFile.builder().content(file).type(type).build());
        return true;
    }

    private static String firstNonBlank(String... values) {
        for (String value : values) {
            if (!isBlank(value)) {
                return value.strip();
            }
        }
        return null;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
