package io.corc.core.state;

import io.corc.api.StateRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A child JVM for the cross-process tests of {@link FileStateStore}. Modes:
 *
 * <ul>
 *   <li>{@code increment <stateDir> <n> <worker>}: n read-modify-write increments of counter/shared, and one record
 *       worker/{@code <worker>-<i>} per increment
 *   <li>{@code rewrite <stateDir> <size>}: rewrites blob/big forever, each version self-consistent; prints
 *       {@code wrote <seq>} after each write
 *   <li>{@code hold <stateDir>}: takes the lock, prints {@code locked} and keeps it until stdin is closed
 * </ul>
 */
public final class StateStoreStressMain {
    private StateStoreStressMain() {}

    public static void main(String[] args) throws IOException {
        FileStateStore store = FileStateStore.open(Path.of(args[1]));
        PrintStream out = System.out;
        switch (args[0]) {
            case "increment" -> increment(store, Integer.parseInt(args[2]), args[3]);
            case "rewrite" -> rewrite(store, Integer.parseInt(args[2]), out);
            case "hold" -> hold(store, System.in, out);
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void increment(FileStateStore store, int n, String worker) {
        for (int i = 0; i < n; i++) {
            store.update("counter", "shared", StateStoreStressMain::increment);
            store.put(StateRecord.create("worker", worker + "-" + i, "done", Map.of("worker", worker, "index", i)));
        }
    }

    private static void rewrite(FileStateStore store, int size, PrintStream out) {
        for (int seq = 1; ; seq++) {
            store.put(blob(seq, size));
            out.println("wrote " + seq);
            out.flush();
        }
    }

    private static void hold(FileStateStore store, InputStream in, PrintStream out) {
        store.update("job", "held", current -> {
            out.println("locked");
            out.flush();
            try {
                while (in.read() >= 0) {
                    // wait for the parent to close our stdin
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return StateRecord.create("job", "held", "released", Map.of());
        });
    }

    /** Adds one to counter/shared's count, creating it at 1. */
    static StateRecord increment(StateRecord current) {
        if (current == null) {
            return StateRecord.create("counter", "shared", "counting", Map.of("count", 1));
        }
        return current.with("count", ((Number) current.data().get("count")).intValue() + 1);
    }

    /** Version {@code seq} of blob/big: {@code size} copies of seq and a checksum over them. */
    static StateRecord blob(int seq, int size) {
        return StateRecord.create(
                "blob",
                "big",
                "version-" + seq,
                Map.of("seq", seq, "values", Collections.nCopies(size, seq), "checksum", checksum(seq, size)));
    }

    static long checksum(int seq, int size) {
        return (long) seq * size + size;
    }

    /** Whether {@code record} is one whole version as written by {@link #blob(int, int)}. */
    static boolean isConsistent(StateRecord record, int size) {
        int seq = ((Number) record.data().get("seq")).intValue();
        List<?> values = (List<?>) record.data().get("values");
        long checksum = ((Number) record.data().get("checksum")).longValue();
        return record.status().equals("version-" + seq)
                && values.size() == size
                && values.stream().allMatch(value -> ((Number) value).intValue() == seq)
                && checksum == checksum(seq, size);
    }
}
