package io.skep.core.pki;

import java.util.Arrays;
import java.util.Optional;

/** What a node certificate lets its holder do: its organizational unit, as in Swarm's certificates. */
public enum NodeRole {
    MANAGER("swarm-manager"),
    WORKER("swarm-worker");

    private final String unit;

    NodeRole(String unit) {
        this.unit = unit;
    }

    /** The certificate's OU: {@code swarm-manager} or {@code swarm-worker}. */
    public String unit() {
        return unit;
    }

    /** The role whose OU is {@code unit}. */
    public static Optional<NodeRole> ofUnit(String unit) {
        return Arrays.stream(values()).filter(r -> r.unit.equals(unit)).findFirst();
    }
}
