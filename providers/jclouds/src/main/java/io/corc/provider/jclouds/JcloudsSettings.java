package io.corc.provider.jclouds;

import io.corc.api.PluginConfig;
import java.util.Map;

/**
 * {@code corc.providers.jclouds}.
 *
 * @param provider jclouds provider or API id ({@code openstack-nova}, {@code aws-ec2}, {@code stub}); empty: not set up
 * @param endpoint the API endpoint (Keystone for OpenStack); empty: the provider's default
 * @param identity identity (OpenStack {@code tenant:user}, AWS access key); empty: {@code JCLOUDS_IDENTITY}, then
 *     {@code OS_TENANT_NAME:OS_USERNAME}
 * @param credential secret; empty: {@code JCLOUDS_CREDENTIAL}, then {@code OS_PASSWORD}
 * @param region location id to start in; empty: the provider's default
 * @param group jclouds group of corc's nodes (names and security groups carry it), default {@code corc}
 * @param sshUser login user for the endpoint; empty: what jclouds reports, else {@code root}
 */
record JcloudsSettings(
        String provider,
        String endpoint,
        String identity,
        String credential,
        String region,
        String group,
        String sshUser) {

    static JcloudsSettings from(PluginConfig config, Map<String, String> env) {
        String provider = config.string("provider", "");
        // OpenStack's usual environment (an openrc file) applies to the openstack-* APIs only.
        Map<String, String> os = provider.startsWith("openstack") ? env : Map.of();
        String identity = config.string("identity", "");
        if (identity.isBlank()) {
            identity = env.getOrDefault("JCLOUDS_IDENTITY", "");
        }
        if (identity.isBlank() && os.containsKey("OS_USERNAME")) {
            identity = os.getOrDefault("OS_TENANT_NAME", os.getOrDefault("OS_PROJECT_NAME", "")) + ":"
                    + os.get("OS_USERNAME");
        }
        String credential = config.string("credential", "");
        if (credential.isBlank()) {
            credential = env.getOrDefault("JCLOUDS_CREDENTIAL", os.getOrDefault("OS_PASSWORD", ""));
        }
        String endpoint = config.string("endpoint", "");
        if (endpoint.isBlank()) {
            endpoint = os.getOrDefault("OS_AUTH_URL", "");
        }
        return new JcloudsSettings(
                provider,
                endpoint,
                identity,
                credential,
                config.string("region", ""),
                config.string("group", "corc"),
                config.string("ssh_user", ""));
    }

    boolean configured() {
        return !provider.isBlank();
    }
}
