package io.corc.core.gc;

import static java.util.Objects.requireNonNull;

import io.corc.api.ProcessTrees;
import io.corc.api.RecordStore;
import io.corc.api.StateRecord;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * corc's own intent record around a start ({@value #RECORD_TYPE}, id {@code start-<hex>}): written before the
 * provider is asked, given the resource id when the provider's start returns, and removed when every later step
 * (spend record, auto-stop) is done. It names the process that runs the start (pid and its start time), so {@code
 * corc gc} can tell a start that is still running from one whose process died ({@code kill -9}, power loss) and
 * remove what the dead one made: the resource it named, or, when the provider had not returned yet, the resources of
 * that provider that were still starting or failed since the intent was written and that no live start can own.
 */
public final class StartIntents {
    public static final String RECORD_TYPE = "start-intent";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final RecordStore records;

    public StartIntents(RecordStore records) {
        this.records = requireNonNull(records, "records is null");
    }

    /** Records that this process is about to start a resource at {@code provider}; returns the intent id. */
    public String begin(String provider, String kind, String reservation) {
        byte[] bytes = new byte[5];
        RANDOM.nextBytes(bytes);
        String id = "start-" + java.util.HexFormat.of().formatHex(bytes);
        ProcessHandle self = ProcessHandle.current();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("provider", provider);
        data.put("kind", kind);
        data.put("pid", self.pid());
        Instant processStart = ProcessTrees.startOf(self);
        if (processStart != null) {
            data.put("pid_started_at", processStart.toString());
        }
        data.put("started_at", Instant.now().toString());
        if (reservation != null) {
            data.put("reservation", reservation);
        }
        records.put(StateRecord.create(RECORD_TYPE, id, "starting", data));
        return id;
    }

    /** The provider's start returned {@code resourceId}. */
    public void started(String intent, String resourceId) {
        records.update(
                RECORD_TYPE,
                intent,
                r -> r == null ? null : r.with("resource_id", resourceId).withStatus("started"));
    }

    /** The start finished (every step done) or failed with the provider's own rollback: nothing left to collect. */
    public void finish(String intent) {
        records.delete(RECORD_TYPE, intent);
    }

    public void remove(String intent) {
        records.delete(RECORD_TYPE, intent);
    }

    public List<StateRecord> all() {
        return records.list(RECORD_TYPE);
    }

    /** Whether the process that wrote the intent still runs. */
    public static boolean alive(StateRecord intent) {
        Object pid = intent.data().get("pid");
        if (!(pid instanceof Number number)) {
            return false;
        }
        String started = intent.string("pid_started_at");
        return ProcessTrees.find(number.longValue(), started == null ? null : Instant.parse(started))
                .isPresent();
    }

    public static Instant startedAt(StateRecord intent) {
        String started = intent.string("started_at");
        return started == null ? intent.createdAt() : Instant.parse(started);
    }
}
