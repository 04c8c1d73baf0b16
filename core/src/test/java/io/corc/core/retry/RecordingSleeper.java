package io.corc.core.retry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Records the requested delays instead of waiting; optionally fails like an interrupted sleep. */
final class RecordingSleeper implements Sleeper {
    private final List<Duration> delays = new ArrayList<>();
    private boolean interrupt;

    static RecordingSleeper interrupting() {
        RecordingSleeper sleeper = new RecordingSleeper();
        sleeper.interrupt = true;
        return sleeper;
    }

    @Override
    public void sleep(Duration delay) throws InterruptedException {
        delays.add(delay);
        if (interrupt) {
            throw new InterruptedException("test interrupt");
        }
    }

    List<Duration> delays() {
        return List.copyOf(delays);
    }
}
