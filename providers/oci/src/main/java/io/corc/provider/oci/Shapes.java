package io.corc.provider.oci;

import com.oracle.bmc.core.model.Shape;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.ResourceSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Shape choice: the named shape, or the smallest offered shape that meets the spec. A fixed shape fits with its own
 * OCPUs, memory and GPUs; a flexible shape fits when OCPUs and memory within its ranges meet the minimums, and is
 * then sized at the smallest such values (memory at least the shape's default per OCPU when no minimum was asked).
 * Smallest means fewest GPUs, then fewest OCPUs, then least memory, then flexible before fixed (pay for what you
 * ask), then x86_64 before Arm (when no architecture was asked), then name. corc counts an OCPU as a core (an OCPU is one physical core at OCI).
 */
final class Shapes {

    /** A shape sized for the spec. {@code flexible} shapes need {@code ocpus} and {@code memoryGb} at launch. */
    record Choice(String name, float ocpus, float memoryGb, int gpus, boolean flexible, String architecture) {
        String describe() {
            return name + " (" + fmt(ocpus) + " OCPU, " + fmt(memoryGb) + " GB" + (gpus > 0 ? ", " + gpus + " GPU" : "")
                    + (flexible ? ", flexible" : "") + ")";
        }
    }

    record Selection(List<Choice> fitting, int considered, String reason) {
        Choice first() {
            return fitting.get(0);
        }
    }

    private Shapes() {}

    static Selection select(List<Shape> offered, ResourceSpec spec, String named, String availabilityDomain) {
        List<Choice> fitting = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Shape shape : offered) {
            names.add(shape.getShape());
            if (!named.isBlank() && !shape.getShape().equals(named)) {
                continue;
            }
            fit(shape, spec, !named.isBlank()).ifPresent(fitting::add);
        }
        if (!named.isBlank()) {
            if (fitting.isEmpty()) {
                boolean offeredHere = names.contains(named);
                throw new CorcException(
                                offeredHere ? ErrorCategory.INVALID_INPUT : ErrorCategory.CAPACITY,
                                offeredHere
                                        ? "shape " + named + " does not meet " + wanted(spec)
                                        : "shape " + named + " is not offered in " + availabilityDomain + " (offered: "
                                                + String.join(", ", names) + ")")
                        .withHint(
                                offeredHere
                                        ? "lower the minimums or name a bigger shape"
                                        : "name an offered shape (--option shape=...), or another availability domain");
            }
            return new Selection(fitting, offered.size(), "shape " + named + " as asked");
        }
        if (fitting.isEmpty()) {
            throw new CorcException(
                            ErrorCategory.CAPACITY,
                            "none of the " + offered.size() + " shapes offered in " + availabilityDomain + " meets "
                                    + wanted(spec))
                    .withHint("lower --min-cores/--min-memory/--gpus, or try another availability domain (--zone)");
        }
        fitting.sort(Comparator.comparingInt(Choice::gpus)
                .thenComparingDouble(Choice::ocpus)
                .thenComparingDouble(Choice::memoryGb)
                .thenComparing(c -> !c.flexible())
                .thenComparing(c -> !c.architecture().equals("x86_64"))
                .thenComparing(Choice::name));
        return new Selection(
                fitting,
                offered.size(),
                "smallest of " + fitting.size() + " of " + offered.size() + " shapes in " + availabilityDomain
                        + " meeting " + wanted(spec) + ": " + fitting.get(0).describe());
    }

    static Optional<Choice> fit(Shape shape, ResourceSpec spec, boolean named) {
        int gpus = shape.getGpus() == null ? 0 : shape.getGpus();
        if (gpus < spec.gpus().count()) {
            return Optional.empty();
        }
        if (!named && spec.gpus().count() == 0 && gpus > 0) {
            return Optional.empty(); // never pay for GPUs nobody asked for
        }
        String gpuType = spec.gpus().type();
        if (gpuType != null
                && !gpuType.isBlank()
                && !String.valueOf(shape.getGpuDescription())
                        .toLowerCase(Locale.ROOT)
                        .contains(gpuType.toLowerCase(Locale.ROOT))) {
            return Optional.empty();
        }
        String arch = architecture(shape);
        if (spec.architecture() != null
                && !spec.architecture().isBlank()
                && !normalise(spec.architecture()).equals(arch)) {
            return Optional.empty();
        }
        boolean flexible = Boolean.TRUE.equals(shape.getIsFlexible()) && shape.getOcpuOptions() != null;
        double minCores = spec.minCores();
        double minMemory = spec.minMemoryGb();
        if (!flexible) {
            float ocpus = shape.getOcpus() == null ? 0 : shape.getOcpus();
            float memory = shape.getMemoryInGBs() == null ? 0 : shape.getMemoryInGBs();
            if (ocpus < minCores || memory < minMemory) {
                return Optional.empty();
            }
            return Optional.of(new Choice(shape.getShape(), ocpus, memory, gpus, false, arch));
        }
        float minOcpus = orZero(shape.getOcpuOptions().getMin());
        float maxOcpus = shape.getOcpuOptions().getMax() == null
                ? Float.MAX_VALUE
                : shape.getOcpuOptions().getMax();
        var memoryOptions = shape.getMemoryOptions();
        float minPerOcpu = memoryOptions == null ? 0 : orZero(memoryOptions.getMinPerOcpuInGBs());
        float maxPerOcpu = memoryOptions == null || memoryOptions.getMaxPerOcpuInGBs() == null
                ? Float.MAX_VALUE
                : memoryOptions.getMaxPerOcpuInGBs();
        float defaultPerOcpu = memoryOptions == null ? 0 : orZero(memoryOptions.getDefaultPerOcpuInGBs());
        float minMem = memoryOptions == null ? 0 : orZero(memoryOptions.getMinInGBs());
        float maxMem = memoryOptions == null || memoryOptions.getMaxInGBs() == null
                ? Float.MAX_VALUE
                : memoryOptions.getMaxInGBs();
        float ocpus = (float) Math.max(Math.max(1, minOcpus), Math.ceil(minCores));
        if (minMemory > 0 && maxPerOcpu < Float.MAX_VALUE) {
            ocpus = (float) Math.max(ocpus, Math.ceil(minMemory / maxPerOcpu));
        }
        float memory = (float) Math.ceil(Math.max(
                Math.max(minMemory, minMem),
                ocpus * (minMemory > 0 ? minPerOcpu : Math.max(minPerOcpu, defaultPerOcpu))));
        if (ocpus > maxOcpus || memory > maxMem || memory > ocpus * maxPerOcpu) {
            return Optional.empty();
        }
        return Optional.of(new Choice(shape.getShape(), ocpus, memory, gpus, true, arch));
    }

    static String architecture(Shape shape) {
        String processor = String.valueOf(shape.getProcessorDescription()).toLowerCase(Locale.ROOT);
        String name = shape.getShape().toLowerCase(Locale.ROOT);
        return processor.contains("ampere") || name.contains(".a1.") || name.contains(".a2.") ? "arm64" : "x86_64";
    }

    private static String normalise(String architecture) {
        String a = architecture.toLowerCase(Locale.ROOT);
        return a.equals("aarch64") || a.equals("arm")
                ? "arm64"
                : a.equals("amd64") || a.equals("x86-64") ? "x86_64" : a;
    }

    private static float orZero(Float value) {
        return value == null ? 0 : value;
    }

    static String wanted(ResourceSpec spec) {
        List<String> parts = new ArrayList<>();
        parts.add(">= " + spec.minCores() + " OCPU");
        parts.add(">= " + fmt(spec.minMemoryGb()) + " GB");
        parts.add(
                spec.gpus().count() == 0
                        ? "no GPU"
                        : ">= " + spec.gpus().count() + " GPU"
                                + (spec.gpus().type() == null
                                        ? ""
                                        : " " + spec.gpus().type()));
        if (spec.architecture() != null && !spec.architecture().isBlank()) {
            parts.add(spec.architecture());
        }
        return String.join(", ", parts);
    }

    static String fmt(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
