package io.corc.spawner;

import io.corc.api.CorcException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The placeholders of template files: {@code {name}} with a lower-case name from {@link #KNOWN}. {@code {{} and
 * {@code }}} are literal braces; {@code ${...}} (shell variables) and braces around anything that is not a lower-case
 * word are left as they are. An unknown name is an error when the file is loaded, not in the middle of a spawn.
 */
public final class Placeholders {
    /** Every placeholder a template may use. */
    public static final Set<String> KNOWN = Set.of(
            "user", // the user the session is for
            "public_key", // the user's OpenSSH public key line
            "hub_address", // the hub's address as the spawner was told
            "hub_host_key", // the hub's SSH host key, if the spawner was told one
            "hub_api_url", // http://127.0.0.1:<port> on the resource: the hub's API through the reverse tunnel
            "hub_api_port", // that port on the resource's loopback
            "session_port", // the port the session listens on (the template's port)
            "session_id", // the session's id
            "session_dir", // the session's directory on the resource (relative to the login's home)
            "resource_id"); // the resource the session runs on

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{|}}|(?<!\\$)\\{([a-z][a-z0-9_]*)}");

    private Placeholders() {}

    /** The unknown placeholder names in {@code text}, in order. */
    static List<String> unknown(String text) {
        List<String> unknown = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            if (m.group(1) != null && !KNOWN.contains(m.group(1))) {
                unknown.add(m.group(1));
            }
        }
        return unknown;
    }

    /** {@code text} with its placeholders filled in from {@code values}. */
    public static String fill(String text, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group(1) == null) {
                replacement = m.group().substring(0, 1);
            } else if (values.containsKey(m.group(1))) {
                replacement = values.get(m.group(1));
            } else {
                throw unknownPlaceholder(m.group(1), "a template");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement == null ? "" : replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Every string in a YAML value (maps, lists, scalars) filled in; other scalars unchanged. */
    static Object fillAll(Object value, Map<String, String> values) {
        if (value instanceof String s) {
            return fill(s, values);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), fillAll(v, values)));
            return copy;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(v -> fillAll(v, values)).toList();
        }
        return value;
    }

    /** Every unknown placeholder in a YAML value. */
    static List<String> unknownIn(Object value) {
        List<String> unknown = new ArrayList<>();
        if (value instanceof String s) {
            unknown.addAll(unknown(s));
        } else if (value instanceof Map<?, ?> map) {
            map.values().forEach(v -> unknown.addAll(unknownIn(v)));
        } else if (value instanceof List<?> list) {
            list.forEach(v -> unknown.addAll(unknownIn(v)));
        }
        return unknown;
    }

    static CorcException unknownPlaceholder(String name, String where) {
        return CorcException.invalidInput("unknown placeholder {" + name + "} in " + where)
                .withHint("known placeholders: "
                        + KNOWN.stream().sorted().map(k -> "{" + k + "}").toList()
                        + "; write {{ and }} for literal braces");
    }
}
