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
        ec2.type("t3.micro", 2, 1, "x86_64")
                .type("t3.medium", 2, 4, "x86_64")
                .type("t3a.medium", 2, 4, "x86_64", "us-east-1c")
                .type("m5.large", 2, 8, "x86_64")
                .type("c5.xlarge", 4, 8, "x86_64")
                .type("t3.xlarge", 4, 16, "x86_64")
                .gpuType("g5.xlarge", 4, 16, "x86_64", 1, "A10G", "NVIDIA")
                .gpuType("g4dn.xlarge", 4, 16, "x86_64", 1, "T4", "NVIDIA")
                .gpuType("p3.8xlarge", 32, 244, "x86_64", 4, "V100", "NVIDIA", "us-east-1a")
                .type("t4g.small", 2, 2, "arm64")
                .type("t4g.medium", 2, 4, "arm64");
        ec2.image(
                        "ami-ubuntu-old",
                        "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20240423",
                        Images.CANONICAL,
                        "x86_64",
                        "2024-04-23T10:00:00.000Z")
                .image(
                        "ami-ubuntu-new",
                        "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20261101",
                        Images.CANONICAL,
                        "x86_64",
                        "2026-11-01T10:00:00.000Z")
                .image(
                        "ami-ubuntu-arm",
                        "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20261101",
                        Images.CANONICAL,
                        "arm64",
                        "2026-11-01T10:00:00.000Z")
                .image(
                        "ami-ubuntu-pro",
                        "ubuntu-pro-server/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-pro-server-20261201",
                        Images.CANONICAL,
                        "x86_64",
                        "2026-12-01T10:00:00.000Z")
                .image(
                        "ami-jammy",
                        "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20261101",
                        Images.CANONICAL,
                        "x86_64",
                        "2026-11-02T10:00:00.000Z")
                .image(
                        "ami-al2023",
                        "al2023-ami-2023.6.20261101.0-kernel-6.1-x86_64",
                        "amazon",
                        "x86_64",
                        "2026-11-01T00:00:00.000Z")
                .image(
                        "ami-al2023-min",
                        "al2023-ami-minimal-2023.6.20261120.0-kernel-6.1-x86_64",
                        "amazon",
                        "x86_64",
                        "2026-11-20T00:00:00.000Z");
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
        List<Map<String, String>> found = new ArrayList<>();
        ec2.server().getAllServeEvents().forEach(event -> {
            Map<String, String> params = FakeEc2.parse(event.getRequest().getBodyAsString());
            if (action.equals(params.get("Action"))) {
                found.add(0, params); // the journal is newest first
            }
        });
        return found;
    }

    @Override
    public void close() {
        ec2.shutdown();
    }
}
