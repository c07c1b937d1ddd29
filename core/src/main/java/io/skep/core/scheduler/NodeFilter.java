package io.skep.core.scheduler;

import io.skep.core.model.Node;
import io.skep.core.model.Task;

import java.util.List;
import java.util.Map;

/**
 * The core's feasibility checks, in swarmkit's order: a task may go to a node only if every filter passes.
 * Each failing filter says why, so an unplaceable task carries an explanation
 * ("no suitable node (scheduling constraints not satisfied on 1 node)").
 */
public enum NodeFilter {
    READY("1 node not available for new tasks", "%d nodes not available for new tasks") {
        @Override
        boolean check(Task task, Node node, Map<String, String> attributes) {
            return node.isReady() && "active".equals(node.availability());
        }
    },
    RUNTIME("runtime %s not available on 1 node", "runtime %s not available on %d nodes") {
        @Override
        boolean check(Task task, Node node, Map<String, String> attributes) {
            List<String> runtimes = node.runtimes();
            return task.runtime == null ? !runtimes.isEmpty() : runtimes.contains(task.runtime);
        }
    },
    CONSTRAINTS("scheduling constraints not satisfied on 1 node", "scheduling constraints not satisfied on %d nodes") {
        @Override
        boolean check(Task task, Node node, Map<String, String> attributes) {
            if (task.spec == null || task.spec.placement == null || task.spec.placement.constraints == null) {
                return true;
            }
            for (Constraint c : Constraint.parseAll(task.spec.placement.constraints)) {
                if (!c.matches(attributes)) {
                    return false;
                }
            }
            return true;
        }
    };

    private final String one;
    private final String many;

    NodeFilter(String one, String many) {
        this.one = one;
        this.many = many;
    }

    abstract boolean check(Task task, Node node, Map<String, String> attributes);

    /** The first filter the node fails for the task, or null when it passes all. */
    public static NodeFilter firstFailing(Task task, Node node, Map<String, String> attributes) {
        for (NodeFilter f : values()) {
            if (!f.check(task, node, attributes)) {
                return f;
            }
        }
        return null;
    }

    String explain(Task task, int nodes) {
        String runtime = task.runtime == null ? "(any)" : task.runtime;
        if (this == RUNTIME) {
            return nodes == 1 ? one.formatted(runtime) : many.formatted(runtime, nodes);
        }
        return nodes == 1 ? one : many.formatted(nodes);
    }
}
