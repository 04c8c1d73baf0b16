package io.corc.configurer.ansible;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corc.api.CorcException;
import io.corc.ssh.SshTarget;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * corc's inventory for one run, in the YAML inventory plug-in's layout written as JSON (valid YAML, and quoting
 * stays Jackson's problem): the hosts under {@code all}, or under {@code all.children.<group>} when a group is set.
 * It holds paths and addresses only, never key material.
 */
final class AnsibleInventory {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AnsibleInventory() {}

    static String json(List<AnsibleHost> hosts, Map<String, Object> hostVariables, String group) {
        Map<String, Object> entries = new LinkedHashMap<>();
        for (AnsibleHost host : hosts) {
            Map<String, Object> vars = new LinkedHashMap<>(connectionVariables(host));
            vars.putAll(hostVariables);
            entries.put(host.name(), vars);
        }
        Map<String, Object> hostsNode = Map.of("hosts", entries);
        Map<String, Object> all = group == null ? hostsNode : Map.of("children", Map.of(group, hostsNode));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(Map.of("all", all));
        } catch (JsonProcessingException e) {
            throw CorcException.invalidInput(
                            "host_variables cannot be written as an inventory: " + e.getOriginalMessage())
                    .withHint("use plain strings, numbers, booleans, lists and mappings");
        }
    }

    /**
     * The variables that make ansible log in as corc does. {@code IdentitiesOnly} keeps an ssh-agent's other keys
     * out (servers count every offered key against MaxAuthTries); {@code StrictHostKeyChecking=yes} with corc's
     * known_hosts makes a changed host key an error instead of a prompt or a silent trust.
     */
    static Map<String, Object> connectionVariables(AnsibleHost host) {
        SshTarget target = host.login().target();
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("ansible_connection", "ssh");
        vars.put("ansible_host", target.host());
        vars.put("ansible_port", target.port());
        vars.put("ansible_user", target.user());
        vars.put(
                "ansible_ssh_private_key_file",
                target.privateKey().toAbsolutePath().toString());
        vars.put(
                "ansible_ssh_common_args",
                "-o UserKnownHostsFile="
                        + quoted(host.login().knownHosts().file().toString())
                        + " -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o BatchMode=yes");
        return vars;
    }

    /** Ansible splits the ssh arguments with shlex, so a path with spaces needs quotes. */
    private static String quoted(String path) {
        return path.matches("[A-Za-z0-9_./@%+=:,-]+") ? path : "'" + path.replace("'", "'\"'\"'") + "'";
    }
}
