package io.skep.core.orchestrator;

import io.skep.api.model.Node;
import io.skep.api.model.Task;
import io.skep.api.model.TaskSpec;
import io.skep.core.scheduler.Constraint;
import io.skep.core.scheduler.NodeAttributes;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The swarm's nodes as the orchestrators judge them during one pass: which can keep tasks, and whether a task's
 * node still satisfies its constraints (swarmkit's constraint enforcer). Attributes and parsed constraints are
 * worked out once per pass, not once per task.
 */
final class NodeView {
    private final Map<String, Node> nodes = new HashMap<>();
    private final Map<String, Map<String, String>> attributes = new HashMap<>();
    private final Map<String, List<Constraint>> constraintsByTemplate = new HashMap<>();

    NodeView(Collection<Node> nodes) {
        nodes.forEach(n -> this.nodes.put(n.id, n));
    }

    Collection<Node> all() {
        return nodes.values();
    }

    Node get(String id) {
        return nodes.get(id);
    }

    /** Swarm's {@code InvalidNode}, negated: the node exists, is not down and is not drained. */
    boolean usable(String nodeId) {
        Node node = nodes.get(nodeId);
        return node != null
                && !"down".equals(node.status == null ? null : node.status.state)
                && !"drain".equals(node.availability());
    }

    /** Whether the node meets every constraint of a task made from {@code spec} (digest {@code templateDigest}). */
    boolean satisfies(String nodeId, TaskSpec spec, String templateDigest) {
        Node node = nodes.get(nodeId);
        if (node == null) {
            return false;
        }
        List<Constraint> constraints = templateDigest == null
                ? parse(spec)
                : constraintsByTemplate.computeIfAbsent(templateDigest, d -> parse(spec));
        if (constraints.isEmpty()) {
            return true;
        }
        Map<String, String> a = attributes.computeIfAbsent(nodeId, id -> NodeAttributes.of(node));
        return constraints.stream().allMatch(c -> c.matches(a));
    }

    boolean satisfies(Task t) {
        return satisfies(t.nodeId, t.spec, t.templateDigest);
    }

    private static List<Constraint> parse(TaskSpec spec) {
        try {
            return Constraint.parseAll(spec == null || spec.placement == null ? null : spec.placement.constraints);
        } catch (IllegalArgumentException e) {
            return List.of(); // the API refuses such specs; an old one stored before is not a reason to move tasks
        }
    }
}
