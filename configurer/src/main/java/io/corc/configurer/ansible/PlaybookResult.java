package io.corc.configurer.ansible;

import java.nio.file.Path;
import java.util.Map;

/** What one playbook did: the PLAY RECAP per inventory host. */
public record PlaybookResult(Path playbook, Map<String, HostRecap> hosts) {
    public PlaybookResult {
        hosts = Map.copyOf(hosts);
    }

    /** Tasks that changed something, over all hosts; 0 when a repeated run found everything in place. */
    public int changed() {
        return hosts.values().stream().mapToInt(HostRecap::changed).sum();
    }
}
