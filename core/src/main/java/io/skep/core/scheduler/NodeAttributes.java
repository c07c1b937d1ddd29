package io.skep.core.scheduler;

import io.skep.api.model.Node;
import java.util.HashMap;
import java.util.Map;

/** A node's attributes by constraint name ({@code node.hostname}, {@code node.labels.az}, …). */
public final class NodeAttributes {
    private NodeAttributes() {}

    public static Map<String, String> of(Node node) {
        Map<String, String> a = new HashMap<>();
        a.put("node.id", node.id);
        if (node.hostname() != null) {
            a.put("node.hostname", node.hostname());
        }
        if (node.spec != null && node.spec.role != null) {
            a.put("node.role", node.spec.role);
        }
        if (node.status != null && node.status.addr != null) {
            a.put("node.ip", node.status.addr);
        }
        if (node.description != null && node.description.platform != null) {
            if (node.description.platform.OS != null) {
                a.put("node.platform.os", node.description.platform.OS);
            }
            if (node.description.platform.architecture != null) {
                a.put("node.platform.arch", node.description.platform.architecture);
            }
        }
        if (node.spec != null && node.spec.labels != null) {
            node.spec.labels.forEach((k, v) -> a.put("node.labels." + k, v));
        }
        if (node.description != null && node.description.engine != null && node.description.engine.labels != null) {
            node.description.engine.labels.forEach((k, v) -> a.put("engine.labels." + k, v));
        }
        return a;
    }
}
