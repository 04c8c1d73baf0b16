package io.corc.configurer.ansible;

import static java.util.Objects.requireNonNull;

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
 * The Ansible configurer's settings: corc's {@code configurers.ansible} section overlaid with what one apply asks
 * for (the CLI's {@code --playbook}).
 *
 * <p>Keys, as in corc's configuration: {@code root_path} (the Ansible project directory: ansible-playbook runs
 * there, so its {@code ansible.cfg} and roles are found, and relative playbook paths resolve against it), {@code
 * playbook_paths} (one path, a comma-separated string or a list), {@code inventory_path} (an extra inventory
 * source passed after corc's own), {@code host_variables} (variables for corc's hosts, overriding corc's), {@code
 * host_settings.group} (the inventory group corc's hosts are put in), {@code ansible_playbook} (the executable,
 * default found on PATH), {@code ssh_wait_seconds} (how long to wait until the resource's SSH server accepts corc's key, default 300).
 *
 * @param playbooks absolute paths, checked to exist, in the order they run
 */
record AnsibleSettings(
        Path workingDirectory,
        List<Path> playbooks,
        Path inventory,
        Map<String, Object> hostVariables,
        String group,
        String executable,
        Duration sshWait) {

    static final String DEFAULT_EXECUTABLE = "ansible-playbook";

    AnsibleSettings {
        requireNonNull(workingDirectory, "workingDirectory is null");
        playbooks = List.copyOf(playbooks);
        hostVariables = Map.copyOf(hostVariables);
        requireNonNull(executable, "executable is null");
        requireNonNull(sshWait, "sshWait is null");
    }

    /**
     * Reads {@code section} and then {@code request}; playbooks of the request replace the configured ones.
     *
     * @param cwd where relative paths resolve when no {@code root_path} is set
     * @throws CorcException INVALID_INPUT when no playbook is named, NOT_FOUND naming a path that does not exist
     */
    static AnsibleSettings of(PluginConfig section, PluginConfig request, Path cwd) {
        Map<String, Object> merged = new LinkedHashMap<>(section.asMap());
        request.asMap().forEach((key, value) -> {
            if (value != null && !(value instanceof String s && s.isEmpty())) {
                merged.put(key, value);
            }
        });
        PluginConfig config = new PluginConfig(section.path(), merged);
        Path root = config.optionalString("root_path").map(p -> expand(p, cwd)).orElse(cwd);
        if (config.has("root_path") && !Files.isDirectory(root)) {
            throw CorcException.notFound(section.path() + ".root_path " + root + " is not a directory")
                    .withHint("set it to your Ansible project directory, or leave it empty");
        }
        List<Path> playbooks = new ArrayList<>();
        for (String entry : config.strings("playbook_paths")) {
            for (String path : entry.split(",")) {
                if (!path.isBlank()) {
                    playbooks.add(existing(expand(path.strip(), root), section.path() + ".playbook_paths", false));
                }
            }
        }
        if (playbooks.isEmpty()) {
            throw CorcException.invalidInput("no playbook to run: " + section.path() + ".playbook_paths is empty")
                    .withHint("name one with --playbook FILE, or set playbook_paths in the configuration");
        }
        Path inventory = config.optionalString("inventory_path")
                .map(p -> existing(expand(p, root), section.path() + ".inventory_path", true))
                .orElse(null);
        Map<String, Object> hostVariables = config.section("host_variables").asMap();
        String group = config.section("host_settings").optionalString("group").orElse(null);
        if (group != null && !group.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw CorcException.invalidInput(
                            section.path() + ".host_settings.group '" + group + "' is not a valid Ansible group name")
                    .withHint("use letters, digits and underscores, starting with a letter");
        }
        return new AnsibleSettings(
                root,
                playbooks,
                inventory,
                hostVariables,
                group,
                config.string("ansible_playbook", DEFAULT_EXECUTABLE),
                Duration.ofSeconds(config.integer("ssh_wait_seconds", 300)));
    }

    private static Path expand(String path, Path base) {
        String expanded =
                path.equals("~") || path.startsWith("~/") ? System.getProperty("user.home") + path.substring(1) : path;
        return base.resolve(expanded).toAbsolutePath().normalize();
    }

    /** {@code path} when it is a file (or a directory, when {@code directoryAllowed}: an inventory directory). */
    private static Path existing(Path path, String key, boolean directoryAllowed) {
        if (!Files.isRegularFile(path) && !(directoryAllowed && Files.isDirectory(path))) {
            throw CorcException.notFound(key + ": " + path + " does not exist")
                    .withHint("check the path; relative paths resolve against root_path, else the current directory");
        }
        return path;
    }
}
