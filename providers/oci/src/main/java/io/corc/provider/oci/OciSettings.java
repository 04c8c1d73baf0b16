package io.corc.provider.oci;

import io.corc.api.PluginConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code corc.providers.oci} section as the provider reads it (docs/oci.md), plus the environment the OCI tools
 * read ({@code OCI_CONFIG_FILE}, {@code OCI_CLI_PROFILE}).
 *
 * @param configFile the OCI config file
 * @param configFileSource where its path came from, for messages
 * @param profileName the profile in it
 * @param compartmentId the compartment to work in; empty when not set
 * @param availabilityDomain the availability domain; empty: the first of the region, then the others on capacity
 * @param shape a shape name; empty: the smallest that fits
 * @param operatingSystem image operating system
 * @param operatingSystemVersion image operating system version
 * @param sshUser login user; empty: the image's
 * @param extraKeys authorized keys from {@code instance.ssh_authorized_keys}
 * @param vcn the network section
 * @param endpoint one endpoint for every OCI service (tests); empty: OCI's for the region
 */
record OciSettings(
        Path configFile,
        String configFileSource,
        String profileName,
        String compartmentId,
        String availabilityDomain,
        String shape,
        String operatingSystem,
        String operatingSystemVersion,
        String sshUser,
        java.util.List<String> extraKeys,
        Vcn vcn,
        String endpoint,
        int sshPort,
        Duration sshWait,
        Duration waitTimeout,
        Duration pollInterval,
        String owner,
        int maxAttempts,
        Duration readTimeout,
        Cluster cluster) {

    /** The {@code cluster} section: OKE cluster and node pool. Empty strings mean "corc chooses". */
    record Cluster(String kubernetesVersion, String nodeShape, int nodeCount, String nodeImage) {}

    static final String PYTHON_DEFAULT_NODE_IMAGE = "Oracle-Linux-7.9-2020.11.10-1";

    /** corc's defaults for the image and shape, read as "not chosen" (the shape and OS are long retired at OCI). */
    static final String PYTHON_DEFAULT_SHAPE = "VM.Standard2.1";

    static final String DEFAULT_OS = "Oracle Linux";
    static final String DEFAULT_OS_VERSION = "9";

    /** The network settings: each object by id, or by display name, or created with these values. */
    record Vcn(
            String id,
            String displayName,
            String dnsLabel,
            String cidrBlock,
            String subnetId,
            String subnetDisplayName,
            String subnetDnsLabel,
            String subnetCidrBlock,
            String gatewayDisplayName,
            String routeTableDisplayName,
            String routeDestination) {}

    static OciSettings from(PluginConfig config, Map<String, String> env) {
        PluginConfig profile = config.section("profile");
        String file = profile.string("config_file", "");
        String source = "providers.oci.profile.config_file";
        if (file.isBlank()
                && env.get("OCI_CONFIG_FILE") != null
                && !env.get("OCI_CONFIG_FILE").isBlank()) {
            file = env.get("OCI_CONFIG_FILE");
            source = "OCI_CONFIG_FILE";
        }
        if (file.isBlank()) {
            file = "~/.oci/config";
            source = "the default";
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        Path path = file.startsWith("~/") ? Path.of(home, file.substring(2)) : Path.of(file);
        String profileName = profile.string("name", "DEFAULT");
        String envProfile = env.get("OCI_CLI_PROFILE");
        if (envProfile != null && !envProfile.isBlank()) {
            profileName = envProfile.strip();
        }
        PluginConfig instance = config.section("instance");
        String shape = instance.string("shape", "");
        if (shape.equals(PYTHON_DEFAULT_SHAPE)) {
            shape = "";
        }
        String os = instance.string("operating_system", "");
        String version = instance.string("operating_system_version", "");
        if (os.isBlank() || (os.equals("CentOS") && version.equals("7"))) {
            os = DEFAULT_OS;
            version = DEFAULT_OS_VERSION;
        }
        PluginConfig vcn = config.section("vcn");
        PluginConfig subnet = vcn.section("subnet");
        String destination = "0.0.0.0/0";
        Object rules = vcn.section("routetable").asMap().get("routerules");
        if (rules instanceof java.util.List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?> rule) {
            Object value = rule.get("destination") != null ? rule.get("destination") : rule.get("cidr_block");
            if (value != null && !String.valueOf(value).isBlank()) {
                destination = String.valueOf(value);
            }
        }
        String owner = config.string("owner", "");
        if (owner.isBlank()) {
            owner = System.getProperty("user.name", "corc");
        }
        return new OciSettings(
                path,
                source,
                profileName,
                profile.string("compartment_id", ""),
                instance.string("availability_domain", ""),
                shape,
                os,
                version,
                instance.string("ssh_user", ""),
                instance.strings("ssh_authorized_keys"),
                new Vcn(
                        vcn.string("id", ""),
                        vcn.string("display_name", "VCN Network"),
                        vcn.string("dns_label", "vcn"),
                        vcn.string("cidr_block", "10.0.0.0/16"),
                        subnet.string("id", ""),
                        subnet.string("display_name", "worker_subnet"),
                        subnet.string("dns_label", "workers"),
                        subnet.string("cidr_block", "10.0.1.0/24"),
                        vcn.section("internetgateway").string("display_name", "default_gateway"),
                        vcn.section("routetable").string("display_name", "default_route_table"),
                        destination),
                config.string("endpoint", ""),
                config.integer("ssh_port", 22),
                Duration.ofSeconds(config.integer("ssh_wait_seconds", 300)),
                Duration.ofSeconds(config.integer("wait_timeout_seconds", 900)),
                Duration.ofMillis(config.integer("poll_interval_ms", 3000)),
                owner,
                Math.max(1, config.integer("max_attempts", 8)),
                Duration.ofSeconds(config.integer("read_timeout_seconds", 60)),
                cluster(config.section("cluster")));
    }

    private static Cluster cluster(PluginConfig cluster) {
        PluginConfig node = cluster.section("node");
        String shape = node.string("node_shape", "");
        if (shape.equals(PYTHON_DEFAULT_SHAPE)) {
            shape = "";
        }
        Object image = node.asMap().get("image");
        String nodeImage = image instanceof String text && !text.equals(PYTHON_DEFAULT_NODE_IMAGE) ? text : "";
        return new Cluster(
                cluster.string("kubernetes_version", ""), shape, Math.max(1, node.integer("size", 1)), nodeImage);
    }

    OciSettings withReadTimeout(Duration timeout) {
        return new OciSettings(
                configFile,
                configFileSource,
                profileName,
                compartmentId,
                availabilityDomain,
                shape,
                operatingSystem,
                operatingSystemVersion,
                sshUser,
                extraKeys,
                vcn,
                endpoint,
                sshPort,
                sshWait,
                waitTimeout,
                pollInterval,
                owner,
                maxAttempts,
                timeout,
                cluster);
    }
}
