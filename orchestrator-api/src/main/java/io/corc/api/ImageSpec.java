package io.corc.api;

/**
 * The machine or container image to use: either an exact provider id, or an operating system and version from
 * which the provider picks the newest compatible image.
 *
 * @param id provider image id (OCID, AMI id, container reference) or {@code null}
 * @param operatingSystem e.g. {@code Ubuntu}, or {@code null}
 * @param version e.g. {@code 24.04}, or {@code null}
 */
public record ImageSpec(String id, String operatingSystem, String version) {
    public static final ImageSpec ANY = new ImageSpec(null, null, null);

    public static ImageSpec ofId(String id) {
        return new ImageSpec(id, null, null);
    }

    public static ImageSpec ofOs(String operatingSystem, String version) {
        return new ImageSpec(null, operatingSystem, version);
    }
}
