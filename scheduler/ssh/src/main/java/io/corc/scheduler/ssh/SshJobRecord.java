package io.corc.scheduler.ssh;

import com.fasterxml.jackson.core.type.TypeReference;
import io.corc.api.JobSpec;
import io.corc.api.StateRecord;
import io.corc.api.TaskStatus;
import io.corc.jobio.JobJson;
import io.corc.ssh.KnownHosts;
import io.corc.ssh.SshTarget;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What corc keeps in its state store for a job on an SSH host ({@code ssh-job/<corc job id>}): where it runs (login
 * and job directory) and the spec, written before the first remote call so that {@link SshScheduler#remove} can
 * clean up after a submission that died half-way; later the tasks whose outcome is final (outputs staged), so a
 * finished job is read without the host, and the stage-out claims that keep two corc processes from staging the
 * same task at once. Paths of the key and known_hosts file, never their content.
 */
final class SshJobRecord {
    static final String TYPE = "ssh-job";

    static final String SUBMITTING = "submitting";
    static final String SUBMITTED = "submitted";
    static final String ROLLBACK_PENDING = "rollback-pending";

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final StateRecord record;

    SshJobRecord(StateRecord record) {
        this.record = record;
    }

    static StateRecord create(
            JobSpec spec, SshTarget target, KnownHosts knownHosts, RemoteJobLayout layout, String staging) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("host", target.host());
        data.put("port", target.port());
        data.put("user", target.user());
        data.put("key", target.privateKey().toString());
        data.put("known_hosts", knownHosts.file().toString());
        data.put("job_dir", layout.dir());
        data.put("staging", staging);
        data.put("spec", JobJson.mapper().convertValue(spec, MAP));
        data.put("cancelled", false);
        return StateRecord.create(TYPE, spec.id(), SUBMITTING, data);
    }

    StateRecord state() {
        return record;
    }

    String jobId() {
        return record.id();
    }

    Instant submittedAt() {
        return record.createdAt();
    }

    SshTarget target() {
        return new SshTarget(
                record.string("host"),
                ((Number) record.data().get("port")).intValue(),
                record.string("user"),
                Path.of(record.string("key")));
    }

    KnownHosts knownHosts() {
        return new KnownHosts(Path.of(record.string("known_hosts")));
    }

    RemoteJobLayout layout() {
        return new RemoteJobLayout(record.string("job_dir"));
    }

    boolean runnerStaging() {
        return "runner".equals(record.string("staging"));
    }

    JobSpec spec() {
        return JobJson.mapper().convertValue(record.data().get("spec"), JobSpec.class);
    }

    boolean cancelled() {
        return Boolean.TRUE.equals(record.data().get("cancelled"));
    }

    /** Seconds the upload of the inputs to the host took at submission (sftp staging), shared by the tasks. */
    double uploadSeconds() {
        return record.data().get("upload_seconds") instanceof Number n ? n.doubleValue() : 0.0;
    }

    /** Tasks whose outcome is final, by index. */
    Map<Integer, TaskStatus> done() {
        Map<Integer, TaskStatus> done = new TreeMap<>();
        if (record.data().get("done") instanceof Map<?, ?> map) {
            map.forEach((index, status) -> done.put(
                    Integer.valueOf(String.valueOf(index)), JobJson.mapper().convertValue(status, TaskStatus.class)));
        }
        return done;
    }

    /** The record with task {@code status.index()} final, its claim and failures gone. */
    static StateRecord withDone(StateRecord record, TaskStatus status) {
        Map<String, Object> done = submap(record, "done");
        done.put(Integer.toString(status.index()), JobJson.mapper().convertValue(status, MAP));
        StateRecord updated = record.with("done", done);
        return withClaim(updated, status.index(), null);
    }

    /** The stage-out claim of task {@code index}: {@code owner since} (epoch millis), or null. */
    static String claim(StateRecord record, int index) {
        Object claim = submap(record, "claims").get(Integer.toString(index));
        return claim == null ? null : String.valueOf(claim);
    }

    static StateRecord withClaim(StateRecord record, int index, String claim) {
        Map<String, Object> claims = submap(record, "claims");
        if (claim == null) {
            claims.remove(Integer.toString(index));
        } else {
            claims.put(Integer.toString(index), claim);
        }
        return record.with("claims", claims);
    }

    static int failures(StateRecord record, int index) {
        return submap(record, "failures").get(Integer.toString(index)) instanceof Number n ? n.intValue() : 0;
    }

    static StateRecord withFailure(StateRecord record, int index) {
        Map<String, Object> failures = submap(record, "failures");
        failures.put(Integer.toString(index), failures(record, index) + 1);
        return withClaim(record.with("failures", failures), index, null);
    }

    static boolean isDone(StateRecord record, int index) {
        return submap(record, "done").containsKey(Integer.toString(index));
    }

    private static Map<String, Object> submap(StateRecord record, String key) {
        Map<String, Object> copy = new LinkedHashMap<>();
        if (record.data().get(key) instanceof Map<?, ?> map) {
            map.forEach((k, v) -> copy.put(String.valueOf(k), v));
        }
        return copy;
    }
}
