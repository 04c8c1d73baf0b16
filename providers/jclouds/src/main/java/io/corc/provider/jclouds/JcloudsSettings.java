package io.corc.provider.jclouds;

import io.corc.api.PluginConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code corc.providers.jclouds}.
 *
 * @param provider jclouds provider or API id ({@code openstack-nova}, {@code aws-ec2}, {@code stub}); empty: not set up
 * @param endpoint the API endpoint (Keystone for OpenStack); empty: the provider's default
 * @param identity identity (OpenStack v3 {@code user-domain:user}, v2 {@code tenant:user}, AWS access key); empty:
 *     {@code JCLOUDS_IDENTITY}, then the {@code OS_*} variables of an openrc file
 * @param credential secret; empty: {@code JCLOUDS_CREDENTIAL}, then {@code OS_PASSWORD}
 * @param region location id to start in; empty: the provider's default
 * @param group jclouds group of corc's nodes (names carry it), default {@code corc}
 * @param sshUser login user for the endpoint; empty: what jclouds reports, else {@code root}
 * @param keystoneVersion OpenStack only: Keystone API version, {@code 3} (default) or {@code 2}
 * @param project OpenStack Keystone v3 only: the project to scope the token to; empty: {@code OS_PROJECT_NAME}
 * @param projectDomain OpenStack Keystone v3 only: the project's domain; empty: {@code OS_PROJECT_DOMAIN_NAME}, else
 *     {@code Default}
 * @param imageId image to boot when the spec names none; empty: jclouds' choice among the provider's images
 * @param securityGroups existing security groups (by name) for corc's nodes; empty: the cloud's default group
 * @param properties further jclouds properties (e.g. poll periods), passed as they are
 */
record JcloudsSettings(
        String provider,
        String endpoint,
        String identity,
        String credential,
        String region,
        String group,
        String sshUser,
        String keystoneVersion,
        String project,
        String projectDomain,
        String imageId,
        List<String> securityGroups,
        Map<String, String> properties) {

    static JcloudsSettings from(PluginConfig config, Map<String, String> env) {
        String provider = config.string("provider", "");
        boolean openstack = provider.startsWith("openstack");
        // OpenStack's usual environment (an openrc file) applies to the openstack-* APIs only.
        Map<String, String> os = openstack ? env : Map.of();
        String keystone = config.string("keystone_version", os.getOrDefault("OS_IDENTITY_API_VERSION", "3"));
        String identity = config.string("identity", "");
        if (identity.isBlank()) {
            identity = env.getOrDefault("JCLOUDS_IDENTITY", "");
        }
        if (identity.isBlank() && os.containsKey("OS_USERNAME")) {
            String prefix = keystone.startsWith("2")
                    ? os.getOrDefault("OS_TENANT_NAME", os.getOrDefault("OS_PROJECT_NAME", ""))
                    : os.getOrDefault("OS_USER_DOMAIN_NAME", "Default");
            identity = prefix + ":" + os.get("OS_USERNAME");
        }
        String credential = config.string("credential", "");
        if (credential.isBlank()) {
            credential = env.getOrDefault("JCLOUDS_CREDENTIAL", os.getOrDefault("OS_PASSWORD", ""));
        }
        String endpoint = config.string("endpoint", "");
        if (endpoint.isBlank()) {
            endpoint = os.getOrDefault("OS_AUTH_URL", "");
        }
        String region = config.string("region", "");
        if (region.isBlank()) {
            region = os.getOrDefault("OS_REGION_NAME", "");
        }
        Map<String, String> properties = new LinkedHashMap<>();
        if (config.has("properties")) {
            config.section("properties").asMap().forEach((key, value) -> properties.put(key, String.valueOf(value)));
        }
        return new JcloudsSettings(
                provider,
                endpoint,
                identity,
                credential,
                region,
                config.string("group", "corc"),
                config.string("ssh_user", ""),
                keystone,
                config.string("project", os.getOrDefault("OS_PROJECT_NAME", "")),
                config.string("project_domain", os.getOrDefault("OS_PROJECT_DOMAIN_NAME", "Default")),
                config.string("image_id", ""),
                config.has("security_groups") ? config.strings("security_groups") : List.of(),
                properties);
    }

    boolean configured() {
        return !provider.isBlank();
    }

    boolean openstack() {
        return provider.startsWith("openstack");
    }

    /** The jclouds overrides these settings make. */
    Properties overrides() {
        Properties overrides = new Properties();
        if (openstack()) {
            overrides.setProperty("jclouds.keystone.version", keystoneVersion);
            if (!keystoneVersion.startsWith("2") && !project.isBlank()) {
                overrides.setProperty("jclouds.keystone.scope", "project:" + project);
                overrides.setProperty("jclouds.keystone.project-domain-name", projectDomain);
            }
            if (!region.isBlank()) {
                overrides.setProperty("jclouds.regions", region);
            }
        }
        properties.forEach(overrides::setProperty);
        return overrides;
    }
}
