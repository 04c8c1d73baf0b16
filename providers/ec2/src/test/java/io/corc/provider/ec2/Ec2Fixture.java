package io.corc.provider.ec2;

import io.corc.api.InMemoryRecordStore;
import io.corc.api.PluginConfig;
import io.corc.api.ProgressListener;
import io.corc.api.RecordStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A {@link FakeEc2} with a catalogue like a small region's, and orchestrators that talk to it. */
final class Ec2Fixture implements AutoCloseable {
    static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests corc@test";
    static final Map<String, String> ENV = Map.of(
            "AWS_ACCESS_KEY_ID", "AKIDTEST",
            "AWS_SECRET_ACCESS_KEY", "secret-test",
            "AWS_EC2_METADATA_DISABLED", "true",
            "HOME", "/nonexistent-home");

    final FakeEc2 ec2 = new FakeEc2();
    final RecordStore records = new InMemoryRecordStore();
    final List<String> progress = Collections.synchronizedList(new ArrayList<>());

    Ec2Fixture() {
        ec2.standardCatalogue();
    }

    Map<String, Object> config(Map<String, Object> extra) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("profile", Map.of("region", FakeEc2.REGION));
        config.put("endpoint", ec2.url());
        config.put("ssh_cidr", "198.51.100.7/32");
        config.put("ssh_wait_seconds", 0);
        config.put("poll_interval_ms", 1);
        config.put("wait_timeout_seconds", 20);
        config.put("owner", "tester");
        config.putAll(extra);
        return config;
    }

    Ec2InstanceOrchestrator orchestrator(Map<String, Object> extra) {
        return orchestrator(extra, new Random(42), Duration.ofSeconds(30));
    }

    Ec2InstanceOrchestrator orchestrator(Map<String, Object> extra, Random jitter, Duration readTimeout) {
        Ec2Settings settings = Ec2Settings.from(new PluginConfig("corc.providers.ec2", config(extra)), ENV)
                .withReadTimeout(readTimeout);
        return new Ec2InstanceOrchestrator(settings, records, jitter, Duration.ofMillis(1));
    }

    ProgressListener listener() {
        return (step, done, total) -> progress.add(step);
    }

    /** The form parameters of every request with this action, in order. */
    List<Map<String, String>> requests(String action) {
        return ec2.requests(action);
    }

    @Override
    public void close() {
        ec2.shutdown();
    }
}
