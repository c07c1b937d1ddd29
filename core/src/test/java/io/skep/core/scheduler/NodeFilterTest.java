package io.skep.core.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.skep.api.model.Node;
import io.skep.api.model.PortConfig;
import io.skep.api.model.Service;
import io.skep.api.model.Task;
import io.skep.api.model.TaskSpec;
import io.skep.core.testing.Fixtures;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeFilterTest {

    private static NodeInfo node(String availability, String state, String... runtimes) {
        Node n = Fixtures.node("n1");
        n.spec.availability = availability;
        n.status.state = state;
        n.description.engine.plugins = java.util.Arrays.stream(runtimes)
                .map(r -> new Node.PluginDescription(Node.RUNTIME_PLUGIN_TYPE, r))
                .toList();
        return new NodeInfo(n);
    }

    private static Demand demand(String runtime, String... constraints) {
        return new Demand("s1", runtime, Constraint.parseAll(List.of(constraints)), 0, 0, Set.of(), 0);
    }

    @Test
    void aTaskGoesOnlyToReadyActiveNodesThatHaveItsRuntime() {
        assertNull(NodeFilter.firstFailing(demand("process"), node("active", "ready", "process")));
        assertNull(
                NodeFilter.firstFailing(demand(null), node("active", "ready", "process")),
                "no runtime named: any will do");
        assertEquals(NodeFilter.RUNTIME, NodeFilter.firstFailing(demand("docker"), node("active", "ready", "process")));
        assertEquals(NodeFilter.RUNTIME, NodeFilter.firstFailing(demand(null), node("active", "ready")));
        assertEquals(NodeFilter.READY, NodeFilter.firstFailing(demand("process"), node("drain", "ready", "process")));
        assertEquals(NodeFilter.READY, NodeFilter.firstFailing(demand("process"), node("pause", "ready", "process")));
        assertEquals(NodeFilter.READY, NodeFilter.firstFailing(demand("process"), node("active", "down", "process")));
    }

    @Test
    void constraintsAreCheckedAgainstTheNodesAttributes() {
        Node n = Fixtures.node("n1", "disk", "ssd");
        n.spec.role = "manager";
        NodeInfo info = new NodeInfo(n);
        assertNull(NodeFilter.firstFailing(demand(null, "node.role==manager", "node.labels.disk==ssd"), info));
        assertEquals(NodeFilter.CONSTRAINTS, NodeFilter.firstFailing(demand(null, "node.role==worker"), info));
        assertEquals(NodeFilter.CONSTRAINTS, NodeFilter.firstFailing(demand(null, "node.labels.disk!=ssd"), info));
        assertEquals("runtime docker not available on 2 nodes", NodeFilter.RUNTIME.explain(demand("docker"), 2));

        n.description.engine.labels = java.util.Map.of("zone", "eu"); // skep daemon --label zone=eu
        NodeInfo labelled = new NodeInfo(n);
        assertNull(NodeFilter.firstFailing(demand(null, "engine.labels.zone==eu"), labelled));
        assertEquals(NodeFilter.CONSTRAINTS, NodeFilter.firstFailing(demand(null, "engine.labels.zone==us"), labelled));
        assertEquals(
                NodeFilter.CONSTRAINTS,
                NodeFilter.firstFailing(demand(null, "node.labels.zone==eu"), labelled),
                "engine labels and node labels are two sets");
    }

    @Test
    void reservationsAreCheckedAgainstWhatTheNodeHasLeft() {
        NodeInfo info = new NodeInfo(Fixtures.node("n1")); // 2 CPUs, 4 GiB
        Demand oneCpu = new Demand("s1", null, List.of(), 1_000_000_000L, 1L << 30, Set.of(), 0);
        assertNull(NodeFilter.firstFailing(oneCpu, info));
        assertEquals(2, info.capacity(oneCpu), "two tasks of 1 CPU fit on 2 CPUs");
        info.add(oneCpu);
        assertEquals(1, info.capacity(oneCpu));
        info.add(oneCpu);
        assertEquals(NodeFilter.RESOURCES, NodeFilter.firstFailing(oneCpu, info), "both CPUs are reserved");
        assertEquals(List.of("cpu"), NodeFilter.shortOf(oneCpu, info));

        Demand huge = new Demand("s2", null, List.of(), 0, 1L << 40, Set.of(), 0);
        assertEquals(List.of("memory"), NodeFilter.shortOf(huge, new NodeInfo(Fixtures.node("n2"))));
        assertEquals("insufficient resources on 3 nodes", NodeFilter.RESOURCES.explain(huge, 3));
    }

    @Test
    void hostPortsAndReplicasPerNodeLimitWhatANodeTakes() {
        NodeInfo info = new NodeInfo(Fixtures.node("n1"));
        Demand web = new Demand("web", null, List.of(), 0, 0, Set.of("tcp/8080"), 0);
        assertEquals(1, info.capacity(web), "one task per node can publish a host port");
        info.add(web);
        assertEquals(NodeFilter.HOST_PORTS, NodeFilter.firstFailing(web, info));
        assertNull(
                NodeFilter.firstFailing(new Demand("api", null, List.of(), 0, 0, Set.of("udp/8080"), 0), info),
                "the same number on another protocol is another port");

        Demand capped = new Demand("api", null, List.of(), 0, 0, Set.of(), 2);
        assertEquals(2, info.capacity(capped));
        info.add(capped);
        assertEquals(1, info.capacity(capped));
        info.add(capped);
        assertEquals(NodeFilter.MAX_REPLICAS, NodeFilter.firstFailing(capped, info));
        assertEquals("max replicas per node limit exceed", NodeFilter.MAX_REPLICAS.explain(capped, 4));
    }

    @Test
    void aDemandIsReadFromTheTaskAndItsServicesHostModePorts() {
        Service s = Fixtures.replicatedService(1);
        s.spec.endpointSpec = new io.skep.api.model.EndpointSpec();
        s.spec.endpointSpec.ports = List.of(port("host", 8080), port("ingress", 9090));
        Task t = new Task();
        t.serviceId = s.id;
        t.spec = new TaskSpec();
        t.spec.resources = new TaskSpec.Resources();
        t.spec.resources.reservations = new TaskSpec.Reservations();
        t.spec.resources.reservations.memoryBytes = 512L << 20;
        t.spec.placement = new TaskSpec.Placement();
        t.spec.placement.maxReplicas = 3L;
        t.spec.placement.constraints = List.of("node.labels.az==1");
        Demand d = Demand.of(t, s);
        assertEquals(Set.of("tcp/8080"), d.hostPorts(), "ingress ports are the mesh's, not the node's");
        assertEquals(512L << 20, d.memoryBytes());
        assertEquals(0, d.nanoCpus());
        assertEquals(3, d.maxReplicas());
        assertEquals(1, d.constraints().size());
    }

    private static PortConfig port(String mode, long published) {
        PortConfig p = new PortConfig();
        p.publishMode = mode;
        p.publishedPort = published;
        p.targetPort = 80L;
        p.protocol = "tcp";
        return p;
    }
}
