package io.corc.provider.ec2;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.ResourceSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypeOfferingsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.GpuDeviceInfo;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.InstanceTypeOffering;
import software.amazon.awssdk.services.ec2.model.LocationType;

/**
 * Chooses instance types: the one named, or every current-generation type of the architecture that meets the
 * spec's minimum vCPUs, memory and GPUs and is offered in at least one usable zone
 * (DescribeInstanceTypes ∩ DescribeInstanceTypeOfferings, both paginated), smallest first (vCPUs, memory, GPUs),
 * then cheapest by the price catalog.
 */
final class InstanceTypes {
    /** One candidate type with the zones it is offered in. */
    record Candidate(
            String name,
            int vcpus,
            double memoryGib,
            int gpus,
            String gpuModel,
            String architecture,
            Double hourlyPrice,
            List<String> zones) {}

    /** The ordered candidates and why. */
    record Selection(List<Candidate> candidates, String reason) {
        Candidate first() {
            return candidates.get(0);
        }
    }

    private final Ec2Calls calls;
    private final PriceCatalog prices;

    InstanceTypes(Ec2Calls calls, PriceCatalog prices) {
        this.calls = calls;
        this.prices = prices;
    }

    static String architecture(String requested) {
        if (requested == null || requested.isBlank()) {
            return "x86_64";
        }
        return switch (requested.strip().toLowerCase(Locale.ROOT)) {
            case "x86_64", "amd64", "x64", "x86-64" -> "x86_64";
            case "arm64", "aarch64", "arm" -> "arm64";
            default ->
                throw CorcException.invalidInput("unknown architecture '" + requested + "'")
                        .withHint("use x86_64 or arm64")
                        .withContext(Ec2OrchestratorFactory.NAME, "plan");
        };
    }

    /**
     * @param named an instance type the user named, or blank to select
     * @param usableZones zones the network can place an instance in, in the order to try them
     */
    Selection select(ResourceSpec spec, String named, String region, List<String> usableZones) {
        String arch = architecture(spec.architecture());
        Map<String, Set<String>> offered = offerings(named, usableZones);
        if (named != null && !named.isBlank()) {
            List<InstanceTypeInfo> infos;
            try {
                infos = calls.all("DescribeInstanceTypes", ec2 -> ec2.describeInstanceTypesPaginator(
                                DescribeInstanceTypesRequest.builder()
                                        .instanceTypesWithStrings(named)
                                        .build())
                        .instanceTypes());
            } catch (CorcException e) {
                if (e.getCause() != null && Ec2Errors.code(e.getCause()).startsWith("InvalidInstanceType")) {
                    throw unknownType(named, region, e.getCause());
                }
                throw e;
            }
            if (infos.isEmpty()) {
                throw unknownType(named, region, null);
            }
            Candidate candidate = candidate(infos.get(0), region, offered, usableZones);
            if (candidate.zones().isEmpty()) {
                throw new CorcException(
                                ErrorCategory.CAPACITY,
                                "instance type " + named + " is not offered in " + describeZones(region, usableZones))
                        .withHint("choose another type (aws ec2 describe-instance-type-offerings lists them) or zone")
                        .withContext(Ec2OrchestratorFactory.NAME, "plan");
            }
            return new Selection(List.of(candidate), "instance type " + named + " as asked");
        }
        List<Candidate> fitting = new ArrayList<>();
        int described = 0;
        for (InstanceTypeInfo info : calls.all("DescribeInstanceTypes", ec2 -> ec2.describeInstanceTypesPaginator(
                        DescribeInstanceTypesRequest.builder()
                                .filters(
                                        filter("current-generation", "true"),
                                        filter("processor-info.supported-architecture", arch))
                                .maxResults(100)
                                .build())
                .instanceTypes())) {
            described++;
            Candidate candidate = candidate(info, region, offered, usableZones);
            if (fits(candidate, spec) && !candidate.zones().isEmpty()) {
                fitting.add(candidate);
            }
        }
        fitting.sort(Comparator.comparingInt(Candidate::vcpus)
                .thenComparingDouble(Candidate::memoryGib)
                .thenComparingInt(Candidate::gpus)
                .thenComparing(c -> c.hourlyPrice() == null ? Double.MAX_VALUE : c.hourlyPrice())
                .thenComparing(Candidate::name));
        String wanted = wanted(spec, arch);
        if (fitting.isEmpty()) {
            throw new CorcException(
                            ErrorCategory.CAPACITY,
                            "no instance type with " + wanted + " is offered in " + describeZones(region, usableZones)
                                    + " (" + described + " current-generation " + arch + " types looked at)")
                    .withHint("lower the minimums, try another region (--region) or architecture (--arch)")
                    .withContext(Ec2OrchestratorFactory.NAME, "plan");
        }
        Candidate first = fitting.get(0);
        String reason = "smallest of " + fitting.size() + " of " + described + " current-generation " + arch
                + " types with " + wanted + " offered in " + describeZones(region, usableZones) + ": " + first.name()
                + " (" + first.vcpus() + " vCPU, " + format(first.memoryGib()) + " GiB"
                + (first.gpus() > 0 ? ", " + first.gpus() + " x " + first.gpuModel() : "")
                + (first.hourlyPrice() == null ? ", price unknown" : ", $" + first.hourlyPrice() + "/h")
                + "); smaller types first, then cheaper (prices: " + prices.source() + ")"
                + (fitting.size() > 1
                        ? "; next: "
                                + String.join(
                                        ", ",
                                        fitting.subList(1, Math.min(fitting.size(), 4)).stream()
                                                .map(Candidate::name)
                                                .toList())
                        : "");
        return new Selection(List.copyOf(fitting), reason);
    }

    private Map<String, Set<String>> offerings(String named, List<String> usableZones) {
        List<Filter> filters = new ArrayList<>();
        if (!usableZones.isEmpty()) {
            filters.add(Filter.builder().name("location").values(usableZones).build());
        }
        if (named != null && !named.isBlank()) {
            filters.add(filter("instance-type", named));
        }
        Map<String, Set<String>> offered = new HashMap<>();
        for (InstanceTypeOffering offering :
                calls.all("DescribeInstanceTypeOfferings", ec2 -> ec2.describeInstanceTypeOfferingsPaginator(
                                DescribeInstanceTypeOfferingsRequest.builder()
                                        .locationType(LocationType.AVAILABILITY_ZONE)
                                        .filters(filters)
                                        .maxResults(1000)
                                        .build())
                        .instanceTypeOfferings())) {
            offered.computeIfAbsent(offering.instanceTypeAsString(), k -> new TreeSet<>())
                    .add(offering.location());
        }
        return offered;
    }

    private Candidate candidate(
            InstanceTypeInfo info, String region, Map<String, Set<String>> offered, List<String> usableZones) {
        int gpus = 0;
        List<String> models = new ArrayList<>();
        if (info.gpuInfo() != null) {
            for (GpuDeviceInfo gpu : info.gpuInfo().gpus()) {
                gpus += gpu.count() == null ? 0 : gpu.count();
                models.add((gpu.manufacturer() == null ? "" : gpu.manufacturer() + " ") + gpu.name());
            }
        }
        Set<String> zones = offered.getOrDefault(info.instanceTypeAsString(), Set.of());
        List<String> ordered = usableZones.isEmpty()
                ? List.copyOf(zones)
                : usableZones.stream().filter(zones::contains).toList();
        List<String> arches =
                info.processorInfo() == null ? List.of() : info.processorInfo().supportedArchitecturesAsStrings();
        return new Candidate(
                info.instanceTypeAsString(),
                info.vCpuInfo() == null || info.vCpuInfo().defaultVCpus() == null
                        ? 0
                        : info.vCpuInfo().defaultVCpus(),
                info.memoryInfo() == null || info.memoryInfo().sizeInMiB() == null
                        ? 0
                        : info.memoryInfo().sizeInMiB() / 1024.0,
                gpus,
                String.join("+", models),
                arches.contains("x86_64") ? "x86_64" : arches.contains("arm64") ? "arm64" : "x86_64",
                prices.hourly(region, info.instanceTypeAsString()).orElse(null),
                ordered);
    }

    private static boolean fits(Candidate candidate, ResourceSpec spec) {
        if (candidate.vcpus() < spec.minCores() || candidate.memoryGib() + 1e-9 < spec.minMemoryGb()) {
            return false;
        }
        if (candidate.gpus() < spec.gpus().count()) {
            return false;
        }
        String type = spec.gpus().type();
        return type == null
                || type.isBlank()
                || candidate
                        .gpuModel()
                        .toLowerCase(Locale.ROOT)
                        .contains(type.strip().toLowerCase(Locale.ROOT));
    }

    static CorcException unknownType(String named, String region, Throwable cause) {
        CorcException e = CorcException.invalidInput("instance type '" + named + "' does not exist in " + region)
                .withHint("name a type such as t3.micro (aws ec2 describe-instance-types lists them), or leave it out"
                        + " and pass --min-cores/--min-memory/--gpus")
                .withContext(Ec2OrchestratorFactory.NAME, "plan");
        return cause == null ? e : e.withCause(cause);
    }

    private static String wanted(ResourceSpec spec, String arch) {
        List<String> parts = new ArrayList<>();
        parts.add(">= " + spec.minCores() + " vCPU");
        parts.add(">= " + format(spec.minMemoryGb()) + " GiB");
        if (spec.gpus().count() > 0) {
            parts.add(">= " + spec.gpus().count() + " GPU"
                    + (spec.gpus().type() == null ? "" : " " + spec.gpus().type()));
        }
        return String.join(", ", parts);
    }

    private static String describeZones(String region, List<String> zones) {
        return zones.isEmpty() ? region : region + " (" + String.join(", ", zones) + ")";
    }

    static String format(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    static Filter filter(String name, String... values) {
        return Filter.builder().name(name).values(values).build();
    }
}
