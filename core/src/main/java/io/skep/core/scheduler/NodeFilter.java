package io.skep.core.scheduler;

import java.util.ArrayList;
import java.util.List;

/**
 * The core's feasibility checks, in swarmkit's order: a task may go to a node only if every filter passes.
 * Each failing filter says why, so an unplaceable task carries an explanation
 * ("no suitable node (scheduling constraints not satisfied on 1 node)").
 */
public enum NodeFilter {
    READY("1 node not available for new tasks", "%d nodes not available for new tasks") {
        @Override
        boolean check(Demand d, NodeInfo n) {
            return n.node.isReady() && "active".equals(n.node.availability());
        }
    },
    RESOURCES("insufficient resources on 1 node", "insufficient resources on %d nodes") {
        @Override
        boolean check(Demand d, NodeInfo n) {
            // as shortOf(d, n).isEmpty(), without a list per node and task group
            return (d.nanoCpus() == 0 || n.availableNanoCpus() >= d.nanoCpus())
                    && (d.memoryBytes() == 0 || n.availableMemory() >= d.memoryBytes());
        }
    },
    RUNTIME("runtime %s not available on 1 node", "runtime %s not available on %d nodes") {
        @Override
        boolean check(Demand d, NodeInfo n) {
            List<String> runtimes = n.node.runtimes();
            return d.runtime() == null ? !runtimes.isEmpty() : runtimes.contains(d.runtime());
        }
    },
    CONSTRAINTS("scheduling constraints not satisfied on 1 node", "scheduling constraints not satisfied on %d nodes") {
        @Override
        boolean check(Demand d, NodeInfo n) {
            for (Constraint c : d.constraints()) {
                if (!c.matches(n.attributes)) {
                    return false;
                }
            }
            return true;
        }
    },
    HOST_PORTS("host-mode port already in use on 1 node", "host-mode port already in use on %d nodes") {
        @Override
        boolean check(Demand d, NodeInfo n) {
            return !n.portInUse(d.hostPorts());
        }
    },
    MAX_REPLICAS("max replicas per node limit exceed", "max replicas per node limit exceed") {
        @Override
        boolean check(Demand d, NodeInfo n) {
            return d.maxReplicas() == 0 || n.serviceTasks(d.serviceId()) < d.maxReplicas();
        }
    };

    private final String one;
    private final String many;

    NodeFilter(String one, String many) {
        this.one = one;
        this.many = many;
    }

    abstract boolean check(Demand demand, NodeInfo node);

    /** The first filter the node fails for the demand, or null when it passes all. */
    public static NodeFilter firstFailing(Demand demand, NodeInfo node) {
        for (NodeFilter f : values()) {
            if (!f.check(demand, node)) {
                return f;
            }
        }
        return null;
    }

    /** The reserved resources the node has too little of for one more task: {@code cpu}, {@code memory}. */
    static List<String> shortOf(Demand d, NodeInfo n) {
        List<String> out = new ArrayList<>(2);
        if (d.nanoCpus() > 0 && n.availableNanoCpus() < d.nanoCpus()) {
            out.add("cpu");
        }
        if (d.memoryBytes() > 0 && n.availableMemory() < d.memoryBytes()) {
            out.add("memory");
        }
        return out;
    }

    String explain(Demand demand, int nodes) {
        String runtime = demand.runtime() == null ? "(any)" : demand.runtime();
        if (this == RUNTIME) {
            return nodes == 1 ? one.formatted(runtime) : many.formatted(runtime, nodes);
        }
        return nodes == 1 ? one : many.formatted(nodes);
    }
}
