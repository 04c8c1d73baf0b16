package io.corc.configurer.ssh;

import io.corc.api.CorcException;
import io.corc.api.PluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the SSH configurer does, read from corc's {@code configurers.ssh} section overlaid with the spec's options
 * (a key the spec sets replaces the section's). Every error names the key's path.
 */
record SshConfigurerSettings(
        List<UserSpec> users,
        List<FileSpec> files,
        List<Path> scripts,
        List<String> commands,
        Duration sshWait,
        Duration commandTimeout) {

    /** A file or directory to copy: local {@code source}, remote {@code destination}, {@code mode} or -1 to keep. */
    record FileSpec(Path source, String destination, int mode) {}

    /** A login user to make: its authorized public key lines and whether it may sudo without a password. */
    record UserSpec(String name, List<String> authorizedKeys, boolean sudo) {}

    static SshConfigurerSettings of(PluginConfig section, PluginConfig options, Path cwd) {
        Map<String, Object> merged = new LinkedHashMap<>(section.asMap());
        merged.putAll(options.asMap());
        PluginConfig config = new PluginConfig(section.path(), merged);
        List<FileSpec> files = new ArrayList<>();
        int index = 0;
        for (PluginConfig entry : entries(config, "files")) {
            String at = config.path() + ".files[" + index++ + "]";
            Path source = cwd.resolve(required(entry, "src", at)).normalize();
            if (!Files.exists(source)) {
                throw CorcException.notFound(at + ".src: " + source + " does not exist")
                        .withHint("relative paths resolve against the current directory");
            }
            files.add(new FileSpec(source, required(entry, "dest", at), mode(entry, at)));
        }
        List<Path> scripts = new ArrayList<>();
        for (String script : config.strings("scripts")) {
            Path path = cwd.resolve(script).normalize();
            if (!Files.isRegularFile(path)) {
                throw CorcException.notFound(config.path() + ".scripts: " + path + " is not a file")
                        .withHint("relative paths resolve against the current directory");
            }
            scripts.add(path);
        }
        List<UserSpec> users = new ArrayList<>();
        index = 0;
        for (PluginConfig entry : entries(config, "users")) {
            String at = config.path() + ".users[" + index++ + "]";
            String name = required(entry, "name", at);
            if (!name.matches("[a-z_][a-z0-9_-]{0,31}")) {
                throw CorcException.invalidInput(at + ".name '" + name + "' is not a valid user name")
                        .withHint("use lower-case letters, digits, '_' and '-', starting with a letter, at most 32");
            }
            List<String> keys = entry.strings("authorized_keys").stream()
                    .map(String::strip)
                    .filter(k -> !k.isEmpty())
                    .toList();
            for (String key : keys) {
                if (!key.matches("\\S+ AAAA[A-Za-z0-9+/=]+( .*)?") || key.contains("\n")) {
                    throw CorcException.invalidInput(at + ".authorized_keys: '" + key + "' is not a public key line")
                            .withHint("give each key as one line 'ssh-ed25519 AAAA... comment', as in a .pub file");
                }
            }
            users.add(new UserSpec(name, keys, entry.bool("sudo", false)));
        }
        return new SshConfigurerSettings(
                users,
                files,
                scripts,
                config.strings("commands"),
                Duration.ofSeconds(config.integer("ssh_wait_seconds", 300)),
                Duration.ofSeconds(config.integer("command_timeout_seconds", 3600)));
    }

    /** A list of mappings under {@code key}. */
    private static List<PluginConfig> entries(PluginConfig config, String key) {
        Object value = config.asMap().get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw CorcException.invalidInput(config.path() + "." + key + " must be a list, got '" + value + "'")
                    .withHint("write it as a YAML list of mappings (see docs/ssh.md)");
        }
        List<PluginConfig> entries = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> map)) {
                throw CorcException.invalidInput(
                                config.path() + "." + key + "[" + i + "] must be a mapping, got '" + list.get(i) + "'")
                        .withHint("write it as a YAML list of mappings (see docs/ssh.md)");
            }
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), v));
            entries.add(new PluginConfig(config.path() + "." + key + "[" + i + "]", copy));
        }
        return entries;
    }

    private static String required(PluginConfig entry, String key, String at) {
        return entry.optionalString(key).orElseThrow(() -> CorcException.invalidInput(at + "." + key + " is missing")
                .withHint("every entry needs " + key + " (see docs/ssh.md)"));
    }

    /** An octal string ({@code "0644"}, {@code "644"}) or a number YAML already read as octal ({@code 0644}). */
    private static int mode(PluginConfig entry, String at) {
        Object value = entry.asMap().get("mode");
        if (value == null) {
            return -1;
        }
        if (value instanceof Number number && number.intValue() >= 0 && number.intValue() <= 07777) {
            return number.intValue();
        }
        String text = String.valueOf(value).strip();
        if (text.matches("0?[0-7]{3,4}")) {
            return Integer.parseInt(text, 8);
        }
        throw CorcException.invalidInput(at + ".mode '" + value + "' is not a file mode")
                .withHint("write the mode in octal and quoted, e.g. mode: \"0644\"");
    }
}
