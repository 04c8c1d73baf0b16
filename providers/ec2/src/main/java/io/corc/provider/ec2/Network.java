package io.corc.provider.ec2;

import io.corc.api.CorcException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ec2.model.DescribeSubnetsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeVpcsRequest;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ec2.model.Vpc;

/**
 * Where instances go: the configured subnet, else a subnet per zone of the configured VPC, else of the region's
 * default VPC (its default subnet per zone). corc never creates or deletes VPCs or subnets.
 */
final class Network {
    /** The VPC and, per usable zone in the order to try them, the subnet to launch into. */
    record Placement(String vpcId, Map<String, String> subnetByZone, String why) {
        List<String> zones() {
            return List.copyOf(subnetByZone.keySet());
        }
    }

    private final Ec2Calls calls;

    Network(Ec2Calls calls) {
        this.calls = calls;
    }

    Placement resolve(Ec2Settings settings, String requestedZone) {
        List<String> wantedZones =
                requestedZone != null && !requestedZone.isBlank() ? List.of(requestedZone.strip()) : settings.zones();
        if (!settings.subnetId().isBlank()) {
            List<Subnet> subnets =
                    calls.call("DescribeSubnets", ec2 -> ec2.describeSubnets(DescribeSubnetsRequest.builder()
                                    .subnetIds(settings.subnetId())
                                    .build())
                            .subnets());
            if (subnets.isEmpty()) {
                throw CorcException.invalidInput(
                                "subnet " + settings.subnetId() + " does not exist in " + calls.region())
                        .withHint("fix providers.ec2.subnet_id or remove it to use the default VPC")
                        .withContext(Ec2OrchestratorFactory.NAME, "plan");
            }
            Subnet subnet = subnets.get(0);
            if (!wantedZones.isEmpty() && !wantedZones.contains(subnet.availabilityZone())) {
                throw CorcException.invalidInput("subnet " + subnet.subnetId() + " is in " + subnet.availabilityZone()
                                + ", not in " + String.join(", ", wantedZones))
                        .withHint("leave out --zone, or configure a subnet of that zone")
                        .withContext(Ec2OrchestratorFactory.NAME, "plan");
            }
            return new Placement(
                    subnet.vpcId(),
                    Map.of(subnet.availabilityZone(), subnet.subnetId()),
                    "subnet " + subnet.subnetId() + " (configured) of " + subnet.vpcId());
        }
        String vpcId = settings.vpcId();
        boolean defaultVpc = vpcId.isBlank();
        if (defaultVpc) {
            List<Vpc> vpcs = calls.call("DescribeVpcs", ec2 -> ec2.describeVpcs(DescribeVpcsRequest.builder()
                            .filters(InstanceTypes.filter("is-default", "true"))
                            .build())
                    .vpcs());
            if (vpcs.isEmpty()) {
                throw CorcException.invalidInput("region " + calls.region() + " has no default VPC")
                        .withHint("set providers.ec2.subnet_id (or vpc_id) to a subnet with a route to the internet,"
                                + " or create a default VPC with 'aws ec2 create-default-vpc'")
                        .withContext(Ec2OrchestratorFactory.NAME, "plan");
            }
            vpcId = vpcs.get(0).vpcId();
        }
        String vpc = vpcId;
        List<Subnet> subnets = new ArrayList<>(
                calls.all("DescribeSubnets", ec2 -> ec2.describeSubnetsPaginator(DescribeSubnetsRequest.builder()
                                .filters(InstanceTypes.filter("vpc-id", vpc))
                                .build())
                        .subnets()));
        // Default subnets first, then the ones that give public addresses, then by id, so the choice is stable.
        subnets.sort(Comparator.comparing((Subnet s) -> !Boolean.TRUE.equals(s.defaultForAz()))
                .thenComparing(s -> !Boolean.TRUE.equals(s.mapPublicIpOnLaunch()))
                .thenComparing(Subnet::subnetId));
        Map<String, String> byZone = new LinkedHashMap<>();
        for (Subnet subnet : subnets) {
            byZone.putIfAbsent(subnet.availabilityZone(), subnet.subnetId());
        }
        Map<String, String> ordered = new LinkedHashMap<>();
        if (wantedZones.isEmpty()) {
            byZone.keySet().stream().sorted().forEach(zone -> ordered.put(zone, byZone.get(zone)));
        } else {
            for (String zone : wantedZones) {
                if (byZone.containsKey(zone)) {
                    ordered.put(zone, byZone.get(zone));
                }
            }
        }
        if (ordered.isEmpty()) {
            throw CorcException.invalidInput("VPC " + vpc + " has no subnet"
                            + (wantedZones.isEmpty() ? "" : " in " + String.join(", ", wantedZones)))
                    .withHint("choose another zone (--zone, providers.ec2.zones) or set providers.ec2.subnet_id")
                    .withContext(Ec2OrchestratorFactory.NAME, "plan");
        }
        return new Placement(vpc, ordered, (defaultVpc ? "default VPC " : "VPC ") + vpc);
    }
}
