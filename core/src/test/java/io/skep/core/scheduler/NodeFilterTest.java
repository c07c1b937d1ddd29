package io.skep.core.scheduler;

import io.skep.core.model.Node;
import io.skep.core.model.Task;
import io.skep.core.model.TaskSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class NodeFilterTest {

    private static Node node(String availability, String state, String... runtimes) {
        Node n = new Node();
        n.id = "n1";
        n.spec.availability = availability;
        n.status.state = state;
        n.description.engine = new Node.Engine();
        n.description.engine.plugins = java.util.Arrays.stream(runtimes)
                .map(r -> new Node.PluginDescription(Node.RUNTIME_PLUGIN_TYPE, r)).toList();
        return n;
    }

    private static Task task(String runtime, String... constraints) {
        Task t = new Task();
        t.runtime = runtime;
        t.spec = new TaskSpec();
        t.spec.placement = new TaskSpec.Placement();
        t.spec.placement.constraints = List.of(constraints);
        return t;
    }

    @Test
    void aTaskGoesOnlyToReadyActiveNodesThatHaveItsRuntime() {
        Node ready = node("active", "ready", "process");
        assertNull(NodeFilter.firstFailing(task("process"), ready, NodeAttributes.of(ready)));
        assertNull(NodeFilter.firstFailing(task(null), ready, NodeAttributes.of(ready)), "no runtime named: any will do");
        assertEquals(NodeFilter.RUNTIME, NodeFilter.firstFailing(task("docker"), ready, NodeAttributes.of(ready)));
        Node none = node("active", "ready");
        assertEquals(NodeFilter.RUNTIME, NodeFilter.firstFailing(task(null), none, NodeAttributes.of(none)));
        Node drained = node("drain", "ready", "process");
        assertEquals(NodeFilter.READY, NodeFilter.firstFailing(task("process"), drained, NodeAttributes.of(drained)));
        Node down = node("active", "down", "process");
        assertEquals(NodeFilter.READY, NodeFilter.firstFailing(task("process"), down, NodeAttributes.of(down)));
    }

    @Test
    void constraintsAreCheckedAgainstTheNodesAttributes() {
        Node n = node("active", "ready", "process");
        n.spec.role = "manager";
        assertNull(NodeFilter.firstFailing(task(null, "node.role==manager"), n, NodeAttributes.of(n)));
        assertEquals(NodeFilter.CONSTRAINTS, NodeFilter.firstFailing(task(null, "node.role==worker"), n, NodeAttributes.of(n)));
        assertEquals("runtime docker not available on 2 nodes", NodeFilter.RUNTIME.explain(task("docker"), 2));
    }
}
