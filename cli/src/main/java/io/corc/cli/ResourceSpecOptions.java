package io.corc.cli;

import io.corc.api.CorcException;
import io.corc.api.GpuSpec;
import io.corc.api.ImageSpec;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options that describe a resource to plan or start. */
final class ResourceSpecOptions {
    @Option(names = "--name", description = "Display name (default: corc-<kind>).")
    String name;

    @Option(names = "--min-cores", paramLabel = "N", description = "At least this many CPU cores.")
    int minCores;

    @Option(names = "--min-memory", paramLabel = "GB", description = "At least this much memory, in GiB.")
    double minMemoryGb;

    @Option(names = "--gpus", paramLabel = "N", description = "At least this many GPUs.")
    int gpus;

    @Option(names = "--gpu-type", paramLabel = "MODEL", description = "GPU model, e.g. A100.")
    String gpuType;

    @Option(names = "--arch", description = "CPU architecture, e.g. x86_64, arm64.")
    String architecture;

    @Option(names = "--image", description = "Image id (OCID, AMI, ...).")
    String image;

    @Option(names = "--os", description = "Operating system, e.g. Ubuntu (newest matching image is used).")
    String operatingSystem;

    @Option(names = "--os-version", description = "Operating system version, e.g. 24.04.")
    String operatingSystemVersion;

    @Option(names = "--region", description = "Region (default: the provider's configured one).")
    String region;

    @Option(names = "--zone", description = "Availability zone or domain.")
    String zone;

    @Option(names = "--spot", description = "Accept spot / pre-emptible capacity.")
    boolean spot;

    @Option(names = "--ttl", paramLabel = "DURATION", description = "Stop the resource after this long, e.g. 2h.")
    String ttl;

    @Option(
            names = "--idle-stop",
            paramLabel = "DURATION",
            description = "Stop the resource after it was idle this long, e.g. 30m: no login session and load below"
                    + " corc.ttl.idle_load on the resource, or no corc activity recorded (corc gc).")
    String idleStop;

    @Option(names = "--ssh-key", paramLabel = "FILE", description = "OpenSSH public key file to authorise; repeatable.")
    List<Path> sshKeys = new ArrayList<>();

    @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "Extra tag; repeatable.")
    Map<String, String> tags = new LinkedHashMap<>();

    @Option(names = "--option", paramLabel = "KEY=VALUE", description = "Provider-specific setting; repeatable.")
    Map<String, String> options = new LinkedHashMap<>();

    ResourceSpec toSpec(ResourceKind kind) {
        ImageSpec imageSpec =
                image != null ? ImageSpec.ofId(image) : new ImageSpec(null, operatingSystem, operatingSystemVersion);
        return new ResourceSpec(
                name != null ? name : "corc-" + kind.cliName(),
                kind,
                minCores,
                minMemoryGb,
                new GpuSpec(gpus, gpuType),
                architecture,
                imageSpec,
                region,
                zone,
                spot,
                ttl == null ? null : Durations.parse("--ttl", ttl),
                tags,
                readKeys(),
                withIdleStop());
    }

    private Map<String, String> withIdleStop() {
        if (idleStop == null) {
            return options;
        }
        Map<String, String> all = new LinkedHashMap<>(options);
        all.put(
                io.corc.core.Corc.IDLE_STOP_OPTION,
                Long.toString(Durations.parse("--idle-stop", idleStop).toSeconds()));
        return all;
    }

    private List<String> readKeys() {
        List<String> keys = new ArrayList<>();
        for (Path file : sshKeys) {
            try {
                keys.add(Files.readString(file).strip());
            } catch (IOException e) {
                throw CorcException.invalidInput("cannot read SSH public key " + file + ": " + e.getMessage())
                        .withHint("pass the .pub file of an OpenSSH key pair");
            }
        }
        return keys;
    }
}
