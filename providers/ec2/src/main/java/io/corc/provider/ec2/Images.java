package io.corc.provider.ec2;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.ImageSpec;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ec2.model.Image;

/**
 * Finds the AMI to boot: the one named by id (its architecture must match the type's), or the newest public image
 * of an operating system and version from its publisher (DescribeImages with an owner filter: Canonical for Ubuntu,
 * {@code amazon} for Amazon Linux, Debian's account for Debian), for the type's architecture.
 */
final class Images {
    static final String CANONICAL = "099720109477";
    static final String DEBIAN = "136693071363";

    /** The image chosen and the user its cloud-init creates. */
    record Choice(String id, String name, String architecture, String user, String why) {}

    private final Ec2Calls calls;

    Images(Ec2Calls calls) {
        this.calls = calls;
    }

    Choice resolve(ImageSpec spec, Ec2Settings settings, String architecture) {
        String id = spec.id() != null && !spec.id().isBlank() ? spec.id().strip() : null;
        if (id == null && spec.operatingSystem() == null && !settings.imageId().isBlank()) {
            id = settings.imageId();
        }
        if (id != null) {
            return byId(id, settings, architecture);
        }
        boolean osGiven =
                spec.operatingSystem() != null && !spec.operatingSystem().isBlank();
        String os = osGiven ? spec.operatingSystem() : settings.operatingSystem();
        // A version alone applies to the configured OS; an OS alone means its newest default version.
        String version = spec.version() != null && !spec.version().isBlank()
                ? spec.version()
                : osGiven ? null : settings.operatingSystemVersion();
        return newest(os, version, architecture, settings);
    }

    private Choice byId(String id, Ec2Settings settings, String architecture) {
        List<Image> images;
        try {
            images = calls.call("DescribeImages", ec2 -> ec2.describeImages(
                            DescribeImagesRequest.builder().imageIds(id).build())
                    .images());
        } catch (CorcException e) {
            if (e.getCause() != null && Ec2Errors.code(e.getCause()).startsWith("InvalidAMIID")) {
                images = List.of();
            } else {
                throw e;
            }
        }
        if (images.isEmpty()) {
            throw CorcException.invalidInput("image " + id + " does not exist in " + calls.region())
                    .withHint("AMI ids differ per region; pass --os/--os-version to let corc find the newest image")
                    .withContext(Ec2OrchestratorFactory.NAME, "plan");
        }
        Image image = images.get(0);
        String imageArch = normalise(image.architectureAsString());
        if (!imageArch.equals(architecture)) {
            throw CorcException.invalidInput(
                            "image " + id + " is for " + imageArch + ", the instance type for " + architecture)
                    .withHint("pass --arch " + imageArch + " or an image for " + architecture)
                    .withContext(Ec2OrchestratorFactory.NAME, "plan");
        }
        String user = settings.sshUser().isBlank() ? userOf(image) : settings.sshUser();
        return new Choice(id, image.name(), imageArch, user, "image " + id + " as asked (" + image.name() + ")");
    }

    private Choice newest(String os, String version, String architecture, Ec2Settings settings) {
        String family = os.strip().toLowerCase(Locale.ROOT).replace(" ", "");
        String amd = architecture.equals("arm64") ? "arm64" : "amd64";
        String owner;
        String pattern;
        String user;
        if (family.equals("ubuntu")) {
            String v = version == null || version.isBlank() ? "24.04" : version.strip();
            owner = CANONICAL;
            pattern = "ubuntu/images/*ubuntu-*-" + v + "-" + amd + "-server-*";
            user = "ubuntu";
        } else if (family.equals("amazonlinux") || family.equals("al2023") || family.equals("amzn")) {
            String v = version == null || version.isBlank() ? "2023" : version.strip();
            owner = "amazon";
            pattern = v.equals("2")
                    ? "amzn2-ami-hvm-2.0.*-" + architecture + "-gp2"
                    : "al2023-ami-2023.*-" + architecture;
            user = "ec2-user";
        } else if (family.equals("debian")) {
            String v = version == null || version.isBlank() ? "12" : version.strip();
            owner = DEBIAN;
            pattern = "debian-" + v + "-" + amd + "-*";
            user = "admin";
        } else {
            throw CorcException.invalidInput("corc cannot look up images of '" + os + "' at EC2")
                    .withHint("use --os Ubuntu, 'Amazon Linux' or Debian, or pass an AMI id with --image")
                    .withContext(Ec2OrchestratorFactory.NAME, "plan");
        }
        List<Image> images = calls.call("DescribeImages", ec2 -> ec2.describeImages(DescribeImagesRequest.builder()
                        .owners(owner)
                        .filters(
                                InstanceTypes.filter("name", pattern),
                                InstanceTypes.filter("architecture", architecture),
                                InstanceTypes.filter("state", "available"),
                                InstanceTypes.filter("root-device-type", "ebs"),
                                InstanceTypes.filter("virtualization-type", "hvm"))
                        .build())
                .images());
        Image newest = images.stream()
                .filter(i -> i.creationDate() != null)
                .max(Comparator.comparing(Image::creationDate))
                .orElseThrow(() -> new CorcException(
                                ErrorCategory.NOT_FOUND,
                                "no " + os + (version == null ? "" : " " + version) + " image for " + architecture
                                        + " in " + calls.region() + " (owner " + owner + ", name " + pattern + ")")
                        .withHint("check --os-version, or pass an AMI id with --image")
                        .withContext(Ec2OrchestratorFactory.NAME, "plan"));
        return new Choice(
                newest.imageId(),
                newest.name(),
                architecture,
                settings.sshUser().isBlank() ? user : settings.sshUser(),
                "newest of " + images.size() + " " + os + (version == null ? "" : " " + version) + " " + architecture
                        + " images: " + newest.imageId() + " (" + newest.name() + ", " + newest.creationDate() + ")");
    }

    static String normalise(String arch) {
        if (arch == null) {
            return "x86_64";
        }
        return arch.startsWith("arm64") ? "arm64" : arch;
    }

    /** The login user of an image, from its name and owner; ec2-user when nothing tells. */
    static String userOf(Image image) {
        String name = image.name() == null ? "" : image.name().toLowerCase(Locale.ROOT);
        if (CANONICAL.equals(image.ownerId()) || name.contains("ubuntu")) {
            return "ubuntu";
        }
        if (DEBIAN.equals(image.ownerId()) || name.startsWith("debian")) {
            return "admin";
        }
        return "ec2-user";
    }
}
