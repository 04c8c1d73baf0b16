package io.corc.spawner;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One named entry of a template file: how a session is set up on a resource and what it runs. String values may
 * hold placeholders ({@link Placeholders}), filled in per spawn.
 *
 * @param name the template's name
 * @param configurer configurer plug-in applied to the resource (e.g. {@code ssh}, {@code ansible}), or {@code null}
 * @param configurerOptions its options (as in {@code corc.configurers.<name>}), placeholders not yet filled in
 * @param authenticator authenticator that installs the user's key ({@code ssh}), or {@code null} for none
 * @param authenticatorOptions its options ({@code user}, ...), placeholders not yet filled in
 * @param command the session command, run detached in the login user's home (or the sandbox), or {@code null}
 * @param port the port the session listens on at the resource's loopback; the hub reaches it through a tunnel
 */
public record Template(
        String name,
        String configurer,
        Map<String, Object> configurerOptions,
        String authenticator,
        Map<String, Object> authenticatorOptions,
        String command,
        int port) {
    public Template {
        requireNonNull(name, "name is null");
        configurerOptions = configurerOptions == null ? Map.of() : configurerOptions;
        authenticatorOptions = authenticatorOptions == null ? Map.of() : authenticatorOptions;
    }
}
