package io.corc.scheduler.local;

import io.corc.api.ProcessTrees;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The content of {@code supervisor.json}: which process supervises a job.
 *
 * @param pid the supervisor JVM's process id
 * @param startedAt its start time as the OS reports it, or {@code null} when unknown
 */
record SupervisorRecord(long pid, Instant startedAt) {

    static SupervisorRecord of(ProcessHandle process) {
        return new SupervisorRecord(process.pid(), ProcessTrees.startOf(process));
    }

    /** The supervisor process while it lives. */
    Optional<ProcessHandle> liveProcess() {
        return ProcessTrees.find(pid, startedAt);
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("pid", pid);
        json.put("started_at", JsonValues.iso(startedAt));
        return json;
    }

    static SupervisorRecord fromJson(Map<String, Object> json) {
        return new SupervisorRecord(((Number) json.get("pid")).longValue(), JsonValues.instant(json.get("started_at")));
    }
}
