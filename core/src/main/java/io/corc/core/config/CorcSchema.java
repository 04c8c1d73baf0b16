package io.corc.core.config;

import static io.corc.core.config.Schema.bool;
import static io.corc.core.config.Schema.field;
import static io.corc.core.config.Schema.integer;
import static io.corc.core.config.Schema.list;
import static io.corc.core.config.Schema.mapping;
import static io.corc.core.config.Schema.open;
import static io.corc.core.config.Schema.quantity;
import static io.corc.core.config.Schema.string;

import java.util.List;
import java.util.Map;

/**
 * The schema of the whole file, {@code corc: {...}}. The sections and defaults of the Python corc are kept key for
 * key (its upper-case constants such as {@code ANSIBLE} are lower-case keys here, the old spelling is an alias);
 * {@code default_provider}, {@code storage.backend}, {@code storage.local}, {@code schedulers}, {@code broker},
 * {@code providers.local} and {@code providers.jclouds} are ours.
 */
final class CorcSchema {
    static final String ROOT_KEY = "corc";

    static final Schema.Mapping JOB = mapping(
            field(
                    "meta",
                    mapping(
                            field("name", string("")),
                            field("debug", bool(false)),
                            field("env_override", bool(true)),
                            field("num_jobs", integer(1, 1)),
                            field("num_parallel", integer(1, 1)),
                            field("min_cores", integer(1, 0)),
                            field("max_cores", integer(128, 0)),
                            field("min_memory", integer(1, 0)),
                            field("max_memory", integer(128, 0)))),
            field("commands", list(string(null), List.of())),
            field("capture", bool(true)),
            field("output_path", string("/tmp/output")),
            field("working_dir", string("")),
            // Passed on as Kubernetes resource requests and limits, so corc accepted "500m" and "4Gi" too.
            field("min_cores", quantity(null)),
            field("max_cores", quantity(null)),
            field("min_memory", quantity(null)),
            field("max_memory", quantity(null)));

    static final Schema.Mapping STORAGE = mapping(
            field("enable", bool(false)),
            field("backend", string("local")),
            field(
                    "s3",
                    mapping(
                            field("config_file", string("~/.aws/config")),
                            field("credentials_file", string("~/.aws/credentials")),
                            field("name", string("default")),
                            field("bucket_id", string("")),
                            field("bucket_name", string("")),
                            field("bucket_input_prefix", string("input")),
                            field("bucket_output_prefix", string("output")),
                            // ours: the endpoint may also be set here (wins over storage.endpoint)
                            field("endpoint", string("")),
                            field("region", string("")),
                            field("path_style", bool(true)),
                            field("secrets_dir", string("")),
                            field("multipart_threshold_mib", integer(8, 5)),
                            field("multipart_chunksize_mib", integer(8, 5)),
                            field("max_concurrent_requests", integer(16, 1)),
                            field("max_attempts", integer(5, 1)))),
            field(
                    "local",
                    mapping(
                            field("path", string("")),
                            field("bucket_name", string("corc")),
                            field("bucket_input_prefix", string("input")),
                            field("bucket_output_prefix", string("output")))),
            field("endpoint", string("")),
            field("credentials_path", string("/mnt/creds")),
            field("upload_path", string("")),
            field("input_path", string("/tmp/input")),
            field("output_path", string("/tmp/output")),
            field("download_path", string("")));

    static final Schema.Mapping CONFIGURERS = mapping(
                    field(
                            "ansible",
                            mapping(
                                    field("root_path", string("")),
                                    field("playbook_paths", string("")),
                                    field("inventory_path", string("")),
                                    // corc for the JVM: the inventory corc writes, and how ansible logs in
                                    // (docs/configurers.md)
                                    field("host_variables", open()),
                                    field("host_settings", open()),
                                    field("user", string(null)),
                                    field("private_key", string(null)),
                                    field("known_hosts", string(null)),
                                    field("ansible_playbook", string(null)),
                                    field("ssh_wait_seconds", new Schema.Scalar(Schema.Type.INTEGER, null, 1)))),
                    // users, files, scripts, commands and the login settings (docs/ssh.md)
                    field("ssh", open()))
            .withAlias("ANSIBLE", "ansible");

    static final Schema.Mapping SCHEDULERS = mapping(
            field("default", string("local")),
            field("local", mapping(field("max_parallel", integer(0, 0)))),
            field("kubernetes", open()),
            field("slurm", open()),
            field("ssh", open()));

    /** {@code --provider auto}: which providers and regions may be chosen, and the most one resource may cost. */
    static final Schema.Mapping PLACEMENT = mapping(
            field("allowed_providers", list(string(null), List.of())),
            field("allowed_regions", list(string(null), List.of())),
            field("max_hourly_price", new Schema.Scalar(Schema.Type.NUMBER, 0.0, 0)));

    /** Spending caps per user and project (docs/placement.md); {@code users}/{@code projects} map names to caps. */
    static final Schema.Mapping BUDGETS = mapping(
            field("user", string("")), field("project", string("")), field("users", open()), field("projects", open()));

    /**
     * --ttl and --idle-stop on the resource itself: a timer (a loop for idle-stop) installed over SSH runs the command
     * when the TTL runs out or the resource was idle that long (no login session, 1-minute load below idle_load,
     * checked every idle_check_seconds).
     */
    static final Schema.Mapping TTL = mapping(
            field("auto_stop", bool(true)),
            field("auto_stop_command", string("sudo -n poweroff || poweroff")),
            field("idle_load", new Schema.Scalar(Schema.Type.NUMBER, 0.3, 0)),
            field("idle_check_seconds", Schema.integer(60, 1)));

    static final Schema.Mapping CORC = mapping(
            field("default_provider", string("local")),
            field("job", JOB),
            field("storage", STORAGE),
            field("configurers", CONFIGURERS),
            field("schedulers", SCHEDULERS),
            field("providers", ProviderSchema.PROVIDERS),
            field("broker", open()),
            field("placement", PLACEMENT),
            field("budgets", BUDGETS),
            field("ttl", TTL));

    /** The file: a mapping whose only key is {@code corc}. */
    static final Schema.Mapping ROOT = mapping(field(ROOT_KEY, CORC));

    private CorcSchema() {}

    /** A fresh, mutable copy of the built-in defaults, rooted at {@code {"corc": {...}}}. */
    static Map<String, Object> defaults() {
        return ROOT.defaultValue();
    }
}
