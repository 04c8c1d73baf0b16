package io.corc.provider.ec2;

import io.corc.api.CorcException;
import io.corc.api.PluginConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The {@code corc.providers.ec2} section, read once. Credentials are never part of it: they stay in the AWS files
 * and environment ({@link Ec2Credentials}).
 *
 * <p>The schema keeps the Python corc's defaults for {@code instance.size} ({@code t1.micro}) and {@code
 * instance.image} (an AMI of one region) so that corc's files load unchanged. A 2006 instance type and a
 * region-specific AMI make no sense as defaults, so those two exact values are read as "not chosen" and corc
 * selects a type and an image instead (docs/ec2.md).
 */
record Ec2Settings(
        String profileName,
        Path configFile,
        Path credentialsFile,
        String region,
        URI endpoint,
        List<String> zones,
        String vpcId,
        String subnetId,
        String sshCidr,
        String publicIp,
        URI callerIpUrl,
        int sshPort,
        Duration sshWait,
        Duration waitTimeout,
        Duration pollInterval,
        String instanceType,
        String imageId,
        String operatingSystem,
        String operatingSystemVersion,
        String sshUser,
        String extraAuthorizedKey,
        String owner,
        int maxInstanceTypes,
        String spotMaxPrice,
        boolean spotOnDemandFallback,
        Path priceCatalog,
        int maxAttempts,
        Duration readTimeout,
        Map<String, String> env) {

    static final String LEGACY_DEFAULT_SIZE = "t1.micro";
    static final String LEGACY_DEFAULT_IMAGE = "ami-0f18ced0fd6aae5c2";

    static Ec2Settings from(PluginConfig config, Map<String, String> env) {
        PluginConfig profile = config.section("profile");
        PluginConfig instance = config.section("instance");
        PluginConfig spot = config.section("spot");
        String size = instance.string("size", "");
        String image = instance.string("image", "");
        String endpoint = config.string("endpoint", "");
        String callerIp = config.string("caller_ip_url", "https://checkip.amazonaws.com");
        String catalog = config.string("price_catalog", "");
        return new Ec2Settings(
                awsDefault(profile.string("name", "default"), "default", env.get("AWS_PROFILE")),
                expand(
                        awsDefault(
                                profile.string("config_file", "~/.aws/config"),
                                "~/.aws/config",
                                env.get("AWS_CONFIG_FILE")),
                        env),
                expand(
                        awsDefault(
                                profile.string("credentials_file", "~/.aws/credentials"),
                                "~/.aws/credentials",
                                env.get("AWS_SHARED_CREDENTIALS_FILE")),
                        env),
                profile.string("region", ""),
                endpoint.isBlank() ? null : uri(config, "endpoint", endpoint),
                config.strings("zones"),
                config.string("vpc_id", ""),
                config.string("subnet_id", ""),
                config.string("ssh_cidr", ""),
                publicIp(config),
                callerIp.isBlank() ? null : uri(config, "caller_ip_url", callerIp),
                config.integer("ssh_port", 22),
                Duration.ofSeconds(config.integer("ssh_wait_seconds", 300)),
                Duration.ofSeconds(config.integer("wait_timeout_seconds", 600)),
                Duration.ofMillis(config.integer("poll_interval_ms", 2000)),
                size.equals(LEGACY_DEFAULT_SIZE) ? "" : size,
                image.equals(LEGACY_DEFAULT_IMAGE) ? "" : image,
                instance.string("operating_system", "Ubuntu"),
                instance.string("operating_system_version", "24.04"),
                instance.string("ssh_user", ""),
                instance.string("ssh_authorized_key", ""),
                config.string("owner", System.getProperty("user.name", "corc")),
                Math.max(1, config.integer("max_instance_types", 3)),
                spot.string("max_price", ""),
                spot.bool("on_demand_fallback", false),
                catalog.isBlank() ? null : expand(catalog, env),
                Math.max(1, config.integer("max_attempts", 8)),
                Duration.ofSeconds(Math.max(1, config.integer("read_timeout_seconds", 60))),
                Map.copyOf(env));
    }

    /** Read timeout override for tests, where a "timeout" must be short. */
    Ec2Settings withReadTimeout(Duration timeout) {
        return new Ec2Settings(
                profileName,
                configFile,
                credentialsFile,
                region,
                endpoint,
                zones,
                vpcId,
                subnetId,
                sshCidr,
                publicIp,
                callerIpUrl,
                sshPort,
                sshWait,
                waitTimeout,
                pollInterval,
                instanceType,
                imageId,
                operatingSystem,
                operatingSystemVersion,
                sshUser,
                extraAuthorizedKey,
                owner,
                maxInstanceTypes,
                spotMaxPrice,
                spotOnDemandFallback,
                priceCatalog,
                maxAttempts,
                timeout,
                env);
    }

    /**
     * The AWS tools' environment (AWS_PROFILE, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE) replaces a setting left
     * at its default, as it does for the AWS CLI; a value set in corc's configuration wins.
     */
    private static String awsDefault(String configured, String defaultValue, String fromEnvironment) {
        return configured.equals(defaultValue) && fromEnvironment != null && !fromEnvironment.isBlank()
                ? fromEnvironment
                : configured;
    }

    private static String publicIp(PluginConfig config) {
        String value = config.string("public_ip", "auto").strip().toLowerCase(java.util.Locale.ROOT);
        if (!value.equals("auto") && !value.equals("true") && !value.equals("false")) {
            throw CorcException.invalidInput(
                            config.path() + ".public_ip must be auto, true or false, got '" + value + "'")
                    .withHint("auto takes the subnet's setting")
                    .withContext(Ec2OrchestratorFactory.NAME, null);
        }
        return value;
    }

    private static URI uri(PluginConfig config, String key, String value) {
        try {
            URI uri = URI.create(value);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw CorcException.invalidInput(config.path() + "." + key + " is not a URL: '" + value + "'")
                    .withHint("write it as https://host[:port]")
                    .withContext(Ec2OrchestratorFactory.NAME, null);
        }
    }

    private static Path expand(String path, Map<String, String> env) {
        if (path.equals("~") || path.startsWith("~/")) {
            String home = env.getOrDefault("HOME", System.getProperty("user.home"));
            return Path.of(home + path.substring(1));
        }
        return Path.of(path);
    }
}
