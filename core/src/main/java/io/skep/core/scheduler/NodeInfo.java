package io.skep.core.scheduler;

import io.skep.api.model.Node;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import io.skep.spi.scheduler.Resources;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A node as the scheduler sees it during one pass: its attributes, and what the tasks that hold a place on it
 * take — how many (of each service), the CPU and memory they reserve, the host ports they publish. Updated as
 * the pass assigns tasks, so later decisions see earlier ones.
 */
public final class NodeInfo {
    final Node node;
    final Map<String, String> attributes;
    private final Map<String, Integer> tasksByService = new HashMap<>();
    private final Set<String> hostPorts = new HashSet<>();
    private int totalTasks;
    private long reservedNanoCpus;
    private long reservedMemory;

    public NodeInfo(Node node) {
        this.node = node;
        this.attributes = NodeAttributes.of(node);
    }

    /**
     * Whether a task holds a place on its node: assigned and not yet ended, whatever its desired state (a task
     * being stopped keeps its reservations and ports until it has stopped, as in swarmkit).
     */
    public static boolean holdsPlace(Task t) {
        TaskState s = t.state();
        return t.nodeId != null && s != null && s.compareTo(TaskState.ASSIGNED) >= 0 && !s.isTerminal();
    }

    /** Counts a task that holds a place here, with what its group demands. */
    public void add(Demand demand) {
        totalTasks++;
        tasksByService.merge(demand.serviceId(), 1, Integer::sum);
        reservedNanoCpus += demand.nanoCpus();
        reservedMemory += demand.memoryBytes();
        hostPorts.addAll(demand.hostPorts());
    }

    public String id() {
        return node.id;
    }

    /** The node's attributes by constraint name ({@link NodeAttributes}). */
    public Map<String, String> attributes() {
        return attributes;
    }

    /** A node attribute by constraint name ({@code node.labels.az}), or null. */
    public String attribute(String name) {
        return attributes.get(name);
    }

    /** Whether one more task of this demand passes every filter here. */
    public boolean fits(Demand demand) {
        return NodeFilter.firstFailing(demand, this) == null;
    }

    public int totalTasks() {
        return totalTasks;
    }

    public int serviceTasks(String serviceId) {
        return tasksByService.getOrDefault(serviceId, 0);
    }

    public long availableNanoCpus() {
        Node.Resources r = node.description == null ? null : node.description.resources;
        return (r == null || r.nanoCPUs == null ? 0 : r.nanoCPUs) - reservedNanoCpus;
    }

    public long availableMemory() {
        Node.Resources r = node.description == null ? null : node.description.resources;
        return (r == null || r.memoryBytes == null ? 0 : r.memoryBytes) - reservedMemory;
    }

    /** What the node reports it has ({@code Description.Resources}). */
    public Resources total() {
        Node.Resources r = node.description == null ? null : node.description.resources;
        return r == null
                ? Resources.NONE
                : new Resources(
                        Math.max(0, r.nanoCPUs == null ? 0 : r.nanoCPUs),
                        Math.max(0, r.memoryBytes == null ? 0 : r.memoryBytes));
    }

    /** What the node has left once the tasks holding a place on it took their reservations (never below zero). */
    public Resources free() {
        return new Resources(Math.max(0, availableNanoCpus()), Math.max(0, availableMemory()));
    }

    boolean portInUse(Set<String> ports) {
        for (String p : ports) {
            if (hostPorts.contains(p)) {
                return true;
            }
        }
        return false;
    }

    /** How many more tasks of this demand the node can take, once every filter passed: at least 1. */
    public int capacity(Demand d) {
        long room = Integer.MAX_VALUE;
        if (d.nanoCpus() > 0) {
            room = Math.min(room, availableNanoCpus() / d.nanoCpus());
        }
        if (d.memoryBytes() > 0) {
            room = Math.min(room, availableMemory() / d.memoryBytes());
        }
        if (!d.hostPorts().isEmpty()) {
            room = Math.min(room, 1); // a second task would publish the same port
        }
        if (d.maxReplicas() > 0) {
            room = Math.min(room, d.maxReplicas() - serviceTasks(d.serviceId()));
        }
        return (int) Math.max(room, 0);
    }
}
