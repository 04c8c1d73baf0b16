package io.corc.core.config;

import static io.corc.core.config.Schema.bool;
import static io.corc.core.config.Schema.field;
import static io.corc.core.config.Schema.integer;
import static io.corc.core.config.Schema.list;
import static io.corc.core.config.Schema.mapping;
import static io.corc.core.config.Schema.open;
import static io.corc.core.config.Schema.string;

import java.util.List;

/** The {@code corc.providers} section: corc's {@code oci} and {@code ec2} key for key, plus our own providers. */
final class ProviderSchema {
    static final Schema.Mapping OCI_PROFILE = mapping(
            field("name", string("DEFAULT")),
            field("compartment_id", string("")),
            // The oci provider's own (docs/oci.md): the OCI config file; empty: OCI_CONFIG_FILE or ~/.oci/config.
            field("config_file", string("")));

    static final Schema.Mapping OCI_INSTANCE = mapping(
            field("ssh_authorized_keys", list(string(null), List.of())),
            field("availability_domain", string("")),
            field("operating_system", string("CentOS")),
            field("operating_system_version", string("7")),
            field("shape", string("VM.Standard2.1")),
            // The oci provider's own (docs/oci.md): login user, empty for the image's (opc, ubuntu).
            field("ssh_user", string("")));

    static final Schema.Mapping OCI_CLUSTER = mapping(
            field("id", string("")),
            field("name", string("cluster")),
            field("kubernetes_version", string("")),
            field("domain", string("")),
            field("image", string("nielsbohr/mccode-job-runner:latest")),
            field(
                    "node",
                    mapping(
                            field("id", string("")),
                            field("name", string("NodePool")),
                            field("availability_domain", string("")),
                            field("size", integer(1, 0)),
                            field("node_shape", string("VM.Standard2.1")),
                            // corc took either an image name or a mapping of image selectors.
                            field("image", new Schema.OneOf(string("Oracle-Linux-7.9-2020.11.10-1"), open())))));

    static final Schema.Mapping OCI_ROUTE_RULE = mapping(
            field("id", string("")),
            field("cidr_block", string(null)),
            field("destination", string("0.0.0.0/0")),
            field("destination_type", string("CIDR_BLOCK")));

    static final Schema.Mapping OCI_VCN = mapping(
            field("id", string("")),
            field("dns_label", string("vcn")),
            field("display_name", string("VCN Network")),
            field("cidr_block", string("10.0.0.0/16")),
            field(
                    "subnet",
                    mapping(
                            field("id", string("")),
                            field("display_name", string("worker_subnet")),
                            field("dns_label", string("workers")),
                            field("cidr_block", string("10.0.1.0/24")))),
            field(
                    "internetgateway",
                    mapping(
                            field("id", string("")),
                            field("display_name", string("default_gateway")),
                            field("is_enabled", bool(true)))),
            field(
                    "routetable",
                    mapping(
                            field("id", string("")),
                            field("display_name", string("default_route_table")),
                            field("routerules", list(OCI_ROUTE_RULE, List.of(OCI_ROUTE_RULE.defaultValue()))))));

    static final Schema.Mapping OCI = mapping(
            field("profile", OCI_PROFILE),
            field("instance", OCI_INSTANCE),
            field("cluster", OCI_CLUSTER),
            field("vcn", OCI_VCN),
            // The oci provider's own settings (docs/oci.md).
            field("endpoint", string("")),
            field("ssh_port", integer(22, 1)),
            field("ssh_wait_seconds", integer(300, 0)),
            field("wait_timeout_seconds", integer(900, 1)),
            field("poll_interval_ms", integer(3000, 1)),
            field("owner", string("")),
            field("max_attempts", integer(8, 1)),
            field("read_timeout_seconds", integer(60, 1)));

    static final Schema.Mapping EC2 = mapping(
            field(
                    "profile",
                    mapping(
                            field("name", string("default")),
                            field("config_file", string("~/.aws/config")),
                            field("credentials_file", string("~/.aws/credentials")),
                            // corc's EC2 driver also read the region from the profile.
                            field("region", string("")))),
            field(
                    "instance",
                    mapping(
                            field("name", string("instance")),
                            // corc's defaults, kept so its files load unchanged; the ec2 provider reads these two
                            // values as "not chosen" and selects a type and the newest image instead (docs/ec2.md).
                            field("image", string("ami-0f18ced0fd6aae5c2")),
                            field("size", string("t1.micro")),
                            field("ssh_authorized_key", string("")),
                            field("operating_system", string("Ubuntu")),
                            field("operating_system_version", string("24.04")),
                            field("ssh_user", string("")))),
            // The ec2 provider's own settings (docs/ec2.md).
            field("endpoint", string("")),
            field("zones", list(string(null), List.of())),
            field("vpc_id", string("")),
            field("subnet_id", string("")),
            field("ssh_cidr", string("")),
            field("public_ip", string("auto")),
            field("caller_ip_url", string("https://checkip.amazonaws.com")),
            field("ssh_port", integer(22, 1)),
            field("ssh_wait_seconds", integer(300, 0)),
            field("wait_timeout_seconds", integer(600, 1)),
            field("poll_interval_ms", integer(2000, 1)),
            field("owner", string("")),
            field("max_instance_types", integer(3, 1)),
            field("max_attempts", integer(8, 1)),
            field("read_timeout_seconds", integer(60, 1)),
            field("price_catalog", string("")),
            field("spot", mapping(field("max_price", string("")), field("on_demand_fallback", bool(false)))));

    static final Schema.Mapping PROVIDERS = mapping(
            field("local", mapping(field("root", string("")))),
            field("oci", OCI),
            field("ec2", EC2),
            field("jclouds", open()));

    private ProviderSchema() {}
}
