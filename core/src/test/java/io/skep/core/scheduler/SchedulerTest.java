package io.skep.core.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.api.model.Json;
import io.skep.api.model.Kind;
import io.skep.api.model.Node;
import io.skep.api.model.PortConfig;
import io.skep.api.model.Service;
import io.skep.api.model.Task;
import io.skep.api.model.TaskSpec;
import io.skep.api.model.TaskState;
import io.skep.core.store.Batch;
import io.skep.core.store.TaskPatch;
import io.skep.core.testing.Fixtures;
import io.skep.core.testing.InMemoryStore;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's passes on the in-memory store with the image's strategies (spread and topology, found through
 * ServiceLoader): what the filters let through, how each node's room bounds the placement, and the message a task
 * that no node takes carries.
 */
class SchedulerTest {

    private final InMemoryStore store = new InMemoryStore();
    private final Scheduler scheduler = new Scheduler(store, Fixtures.imageStrategies());

    private int services;

    /** A service with {@code replicas} pending tasks, its template changed by {@code template} first. */
    private Service service(long replicas, Consumer<Service> change) {
        return Fixtures.pendingService(store, "web" + (++services), replicas, change); // names are unique in a swarm
    }

    private List<Task> tasks(Service s) {
        return store.memory().tasksOfService(s.id);
    }

    private Map<String, Long> perNode(Service s) {
        return tasks(s).stream()
                .filter(t -> t.nodeId != null)
                .collect(Collectors.groupingBy(t -> t.nodeId, TreeMap::new, Collectors.counting()));
    }

    private List<String> pendingErrors(Service s) {
        return tasks(s).stream()
                .filter(t -> t.state() == TaskState.PENDING)
                .map(t -> t.status.err)
                .toList();
    }

    /** The agents' part: every assigned task runs. */
    private void allAssignedRun() {
        Batch b = new Batch();
        for (Task t : store.memory().tasks()) {
            if (t.state() == TaskState.ASSIGNED) {
                b.patchTask(t.id, TaskPatch.status(Fixtures.status(TaskState.RUNNING)));
            }
        }
        store.commit(b);
    }

    @Test
    void anImpossibleConstraintLeavesTasksPendingUntilANodeIsRelabelled() throws Exception {
        Node drained = Fixtures.node("n3");
        drained.spec.availability = "drain";
        Fixtures.join(store, Fixtures.node("n1"), Fixtures.node("n2"), drained);
        Service s = service(2, sv -> constrain(sv, "node.labels.disk==ssd"));
        scheduler.reconcile();
        assertEquals(
                List.of(
                        "no suitable node (1 node not available for new tasks; scheduling constraints not satisfied on 2 nodes)",
                        "no suitable node (1 node not available for new tasks; scheduling constraints not satisfied on 2 nodes)"),
                pendingErrors(s));

        Node n2 = Json.copy(store.memory().get(Kind.NODE, "n2"));
        n2.spec.labels = Map.of("disk", "ssd");
        store.commit(new Batch().update(n2));
        scheduler.reconcile();
        assertEquals(Map.of("n2", 2L), perNode(s), "the relabelled node takes both");
        assertTrue(pendingErrors(s).isEmpty());
    }

    @Test
    void reservationsLargerThanAnyNodeNameTheResourceAndSmallerOnesArePlaced() throws Exception {
        Fixtures.join(store, Fixtures.node("n1"), Fixtures.node("n2"), Fixtures.node("n3"));
        Service big = service(1, sv -> reserve(sv, 0, 64L << 30));
        Service small = service(3, sv -> reserve(sv, 0, 1L << 30));
        scheduler.reconcile();
        assertEquals(List.of("no suitable node (insufficient resources on 3 nodes: memory)"), pendingErrors(big));
        assertEquals(Map.of("n1", 1L, "n2", 1L, "n3", 1L), perNode(small));
    }

    @Test
    void reservationsBoundHowManyTasksANodeTakes() throws Exception {
        Fixtures.join(store, Fixtures.node("n1"), Fixtures.node("n2")); // 2 CPUs each
        Service s = service(5, sv -> reserve(sv, 1_000_000_000L, 0));
        scheduler.reconcile();
        assertEquals(Map.of("n1", 2L, "n2", 2L), perNode(s), "two 1-CPU tasks per 2-CPU node");
        assertEquals(List.of("no suitable node (insufficient resources on 2 nodes: cpu)"), pendingErrors(s));

        allAssignedRun();
        Task running =
                tasks(s).stream().filter(t -> "n1".equals(t.nodeId)).findFirst().orElseThrow();
        store.commit(new Batch().patchTask(running.id, TaskPatch.status(Fixtures.status(TaskState.FAILED))));
        scheduler.reconcile();
        assertEquals(3L, perNode(s).get("n1"), "an ended task frees its reservation: the pending task takes it");
    }

    @Test
    void replicasPerNodeAndHostPortsCapEachNode() throws Exception {
        Fixtures.join(store, Fixtures.node("n1"), Fixtures.node("n2"), Fixtures.node("n3"));
        Service capped = service(5, sv -> sv.spec.taskTemplate.placement = placement(2L));
        scheduler.reconcile();
        assertTrue(
                perNode(capped).values().stream().allMatch(n -> n <= 2),
                perNode(capped).toString());
        assertEquals(
                5, perNode(capped).values().stream().mapToLong(Long::longValue).sum());

        Service web = service(4, sv -> publishHost(sv, 8080));
        scheduler.reconcile();
        assertEquals(Map.of("n1", 1L, "n2", 1L, "n3", 1L), perNode(web));
        assertEquals(List.of("no suitable node (host-mode port already in use on 3 nodes)"), pendingErrors(web));

        Service one = service(4, sv -> sv.spec.taskTemplate.placement = placement(1L));
        scheduler.reconcile();
        assertEquals(List.of("no suitable node (max replicas per node limit exceed)"), pendingErrors(one));
    }

    @Test
    void placementPreferencesSpreadOverLabelValuesWithUnlabelledNodesAGroupOfTheirOwn() throws Exception {
        Fixtures.join(
                store,
                Fixtures.node("a1", "az", "1"),
                Fixtures.node("a2", "az", "1"),
                Fixtures.node("b1", "az", "2"),
                Fixtures.node("b2", "az", "2"),
                Fixtures.node("none"));
        Service s = service(6, sv -> {
            TaskSpec.Preference p = new TaskSpec.Preference();
            p.spread = new TaskSpec.Spread();
            p.spread.spreadDescriptor = "node.labels.az";
            sv.spec.taskTemplate.placement = new TaskSpec.Placement();
            sv.spec.taskTemplate.placement.preferences = List.of(p);
        });
        scheduler.reconcile();
        Map<String, Long> per = perNode(s);
        assertEquals(2L, per.getOrDefault("a1", 0L) + per.getOrDefault("a2", 0L), per.toString());
        assertEquals(2L, per.getOrDefault("b1", 0L) + per.getOrDefault("b2", 0L), per.toString());
        assertEquals(2L, per.get("none"), per.toString());
        assertTrue(per.values().stream().allMatch(n -> n >= 1), "inside a group, the HA spread: " + per);
    }

    private static void constrain(Service s, String... constraints) {
        s.spec.taskTemplate.placement = new TaskSpec.Placement();
        s.spec.taskTemplate.placement.constraints = List.of(constraints);
    }

    private static TaskSpec.Placement placement(Long maxReplicas) {
        TaskSpec.Placement p = new TaskSpec.Placement();
        p.maxReplicas = maxReplicas;
        return p;
    }

    private static void reserve(Service s, long nanoCpus, long memory) {
        s.spec.taskTemplate.resources = new TaskSpec.Resources();
        s.spec.taskTemplate.resources.reservations = new TaskSpec.Reservations();
        s.spec.taskTemplate.resources.reservations.nanoCPUs = nanoCpus;
        s.spec.taskTemplate.resources.reservations.memoryBytes = memory;
    }

    private static void publishHost(Service s, long port) {
        PortConfig p = new PortConfig();
        p.protocol = "tcp";
        p.targetPort = 80L;
        p.publishedPort = port;
        p.publishMode = "host";
        s.spec.endpointSpec = new io.skep.api.model.EndpointSpec();
        s.spec.endpointSpec.ports = List.of(p);
    }
}
