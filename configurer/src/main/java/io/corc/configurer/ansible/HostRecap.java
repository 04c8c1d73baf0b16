package io.corc.configurer.ansible;

/** One host's line of ansible's PLAY RECAP: how many tasks were ok, changed something, failed, ... */
public record HostRecap(int ok, int changed, int unreachable, int failed, int skipped, int rescued, int ignored) {}
