package io.corc.broker;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;
import io.corc.api.SecureFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The member organisations whose identity keys this broker trusts, as a JSON file (0600, replaced atomically on
 * every change). One key per organisation: an organisation is the only writer of its own offers, so two keys
 * claiming one name would make that meaningless. Thread-safe; a running broker sees changes made through this
 * object at once (it asks {@link #byFingerprint} for every message).
 */
public final class TrustStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Map<String, TrustedMember> byFingerprint = new LinkedHashMap<>();
    private java.nio.file.attribute.FileTime loadedVersion;

    private TrustStore(Path file) {
        this.file = file;
    }

    /** Reads {@code file}; a missing file is an empty store (created on the first {@link #add}). */
    public static TrustStore load(Path file) {
        requireNonNull(file, "file is null");
        TrustStore store = new TrustStore(file);
        store.read();
        return store;
    }

    /**
     * Reads the file again when it changed since it was read (another process, e.g. {@code corc broker trust add},
     * edited it); a running broker calls this periodically. Returns whether the members changed.
     */
    public synchronized boolean refresh() {
        if (file == null) {
            return false;
        }
        java.nio.file.attribute.FileTime version = version();
        if (java.util.Objects.equals(version, loadedVersion)) {
            return false;
        }
        List<TrustedMember> before = List.copyOf(byFingerprint.values());
        byFingerprint.clear();
        read();
        return !before.equals(List.copyOf(byFingerprint.values()));
    }

    private java.nio.file.attribute.FileTime version() {
        try {
            return Files.exists(file) ? Files.getLastModifiedTime(file) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private void read() {
        loadedVersion = version();
        if (!Files.exists(file)) {
            return;
        }
        TrustStore store = this;
        try {
            List<Map<String, String>> entries = JSON.readValue(file.toFile(), new TypeReference<>() {});
            for (Map<String, String> entry : entries) {
                PublicKey key = BrokerIdentity.decodePublicKey(entry.get("public_key"));
                String organisation = BrokerIdentity.validOrganisation(entry.get("organisation"));
                Instant added = entry.get("added") == null ? Instant.EPOCH : Instant.parse(entry.get("added"));
                String fingerprint = BrokerIdentity.fingerprint(key);
                store.byFingerprint.put(fingerprint, new TrustedMember(organisation, fingerprint, key, added));
            }
        } catch (IOException | RuntimeException e) {
            throw CorcException.invalidInput("the trust store " + file + " cannot be read: " + e.getMessage())
                    .withHint("fix or remove the file and add the members again with 'corc broker trust add'")
                    .withCause(e);
        }
    }

    /** An empty store that is never written (tests, embedders that manage trust themselves). */
    public static TrustStore inMemory() {
        return new TrustStore(null);
    }

    public Path file() {
        return file;
    }

    /** Adds the key of a {@link BrokerIdentity#publicKeyText()} line under the organisation the line names. */
    public TrustedMember add(String publicKeyText) {
        return add(null, publicKeyText);
    }

    /**
     * Adds a member's key. {@code organisation} overrides the name at the end of the line (null: take the line's).
     * Adding the same key again returns the existing entry.
     *
     * @throws CorcException INVALID_INPUT for a malformed line; CONFLICT when the organisation already has another
     *     key (remove it first: replacing a member's key is a decision, not a side effect)
     */
    public synchronized TrustedMember add(String organisation, String publicKeyText) {
        requireNonNull(publicKeyText, "publicKeyText is null");
        String[] parts = publicKeyText.trim().split("\\s+");
        if (parts.length < 2 || !parts[0].equals(BrokerIdentity.KEY_TYPE)) {
            throw CorcException.invalidInput("expected '" + BrokerIdentity.KEY_TYPE
                            + " <base64 key> <organisation>' (what 'corc broker keygen' prints)")
                    .withContext("broker", "trust add");
        }
        PublicKey key = BrokerIdentity.decodePublicKey(parts[1]);
        String name = organisation != null ? organisation : parts.length > 2 ? parts[2] : null;
        if (name == null) {
            throw CorcException.invalidInput("the key line names no organisation; give one");
        }
        BrokerIdentity.validOrganisation(name);
        String fingerprint = BrokerIdentity.fingerprint(key);
        TrustedMember existing = byFingerprint.get(fingerprint);
        if (existing != null) {
            if (!existing.organisation().equals(name)) {
                throw conflict("key " + fingerprint + " is already trusted as organisation " + existing.organisation());
            }
            return existing;
        }
        for (TrustedMember member : byFingerprint.values()) {
            if (member.organisation().equals(name)) {
                throw conflict("organisation " + name + " is already trusted with key " + member.fingerprint());
            }
        }
        TrustedMember member = new TrustedMember(name, fingerprint, key, Instant.now());
        byFingerprint.put(fingerprint, member);
        save();
        return member;
    }

    /** Removes the member with that organisation name or key fingerprint; false when there was none. */
    public synchronized boolean remove(String organisationOrFingerprint) {
        requireNonNull(organisationOrFingerprint, "organisationOrFingerprint is null");
        boolean removed = byFingerprint
                .values()
                .removeIf(m -> m.organisation().equals(organisationOrFingerprint)
                        || m.fingerprint().equals(organisationOrFingerprint));
        if (removed) {
            save();
        }
        return removed;
    }

    public synchronized List<TrustedMember> list() {
        return List.copyOf(byFingerprint.values());
    }

    public synchronized Optional<TrustedMember> byFingerprint(String fingerprint) {
        return Optional.ofNullable(byFingerprint.get(fingerprint));
    }

    public synchronized Optional<TrustedMember> byOrganisation(String organisation) {
        return byFingerprint.values().stream()
                .filter(m -> m.organisation().equals(organisation))
                .findFirst();
    }

    private void save() {
        if (file == null) {
            return;
        }
        List<Map<String, String>> entries = new ArrayList<>();
        for (TrustedMember member : byFingerprint.values()) {
            Map<String, String> entry = new LinkedHashMap<>();
            entry.put("organisation", member.organisation());
            entry.put("fingerprint", member.fingerprint());
            entry.put(
                    "public_key",
                    Base64.getEncoder().encodeToString(member.key().getEncoded()));
            entry.put("added", member.added().toString());
            entries.add(entry);
        }
        try {
            SecureFiles.writeAtomically(
                    file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(entries));
            loadedVersion = version();
        } catch (IOException e) {
            throw SecureFiles.ioFailure("write the trust store " + file, e);
        }
    }

    private static CorcException conflict(String message) {
        return new CorcException(
                ErrorCategory.CONFLICT, message, "broker", "trust add", "remove the old entry first", null);
    }
}
