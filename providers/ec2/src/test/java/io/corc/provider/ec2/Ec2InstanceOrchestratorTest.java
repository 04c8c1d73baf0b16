package io.corc.provider.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.GpuSpec;
import io.corc.api.ImageSpec;
import io.corc.api.Plan;
import io.corc.api.Resource;
import io.corc.api.ResourceKind;
import io.corc.api.ResourceSpec;
import io.corc.api.ResourceState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class Ec2InstanceOrchestratorTest {
    private final Ec2Fixture fixture = new Ec2Fixture();
    private final FakeEc2 ec2 = fixture.ec2;

    @AfterEach
    void close() {
        fixture.close();
    }

    private static ResourceSpec spec(int cores, double memory, GpuSpec gpus, String arch) {
        return new ResourceSpec(
                "worker",
                ResourceKind.INSTANCE,
                cores,
                memory,
                gpus,
                arch,
                null,
                null,
                null,
                false,
                null,
                Map.of("project", "demo"),
                List.of(Ec2Fixture.KEY),
                Map.of());
    }

    private static ResourceSpec spot(Map<String, String> options) {
        return new ResourceSpec(
                "worker",
                ResourceKind.INSTANCE,
                2,
                4,
                null,
                null,
                null,
                null,
                null,
                true,
                null,
                null,
                List.of(Ec2Fixture.KEY),
                options);
    }

    // ---- type selection --------------------------------------------------------------------------------------

    @Test
    void planPicksTheSmallestThenCheapestTypeForCoresAndMemoryAcrossPages() {
        Plan plan = fixture.orchestrator(Map.of()).plan(spec(2, 4, null, null));

        // t3.medium and t3a.medium both have 2 vCPU / 4 GiB; t3a is cheaper in the shipped catalog.
        assertThat(plan.shape()).isEqualTo("t3a.medium");
        assertThat(plan.cores()).isEqualTo(2);
        assertThat(plan.memoryGb()).isEqualTo(4.0);
        assertThat(plan.hourlyPrice()).isEqualTo(0.0376);
        assertThat(plan.region()).isEqualTo("us-east-1");
        assertThat(plan.reason())
                .contains("smallest of", "t3a.medium", ">= 2 vCPU", ">= 4 GiB", "next: t3.medium")
                .contains("ami-ubuntu-new");
        List<Map<String, String>> typeCalls = fixture.requests("DescribeInstanceTypes");
        assertThat(typeCalls).hasSizeGreaterThan(2); // 10 x86_64 types, pages of 3
        assertThat(typeCalls.get(0)).doesNotContainKey("NextToken");
        assertThat(typeCalls.get(1)).containsEntry("NextToken", "page-3");
        assertThat(FakeEc2.filters(typeCalls.get(0)))
                .containsEntry("current-generation", List.of("true"))
                .containsEntry("processor-info.supported-architecture", List.of("x86_64"));
        List<Map<String, String>> offeringCalls = fixture.requests("DescribeInstanceTypeOfferings");
        assertThat(offeringCalls.get(0)).containsEntry("LocationType", "availability-zone");
        assertThat(offeringCalls).hasSizeGreaterThan(2).last().satisfies(r -> assertThat(r)
                .containsKey("NextToken"));
        assertThat(fixture.requests("RunInstances")).isEmpty();
    }

    @Test
    void plansOffersTheSmallestFittingTypesEachWithItsPriceAndPinnedForStart() {
        Ec2InstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());
        ResourceSpec spec = spec(2, 4, null, null);

        List<io.corc.api.PlanChoice> choices = orchestrator.plans(spec);

        assertThat(choices).hasSize(Ec2InstanceOrchestrator.MAX_OFFERS);
        Plan plan = orchestrator.plan(spec);
        assertThat(choices.get(0).plan().shape()).isEqualTo(plan.shape());
        assertThat(choices.get(0).plan().hourlyPrice()).isEqualTo(plan.hourlyPrice());
        assertThat(choices.get(1).plan().reason()).startsWith("offering t3.medium of the smallest of");
        assertThat(choices).extracting(c -> c.plan().shape()).startsWith("t3a.medium", "t3.medium");
        assertThat(choices).allSatisfy(c -> {
            assertThat(c.plan().hourlyPrice()).isNotNull();
            assertThat(c.startOptions()).containsEntry("instance_type", c.plan().shape());
        });
        assertThat(choices.get(1).plan().hourlyPrice())
                .isGreaterThan(choices.get(0).plan().hourlyPrice());
        assertThat(fixture.requests("RunInstances")).isEmpty();

        // a start with the second offer's options launches exactly that type
        ResourceSpec pinned = new ResourceSpec(
                "pinned",
                ResourceKind.INSTANCE,
                2,
                4,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                null,
                List.of(Ec2Fixture.KEY),
                choices.get(1).startOptions());
        assertThat(orchestrator.plans(pinned))
                .singleElement()
                .satisfies(c -> assertThat(c.plan().shape()).isEqualTo("t3.medium"));
        orchestrator.start(pinned, io.corc.api.ProgressListener.NONE);
        assertThat(fixture.requests("RunInstances")).singleElement().satisfies(r -> assertThat(r)
                .containsEntry("InstanceType", "t3.medium"));
    }

    @Test
    void aTypeNotOfferedInTheAskedZoneIsPassedOver() {
        ResourceSpec spec = new ResourceSpec(
                "w", ResourceKind.INSTANCE, 2, 4, null, null, null, null, "us-east-1a", false, null, null, null, null);

        Plan plan = fixture.orchestrator(Map.of()).plan(spec);

        assertThat(plan.shape()).isEqualTo("t3.medium"); // t3a.medium is only offered in us-east-1c
        assertThat(FakeEc2.filters(
                        fixture.requests("DescribeInstanceTypeOfferings").get(0)))
                .containsEntry("location", List.of("us-east-1a"));
    }

    @Test
    void gpuSpecsPickAGpuTypeOfTheModelAsked() {
        Ec2InstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());

        assertThat(orchestrator.plan(spec(0, 0, new GpuSpec(1, null), null)).shape())
                .isIn("g4dn.xlarge", "g5.xlarge");
        Plan a10 = orchestrator.plan(spec(0, 0, new GpuSpec(1, "a10g"), null));
        assertThat(a10.shape()).isEqualTo("g5.xlarge");
        assertThat(a10.gpus()).isEqualTo(1);
        assertThat(a10.reason()).contains("1 x NVIDIA A10G");
        assertThat(orchestrator.plan(spec(0, 0, new GpuSpec(4, null), null)).shape())
                .isEqualTo("p3.8xlarge");
        assertThat(orchestrator.plan(spec(0, 0, new GpuSpec(1, "T4"), null)).hourlyPrice())
                .isEqualTo(0.526);
    }

    @Test
    void architectureSelectsArmTypesAndArmImages() {
        Plan plan = fixture.orchestrator(Map.of()).plan(spec(2, 4, null, "aarch64"));

        assertThat(plan.shape()).isEqualTo("t4g.medium");
        assertThat(plan.toCreate()).anyMatch(line -> line.contains("ami-ubuntu-arm"));
        assertThat(FakeEc2.filters(fixture.requests("DescribeInstanceTypes").get(0)))
                .containsEntry("processor-info.supported-architecture", List.of("arm64"));
    }

    @Test
    void nothingFittingIsACapacityErrorNamingTheMinimums() {
        assertThatThrownBy(() -> fixture.orchestrator(Map.of()).plan(spec(64, 0, null, null)))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY);
                    assertThat(e.getMessage()).contains(">= 64 vCPU", "us-east-1");
                    assertThat(e.hint()).isPresent();
                });
    }

    @Test
    void aNamedTypeIsUsedAsIsAndAnUnknownOneIsInvalidInputWithAHint() {
        Ec2InstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());
        ResourceSpec named = spec(0, 0, null, null);
        named = new ResourceSpec(
                "w",
                ResourceKind.INSTANCE,
                0,
                0,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                null,
                null,
                Map.of("instance_type", "m5.large"));
        assertThat(orchestrator.plan(named).shape()).isEqualTo("m5.large");
        assertThat(fixture.requests("DescribeInstanceTypes").get(0)).containsEntry("InstanceType.1", "m5.large");

        ResourceSpec bad = new ResourceSpec(
                "w",
                ResourceKind.INSTANCE,
                0,
                0,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                null,
                null,
                Map.of("instance_type", "x9.huge"));
        assertThatThrownBy(() -> orchestrator.plan(bad)).isInstanceOfSatisfying(CorcException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
            assertThat(e.getMessage()).contains("x9.huge", "does not exist");
            assertThat(e.hint().orElse("")).contains("describe-instance-types");
            assertThat(e.plugin()).contains("ec2");
        });
    }

    // ---- images --------------------------------------------------------------------------------------------------

    @Test
    void imageLookupTakesTheNewestOfThePublisherForTheVersionAndArchitecture() {
        Ec2InstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());

        Plan ubuntu = orchestrator.plan(spec(2, 4, null, null));
        assertThat(ubuntu.toCreate()).anyMatch(l -> l.contains("ami-ubuntu-new") && l.contains("login ubuntu"));
        Map<String, String> request = fixture.requests("DescribeImages").get(0);
        assertThat(request).containsEntry("Owner.1", "099720109477");
        assertThat(FakeEc2.filters(request))
                .containsEntry("name", List.of("ubuntu/images/*ubuntu-*-24.04-amd64-server-*"))
                .containsEntry("architecture", List.of("x86_64"))
                .containsEntry("state", List.of("available"));

        ResourceSpec jammy = withImage(ImageSpec.ofOs("Ubuntu", "22.04"));
        assertThat(orchestrator.plan(jammy).toCreate()).anyMatch(l -> l.contains("ami-jammy"));

        ResourceSpec amazon = withImage(ImageSpec.ofOs("Amazon Linux", "2023"));
        Plan al = orchestrator.plan(amazon);
        assertThat(al.toCreate()).anyMatch(l -> l.contains("ami-al2023 ") && l.contains("login ec2-user"));
        assertThat(fixture.requests("DescribeImages").get(2)).containsEntry("Owner.1", "amazon");
    }

    @Test
    void aVersionAloneAppliesToTheConfiguredOperatingSystem() {
        Plan plan = fixture.orchestrator(Map.of()).plan(withImage(new ImageSpec(null, null, "22.04")));

        assertThat(plan.toCreate()).anyMatch(l -> l.contains("ami-jammy") && l.contains("login ubuntu"));
    }

    @Test
    void aStartWhoseProcessDiedShowsAsFailedAndStopRemovesWhatItRecorded() {
        Ec2InstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());
        Resource resource = orchestrator.start(spec(2, 4, null, null), fixture.listener());
        // As if the start had died right after launching, long ago: status still "starting".
        io.corc.api.StateRecord record = fixture.records
                .get(Ec2InstanceOrchestrator.RECORD_TYPE, resource.id())
                .orElseThrow();
        java.time.Instant longAgo = java.time.Instant.now().minus(java.time.Duration.ofDays(1));
        fixture.records.put(
                new io.corc.api.StateRecord(record.type(), record.id(), "starting", record.data(), longAgo, longAgo));

        assertThat(orchestrator.get(resource.id())).hasValueSatisfying(r -> {
            assertThat(r.state()).isEqualTo(ResourceState.FAILED);
            assertThat(r.details().get("reason")).contains("has not finished");
        });
        orchestrator.stop(resource.id(), fixture.listener());

        assertThat(ec2.leftovers()).isEmpty();
        assertThat(orchestrator.list()).isEmpty();
    }

    @Test
    void anAmiIdIsCheckedForExistenceAndArchitecture() {
        Ec2InstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());

        assertThat(orchestrator.plan(withImage(ImageSpec.ofId("ami-al2023"))).toCreate())
                .anyMatch(l -> l.contains("ami-al2023") && l.contains("login ec2-user"));
        assertThatThrownBy(() -> orchestrator.plan(withImage(ImageSpec.ofId("ami-ubuntu-arm"))))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.getMessage()).contains("arm64", "x86_64"));
        assertThatThrownBy(() -> orchestrator.plan(withImage(ImageSpec.ofId("ami-gone"))))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.getMessage()).contains("ami-gone");
                });
    }

    private static ResourceSpec withImage(ImageSpec image) {
        return new ResourceSpec(
                "w", ResourceKind.INSTANCE, 2, 4, null, null, image, null, null, false, null, null, null, null);
    }

    // ---- start -------------------------------------------------------------------------------------------------

    @Test
    void startSendsClientTokenTagsAndTheSshRuleAndRecordsEveryObject() {
        Ec2InstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());

        Resource resource = orchestrator.start(spec(2, 4, null, null), fixture.listener());

        assertThat(resource.state()).isEqualTo(ResourceState.RUNNING);
        assertThat(resource.endpoints()).singleElement().satisfies(endpoint -> {
            assertThat(endpoint.protocol()).isEqualTo("ssh");
            assertThat(endpoint.host()).isEqualTo("127.0.0.1");
            assertThat(endpoint.port()).isEqualTo(22);
            assertThat(endpoint.user()).isEqualTo("ubuntu");
        });
        assertThat(resource.details())
                .containsEntry("instance_type", "t3a.medium")
                .containsEntry("zone", "us-east-1c");
        assertThat(resource.objects())
                .extracting(o -> o.type() + (o.createdByCorc() ? "" : " (reused)"))
                .containsExactly("key-pair", "security-group", "instance", "vpc (reused)", "subnet (reused)");

        Map<String, String> run = fixture.requests("RunInstances").get(0);
        assertThat(run)
                .containsEntry("ClientToken", resource.id() + "-1")
                .containsEntry("InstanceType", "t3a.medium")
                .containsEntry("ImageId", "ami-ubuntu-new")
                .containsEntry("SubnetId", "subnet-c")
                .containsEntry("KeyName", "corc-" + resource.id())
                .containsEntry("MinCount", "1")
                .containsEntry("MaxCount", "1")
                .doesNotContainKey("InstanceMarketOptions.MarketType");
        assertThat(run.get("SecurityGroupId.1")).startsWith("sg-");
        for (int i = 1; i <= 3; i++) {
            assertThat(run.get("TagSpecification." + i + ".ResourceType"))
                    .isEqualTo(
                            List.of("instance", "volume", "network-interface").get(i - 1));
            Map<String, String> tags = tagsOf(run, "TagSpecification." + i);
            assertThat(tags)
                    .containsEntry("corc-owner", "tester")
                    .containsEntry("corc-resource", resource.id())
                    .containsEntry("project", "demo")
                    .containsEntry("Name", "worker");
        }
        Map<String, String> group = fixture.requests("CreateSecurityGroup").get(0);
        assertThat(group).containsEntry("GroupName", "corc-" + resource.id()).containsEntry("VpcId", "vpc-1");
        assertThat(tagsOf(group, "TagSpecification.1")).containsEntry("corc-resource", resource.id());
        assertThat(fixture.requests("AuthorizeSecurityGroupIngress").get(0))
                .containsEntry("IpPermissions.1.IpProtocol", "tcp")
                .containsEntry("IpPermissions.1.FromPort", "22")
                .containsEntry("IpPermissions.1.IpRanges.1.CidrIp", "198.51.100.7/32");
        Map<String, String> key = fixture.requests("ImportKeyPair").get(0);
        assertThat(new String(java.util.Base64.getDecoder().decode(key.get("PublicKeyMaterial"))))
                .isEqualTo(Ec2Fixture.KEY);
        assertThat(tagsOf(key, "TagSpecification.1")).containsEntry("corc-owner", "tester");

        assertThat(fixture.records.get(Ec2InstanceOrchestrator.RECORD_TYPE, resource.id()))
                .hasValueSatisfying(r -> {
                    assertThat(r.status()).isEqualTo("running");
                    assertThat(Ec2InstanceOrchestrator.objects(r))
                            .allSatisfy(o -> assertThat(o).containsKey("id").containsEntry("state", "created"));
                    assertThat(r.data().toString()).doesNotContain("secret-test", "AKIDTEST");
                });
        assertThat(orchestrator.get(resource.id())).hasValueSatisfying(r -> {
            assertThat(r.state()).isEqualTo(ResourceState.RUNNING);
            assertThat(r.endpoints()).isEqualTo(resource.endpoints());
        });
        assertThat(orchestrator.list()).extracting(Resource::id).containsExactly(resource.id());
    }

    @Test
    void theHostKeysCloudInitPrintsAreTakenFromTheConsoleForPinning() {
        Ec2InstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());

        Resource resource = orchestrator.start(spec(2, 4, null, null), fixture.listener());

        assertThat(resource.details().get(Resource.SSH_HOST_KEYS))
                .isEqualTo("ecdsa-sha2-nistp256 AAAAE2VjZHNhFakeEcdsa\n" + FakeEc2.HOST_KEY);
        assertThat(orchestrator.get(resource.id()).orElseThrow().details())
                .containsEntry(Resource.SSH_HOST_KEYS, resource.details().get(Resource.SSH_HOST_KEYS));
        assertThat(fixture.requests("GetConsoleOutput").get(0))
                .containsEntry("InstanceId", resource.details().get("instance_id"));
    }

    @Test
    void withoutHostKeysInTheConsoleTheResourceSimplyHasNone() {
        ec2.consoleHostKeys = false;

        Resource resource = fixture.orchestrator(Map.of()).start(spec(2, 4, null, null), fixture.listener());

        assertThat(resource.details()).doesNotContainKey(Resource.SSH_HOST_KEYS);
        assertThat(resource.state()).isEqualTo(ResourceState.RUNNING);
    }

    private static Map<String, String> tagsOf(Map<String, String> params, String prefix) {
        Map<String, String> tags = new java.util.LinkedHashMap<>();
        for (int t = 1; params.containsKey(prefix + ".Tag." + t + ".Key"); t++) {
            tags.put(params.get(prefix + ".Tag." + t + ".Key"), params.get(prefix + ".Tag." + t + ".Value"));
        }
        return tags;
    }

    @Test
    void aPublicAddressCanBeAskedForInASubnetThatGivesNone() {
        Resource resource =
                fixture.orchestrator(Map.of("public_ip", "true")).start(spec(2, 4, null, null), fixture.listener());

        Map<String, String> run = fixture.requests("RunInstances").get(0);
        assertThat(run)
                .doesNotContainKey("SubnetId")
                .doesNotContainKey("SecurityGroupId.1")
                .containsEntry("NetworkInterface.1.DeviceIndex", "0")
                .containsEntry("NetworkInterface.1.SubnetId", "subnet-c")
                .containsEntry("NetworkInterface.1.AssociatePublicIpAddress", "true")
                .containsEntry("NetworkInterface.1.DeleteOnTermination", "true");
        assertThat(run.get("NetworkInterface.1.SecurityGroupId.1")).startsWith("sg-");
        fixture.orchestrator(Map.of()).stop(resource.id(), null);
        assertThat(ec2.leftovers()).isEmpty();
    }

    @Test
    void eachObjectIsRecordedAsIntentBeforeItsCreateCall() {
        Map<String, String> seen = new java.util.concurrent.ConcurrentHashMap<>();
        ec2.rule(p -> {
            String action = p.get("Action");
            if (List.of("ImportKeyPair", "CreateSecurityGroup", "RunInstances").contains(action)) {
                io.corc.api.StateRecord record = fixture.records
                        .list(Ec2InstanceOrchestrator.RECORD_TYPE)
                        .get(0);
                seen.put(action, Ec2InstanceOrchestrator.objects(record).toString());
            }
            return null;
        });

        Resource resource = fixture.orchestrator(Map.of()).start(spec(2, 4, null, null), fixture.listener());

        assertThat(seen.get("ImportKeyPair"))
                .contains("type=key-pair", "state=creating")
                .doesNotContain("id=");
        assertThat(seen.get("CreateSecurityGroup"))
                .contains("type=key-pair", "id=key-", "state=created")
                .contains("type=security-group, name=corc-" + resource.id() + ", state=creating");
        assertThat(seen.get("RunInstances"))
                .contains("type=instance", "state=creating", "client_token=" + resource.id() + "-1");
    }

    @Test
    void severalKeysGoToCloudInitAndTheFirstIsTheKeyPair() {
        String second = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ second@test";
        ResourceSpec spec = spec(2, 4, null, null).withSshPublicKeys(List.of(Ec2Fixture.KEY, second));

        fixture.orchestrator(Map.of()).start(spec, fixture.listener());

        String userData = new String(java.util.Base64.getDecoder()
                .decode(fixture.requests("RunInstances").get(0).get("UserData")));
        assertThat(userData).startsWith("#cloud-config").contains(Ec2Fixture.KEY, second);
    }

    @Test
    void capacityErrorInOneZoneMovesToTheNextZoneAndReportsEveryAttempt() {
        ec2.rule(p -> "RunInstances".equals(p.get("Action")) && "subnet-a".equals(p.get("SubnetId"))
                ? new FakeEc2.Err(
                        500,
                        "InsufficientInstanceCapacity",
                        "We currently do not have sufficient"
                                + " t3.medium capacity in the Availability Zone you requested (us-east-1a).")
                : null);
        ResourceSpec spec = new ResourceSpec(
                "w",
                ResourceKind.INSTANCE,
                0,
                0,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                null,
                List.of(Ec2Fixture.KEY),
                Map.of("instance_type", "t3.medium"));

        Resource resource = fixture.orchestrator(Map.of()).start(spec, fixture.listener());

        List<Map<String, String>> runs = fixture.requests("RunInstances");
        // The 500 of a capacity error is an answer, not a server failure: no SDK retry, the next zone instead.
        assertThat(runs).extracting(r -> r.get("SubnetId")).containsExactly("subnet-a", "subnet-b");
        assertThat(runs)
                .extracting(r -> r.get("ClientToken"))
                .containsExactly(resource.id() + "-1", resource.id() + "-2");
        assertThat(resource.details()).containsEntry("zone", "us-east-1b");
        assertThat(fixture.progress)
                .anyMatch(s -> s.contains("attempt 1 failed: t3.medium in us-east-1a: InsufficientInstanceCapacity"))
                .anyMatch(s -> s.contains("attempt 2: launched"));
        assertThat(fixture.records
                        .get(Ec2InstanceOrchestrator.RECORD_TYPE, resource.id())
                        .orElseThrow()
                        .data()
                        .get("attempts"))
                .asList()
                .hasSize(2);
        assertThat(ec2.instances).hasSize(1);
    }

    @Test
    void quotaOnTheFirstTypeInEveryZoneMovesToTheNextFittingType() {
        ec2.rule(p -> "RunInstances".equals(p.get("Action")) && "t3a.medium".equals(p.get("InstanceType"))
                ? new FakeEc2.Err(
                        400,
                        "VcpuLimitExceeded",
                        "You have requested more vCPU capacity than your" + " current vCPU limit allows")
                : null);

        Resource resource = fixture.orchestrator(Map.of()).start(spec(2, 4, null, null), fixture.listener());

        assertThat(fixture.requests("RunInstances"))
                .extracting(r -> r.get("InstanceType"))
                .containsExactly("t3a.medium", "t3.medium");
        assertThat(resource.details()).containsEntry("instance_type", "t3.medium");
    }

    @Test
    void aQuotaSkipsTheOtherZonesOfThatType() {
        ec2.rule(p -> "RunInstances".equals(p.get("Action"))
                ? new FakeEc2.Err(400, "VcpuLimitExceeded", "You have requested more vCPU capacity than allowed")
                : null);

        assertThatThrownBy(() -> fixture.orchestrator(Map.of("max_instance_types", 2))
                        .start(spec(2, 4, null, null), fixture.listener()))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY);
                    assertThat(e.getMessage()).contains("2 attempt(s)");
                    assertThat(e.hint().orElse("")).contains("quota");
                });
        // t3a.medium in its one zone, t3.medium in its first zone: the quota would refuse the other zones too.
        assertThat(fixture.requests("RunInstances"))
                .extracting(r -> r.get("InstanceType") + "@" + r.get("SubnetId"))
                .containsExactly("t3a.medium@subnet-c", "t3.medium@subnet-a");
        assertThat(ec2.leftovers()).isEmpty();
    }

    @Test
    void everyAttemptFailingIsOneCapacityErrorListingThemAndLeavesNothing() {
        ec2.rule(p -> "RunInstances".equals(p.get("Action"))
                ? new FakeEc2.Err(500, "InsufficientInstanceCapacity", "no capacity")
                : null);

        assertThatThrownBy(() -> fixture.orchestrator(Map.of("max_instance_types", 2))
                        .start(spec(2, 4, null, null), fixture.listener()))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY);
                    assertThat(e.getMessage())
                            .contains("4 attempt(s)", "t3a.medium in us-east-1c", "t3.medium in us-east-1a");
                    assertThat(e.hint()).isPresent();
                });
        assertThat(ec2.leftovers()).isEmpty();
        assertThat(fixture.records.list(Ec2InstanceOrchestrator.RECORD_TYPE)).isEmpty();
    }

    @Test
    void aLaunchFailureAfterTheSecurityGroupRollsBackInReverseOrder() {
        ec2.rule(p -> "RunInstances".equals(p.get("Action"))
                ? new FakeEc2.Err(
                        400,
                        "InvalidParameterCombination",
                        "Network interfaces and an instance-level"
                                + " security groups may not be specified on the same request")
                : null);

        assertThatThrownBy(() -> fixture.orchestrator(Map.of()).start(spec(2, 4, null, null), fixture.listener()))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
                    assertThat(e.getMessage()).contains("InvalidParameterCombination");
                    assertThat(e.plugin()).contains("ec2");
                });

        assertThat(fixture.requests("CreateSecurityGroup")).hasSize(1);
        String groupId = fixture.requests("DeleteSecurityGroup").get(0).get("GroupId");
        assertThat(groupId).startsWith("sg-");
        assertThat(fixture.requests("DeleteKeyPair")).hasSize(1);
        List<String> order = fixture.ec2.server().getAllServeEvents().stream()
                .map(ev -> FakeEc2.parse(ev.getRequest().getBodyAsString()).get("Action"))
                .filter(a -> a.startsWith("Delete"))
                .toList();
        assertThat(order).containsExactly("DeleteKeyPair", "DeleteSecurityGroup"); // journal: newest first
        assertThat(ec2.leftovers()).isEmpty();
        assertThat(fixture.records.list(Ec2InstanceOrchestrator.RECORD_TYPE)).isEmpty();
    }

    @Test
    void whatARollbackCannotRemoveStaysRecordedAsFailedAndStopFinishesIt() {
        boolean[] refuse = {true};
        ec2.rule(p -> "RunInstances".equals(p.get("Action"))
                ? new FakeEc2.Err(400, "InvalidParameterValue", "Invalid value for parameter")
                : null);
        ec2.rule(p -> "DeleteSecurityGroup".equals(p.get("Action")) && refuse[0]
                ? new FakeEc2.Err(403, "UnauthorizedOperation", "You are not authorized to perform this operation.")
                : null);
        Ec2InstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                () -> orchestrator.start(spec(2, 4, null, null), fixture.listener()));

        assertThat(thrown).isInstanceOfSatisfying(CorcException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
            assertThat(e.getSuppressed()).singleElement().satisfies(cleanup -> assertThat(cleanup.getMessage())
                    .contains("security-group", "UnauthorizedOperation"));
        });
        Resource failed = orchestrator.list().get(0);
        assertThat(failed.state()).isEqualTo(ResourceState.FAILED);
        assertThat(failed.objects()).extracting(o -> o.type()).contains("security-group");
        assertThat(ec2.keyPairs).isEmpty(); // the rest of the rollback went on

        refuse[0] = false;
        orchestrator.stop(failed.id(), fixture.listener());

        assertThat(ec2.leftovers()).isEmpty();
        assertThat(orchestrator.list()).isEmpty();
    }

    @Test
    void requestLimitExceededIsRetriedWithTheSameClientTokenAndCreatesOneInstance() {
        int[] throttled = {0};
        ec2.rule(p -> "RunInstances".equals(p.get("Action")) && throttled[0]++ < 2
                ? new FakeEc2.Err(503, "RequestLimitExceeded", "Request limit exceeded.")
                : null);

        Resource resource = fixture.orchestrator(Map.of()).start(spec(2, 4, null, null), fixture.listener());

        List<Map<String, String>> runs = fixture.requests("RunInstances");
        assertThat(runs).hasSize(3);
        assertThat(runs).extracting(r -> r.get("ClientToken")).containsOnly(resource.id() + "-1");
        assertThat(ec2.instances).hasSize(1);
        assertThat(resource.state()).isEqualTo(ResourceState.RUNNING);
    }

    @Test
    void throttlingPastTheRetriesIsOneThrottledErrorAndRollsBack() {
        ec2.rule(p -> "RunInstances".equals(p.get("Action"))
                ? new FakeEc2.Err(503, "RequestLimitExceeded", "Request limit exceeded.")
                : null);

        assertThatThrownBy(() -> fixture.orchestrator(Map.of("max_attempts", 3))
                        .start(spec(2, 4, null, null), fixture.listener()))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.THROTTLED));
        assertThat(fixture.requests("RunInstances")).hasSize(3);
        assertThat(ec2.leftovers()).isEmpty();
    }

    // ---- stop --------------------------------------------------------------------------------------------------

    @Test
    void stopTerminatesWaitsAndDeletesWhatCorcCreatedAndIsIdempotent() {
        Ec2InstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());
        Resource resource = orchestrator.start(spec(2, 4, null, null), fixture.listener());

        orchestrator.stop(resource.id(), fixture.listener());

        assertThat(ec2.leftovers()).isEmpty();
        assertThat(fixture.requests("TerminateInstances")).hasSize(1);
        assertThat(orchestrator.get(resource.id())).isEmpty();
        assertThat(orchestrator.list()).isEmpty();
        int calls = ec2.server().getAllServeEvents().size();

        orchestrator.stop(resource.id(), fixture.listener());
        orchestrator.stop("ec2-00000000", fixture.listener());
        orchestrator.stop("not-an-ec2-id", fixture.listener());

        assertThat(ec2.server().getAllServeEvents()).hasSize(calls);
    }

    @Test
    void stopFinishesWhatAnInterruptedStopLeft() {
        Ec2InstanceOrchestrator orchestrator = fixture.orchestrator(Map.of());
        Resource resource = orchestrator.start(spec(2, 4, null, null), fixture.listener());
        // The instance is already gone (terminated outside corc, or by a stop that died after terminating).
        String instanceId = resource.details().get("instance_id");
        ec2.instances.get(instanceId).state = "terminated";
        assertThat(orchestrator.get(resource.id()).orElseThrow().state()).isEqualTo(ResourceState.FAILED);

        orchestrator.stop(resource.id(), fixture.listener());

        assertThat(ec2.leftovers()).isEmpty();
        assertThat(orchestrator.get(resource.id())).isEmpty();
    }

    @Test
    void rollbackFindsAnInstanceWhoseLaunchAnswerWasLostByItsClientToken() {
        // RunInstances takes effect, but every answer comes after the client's read timeout: the record holds
        // only the attempt's ClientToken, and the SDK's retry with that token creates nothing more.
        ec2.timeoutMillis = 700;
        ec2.lateActions.add("RunInstances");
        Ec2InstanceOrchestrator orchestrator = fixture.orchestrator(
                Map.of("max_attempts", 2), new java.util.Random(1), java.time.Duration.ofMillis(300));

        assertThatThrownBy(() -> orchestrator.start(spec(2, 4, null, null), fixture.listener()))
                .isInstanceOfSatisfying(
                        CorcException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE));

        List<Map<String, String>> runs = fixture.requests("RunInstances");
        assertThat(runs).hasSize(2);
        assertThat(runs)
                .extracting(r -> r.get("ClientToken"))
                .containsOnly(runs.get(0).get("ClientToken"));
        assertThat(ec2.instances).hasSize(1);
        assertThat(fixture.requests("DescribeInstances"))
                .anySatisfy(r -> assertThat(FakeEc2.filters(r)).containsKey("client-token"));
        assertThat(fixture.requests("TerminateInstances")).hasSize(1);
        assertThat(ec2.leftovers()).isEmpty();
        assertThat(fixture.records.list(Ec2InstanceOrchestrator.RECORD_TYPE)).isEmpty();
    }

    // ---- spot --------------------------------------------------------------------------------------------------

    @Test
    void spotSendsTheMaxPriceAndFallsBackToOnDemandOnlyWhenAllowed() {
        ec2.rule(p -> "RunInstances".equals(p.get("Action")) && "spot".equals(p.get("InstanceMarketOptions.MarketType"))
                ? new FakeEc2.Err(500, "InsufficientInstanceCapacity", "There is no Spot capacity available")
                : null);
        Ec2InstanceOrchestrator orchestrator = fixture.orchestrator(Map.of("max_instance_types", 1));

        assertThatThrownBy(() -> orchestrator.start(spot(Map.of("spot_max_price", "0.02")), fixture.listener()))
                .isInstanceOfSatisfying(CorcException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CAPACITY);
                    assertThat(e.hint().orElse("")).contains("spot_fallback");
                });
        assertThat(fixture.requests("RunInstances")).allSatisfy(r -> {
            assertThat(r)
                    .containsEntry("InstanceMarketOptions.MarketType", "spot")
                    .containsEntry("InstanceMarketOptions.SpotOptions.MaxPrice", "0.02")
                    .containsEntry("TagSpecification.4.ResourceType", "spot-instances-request");
            assertThat(tagsOf(r, "TagSpecification.4")).containsKey("corc-resource");
        });
        assertThat(orchestrator.plan(spot(Map.of())).reason()).contains("on-demand price");
        assertThat(ec2.leftovers()).isEmpty();
        ec2.server().resetRequests();

        Resource resource =
                orchestrator.start(spot(Map.of("spot_max_price", "0.02", "spot_fallback", "true")), fixture.listener());

        List<Map<String, String>> runs = fixture.requests("RunInstances");
        assertThat(runs.get(0)).containsEntry("InstanceMarketOptions.MarketType", "spot");
        assertThat(runs.get(runs.size() - 1)).doesNotContainKey("InstanceMarketOptions.MarketType");
        assertThat(resource.details()).containsEntry("market", "on-demand");
        assertThat(fixture.progress).anyMatch(s -> s.contains("(spot): InsufficientInstanceCapacity"));
    }
}
